#include "adapters/outbound/http_exchange.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace hallq::outbound {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

HttpResult http_exchange(const HttpUrl& server, const std::string& method, const std::string& target,
                         const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, server.host + ":" + std::to_string(server.port));
  req.set(http::field::user_agent, "hallq");
  for (const auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || method == "POST") {
    if (req.find(http::field::content_type) == req.end())
      req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  HttpResult out;
  auto fail = [&](beast::error_code ec) {
    out.error = ec == beast::error::timeout ? std::string("timeout") : ec.message();
  };

  stream.expires_after(timeout);
  resolver.async_resolve(server.host, std::to_string(server.port),
                         [&](beast::error_code ec, tcp::resolver::results_type r) {
                           if (ec) return fail(ec);
                           stream.async_connect(r, [&](beast::error_code ec2, const tcp::endpoint&) {
                             if (ec2) return fail(ec2);
                             http::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
                               if (ec3) return fail(ec3);
                               http::async_read(stream, buffer, res, [&](beast::error_code ec4, std::size_t) {
                                 if (ec4) return fail(ec4);
                                 out.status = static_cast<int>(res.result_int());
                                 out.body = res.body();
                                 if (auto it = res.find(http::field::set_cookie); it != res.end()) {
                                   const std::string c(it->value());
                                   out.set_cookie = c.substr(0, c.find(';'));
                                 }
                               });
                             });
                           });
                         });
  io.run();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.close();
  return out;
}

}  // namespace hallq::outbound
