#include "tests/support/http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace hallq::testing {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;

HttpAnswer http_request(const std::string& host_port, http::verb method, const std::string& target,
                        const std::string& body, const HttpRequestOptions& options) {
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  tcp::socket socket(io);
  const std::size_t colon = host_port.rfind(':');
  const auto endpoints = resolver.resolve(host_port.substr(0, colon), host_port.substr(colon + 1));
  if (!options.source_address.empty()) {
    socket.open(tcp::v4());
    socket.bind(tcp::endpoint(boost::asio::ip::make_address(options.source_address), 0));
    socket.connect(*endpoints.begin());
  } else {
    boost::asio::connect(socket, endpoints);
  }
  timeval tv{10, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, host_port);
  if (!body.empty() && !options.headers.contains("Content-Type"))
    req.set(http::field::content_type, "application/json");
  if (!options.idempotency_key.empty()) req.set("Idempotency-Key", options.idempotency_key);
  for (const auto& [name, value] : options.headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  return {static_cast<int>(res.result_int()), std::string(res[http::field::content_type]), res.body(),
          std::string(res[http::field::set_cookie])};
}

void connect_bounded(tcp::socket& socket, const std::string& host_port, int read_timeout_s) {
  tcp::resolver resolver(socket.get_executor());
  const std::size_t colon = host_port.rfind(':');
  boost::asio::connect(socket, resolver.resolve(host_port.substr(0, colon), host_port.substr(colon + 1)));
  timeval tv{read_timeout_s, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

}  // namespace hallq::testing
