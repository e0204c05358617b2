// A test's HTTP client for hallqd's API (Boost.Beast, blocking, loopback):
// one request on a fresh connection (as curl would), optionally from another
// loopback source address (127.0.0.2 ...: a second client machine).
// Every read is bounded by a receive timeout so that a hung server fails the
// test instead of hanging it.
//
// Errors: connection and read failures throw boost::system::system_error.
// Thread: any; each call uses its own io_context and socket.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace hallq::testing {

struct HttpAnswer {
  int status = 0;
  std::string type, body, set_cookie;
  nlohmann::json j() const { return nlohmann::json::parse(body, nullptr, false); }
};

struct HttpRequestOptions {
  std::string idempotency_key;
  std::map<std::string, std::string> headers;  // e.g. Cookie, X-CSRF-Token, Origin, Content-Type
  std::string source_address;                  // empty: the kernel's choice (127.0.0.1)
};

// Sends one request to `host_port` ("127.0.0.1:PORT"). A non-empty body is
// sent as application/json unless `options.headers` names a Content-Type.
HttpAnswer http_request(const std::string& host_port, boost::beast::http::verb method,
                        const std::string& target, const std::string& body = "",
                        const HttpRequestOptions& options = {});

// Connects `socket` (e.g. a WebSocket stream's next_layer()) to `host_port`,
// every read on it bounded to `read_timeout_s` seconds.
void connect_bounded(boost::asio::ip::tcp::socket& socket, const std::string& host_port, int read_timeout_s);

}  // namespace hallq::testing
