// One HTTP request and its response as the servers handle them, free of any
// HTTP library: what http_request_parse.h reads off a connection, what the
// managers' API (http_api.h) and the citizen gateway (adapters/citizen)
// answer. Plain values; any thread.
#pragma once

#include <string>

namespace hallq::server {

struct HttpRequest {
  std::string method;  // GET, POST, ...
  std::string target;  // path and query, as sent
  std::string body;
  std::string idempotency_key;
  std::string cookie;         // the Cookie header
  std::string csrf_token;     // X-CSRF-Token
  std::string origin;         // Origin, if the browser sent one
  std::string host;           // Host
  std::string content_type;   // Content-Type
  std::string authorization;  // Authorization (a /metrics scrape token)
  std::string forwarded_for;  // X-Forwarded-For (trusted only from a configured proxy)
  std::string peer;           // the client's address
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::string set_cookie;  // a Set-Cookie header, if any
};

}  // namespace hallq::server
