// One blocking HTTP/1.1 exchange (Boost.Beast on a private io_context):
// connect, send, read the answer, all bounded by one timeout; a fresh
// connection each time (the callers send one record at a time, and a
// broken keep-alive connection would only complicate the retry).
//
// Errors are values: status 0 and `error` ("timeout", "Connection
// refused"). Thread: any; each call is independent.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "adapters/outbound/http_url.h"

namespace hallq::outbound {

struct HttpResult {
  int status = 0;     // 0: no answer
  std::string error;  // why there was no answer
  std::string body;
  std::string set_cookie;  // the first Set-Cookie, up to its first ';'
};

HttpResult http_exchange(const HttpUrl& server, const std::string& method, const std::string& target,
                         const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::chrono::milliseconds timeout);

}  // namespace hallq::outbound
