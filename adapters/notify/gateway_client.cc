#include "adapters/notify/gateway_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>

namespace hallq::notify {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(asio::io_context& io, const GatewayUrl& url, http::request<http::string_body> request,
           std::chrono::milliseconds timeout, std::function<void(GatewayAnswer)> done)
      : resolver_(io),
        stream_(io),
        url_(url),
        request_(std::move(request)),
        timeout_(timeout),
        done_(std::move(done)) {}

  void start() {
    stream_.expires_after(timeout_);
    // The timeout starts here but bounds only connect, write and read: a
    // name lookup is not cancelled by it (a numeric host resolves at once).
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type r) {
          if (ec) return self->finish(ec);
          self->stream_.async_connect(
              r, [self](beast::error_code ec2, const tcp::endpoint&) { self->connected(ec2); });
        });
  }

 private:
  void connected(beast::error_code ec) {
    if (ec) return finish(ec);
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec2, std::size_t) {
      if (ec2) return self->finish(ec2);
      http::async_read(self->stream_, self->buffer_, self->response_,
                       [self](beast::error_code ec3, std::size_t) { self->finish(ec3); });
    });
  }

  void finish(beast::error_code ec) {
    GatewayAnswer a;
    if (ec) {
      a.error = ec == beast::error::timeout ? std::string("timeout") : ec.message();
    } else {
      a.status = static_cast<int>(response_.result_int());
      a.body = response_.body().substr(0, 200);
    }
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    auto done = std::move(done_);
    done(std::move(a));
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  GatewayUrl url_;
  http::request<http::string_body> request_;
  std::chrono::milliseconds timeout_;
  std::function<void(GatewayAnswer)> done_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
};

}  // namespace

void exchange(asio::io_context& io, const GatewayUrl& url, http::request<http::string_body> request,
              std::chrono::milliseconds timeout, std::function<void(GatewayAnswer)> done) {
  std::make_shared<Exchange>(io, url, std::move(request), timeout, std::move(done))->start();
}

}  // namespace hallq::notify
