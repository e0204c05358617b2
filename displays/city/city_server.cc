// One Connection per socket, as in hallq-citizen's gateway: reads feed the
// request reader, one request answered at a time, writes through a
// per-connection queue; a stream stays open and gets pushes.
#include "displays/city/city_server.h"

#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <set>
#include <stdexcept>

#include "displays/city/embedded_site.h"
#include "engine/server/http_request_parse.h"

namespace hallq::city {

using tcp = boost::asio::ip::tcp;
using server::HttpRequestReader;
using server::HttpResponse;

namespace {

constexpr std::size_t kReadSize = 8 * 1024;
constexpr std::size_t kMaxQueuedBytes = 1024 * 1024;

std::string_view reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return status < 500 ? "Client Error" : "Server Error";
  }
}

constexpr std::string_view kCommonHeaders =
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'\r\n";

std::string response_text(const HttpResponse& r, bool keep_alive, bool head) {
  return fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: {}\r\n\r\n{}",
                     r.status, reason(r.status), r.content_type, r.body.size(), kCommonHeaders,
                     keep_alive ? "keep-alive" : "close",
                     head ? std::string_view() : std::string_view(r.body));
}

HttpResponse error(int status, std::string_view code, std::string_view message) {
  return {status, "application/json; charset=utf-8",
          fmt::format(R"({{"error":"{}","message":"{}"}})", code, message)};
}

}  // namespace

class Connection;

class CityServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, CityServerOptions options)
      : io_(io), options_(std::move(options)), acceptor_(io), keepalive_(io) {}

  void listen() {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(options_.host, ec);
    if (ec) throw std::runtime_error(fmt::format("--http: \"{}\" is not an IP address", options_.host));
    const tcp::endpoint ep(address, options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error(
          fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port, ec.message()));
  }

  void start() {
    accept();
    arm_keepalive();
  }
  void stop();
  void accept();
  void arm_keepalive();
  void update(std::string json);
  void closed(Connection* c);

  // The answer to a request that is not a stream.
  HttpResponse answer(const server::HttpRequest& r) const {
    const std::string path = r.target.substr(0, r.target.find('?'));
    if (path == "/api/city") return {200, "application/json; charset=utf-8", json_};
    std::string_view file;
    std::string type;
    if (path == "/" || path == "/index.html") {
      file = site_file("city.html");
      type = "text/html; charset=utf-8";
    } else if (path == "/city.js") {
      file = site_file("city.js");
      type = "text/javascript; charset=utf-8";
    } else if (path == "/city.css") {
      file = site_file("city.css");
      type = "text/css; charset=utf-8";
    }
    if (file.empty()) return error(404, "not_found", "没有这个页面");
    return {200, type, std::string(file)};
  }

  boost::asio::io_context& io_;
  CityServerOptions options_;
  tcp::acceptor acceptor_;
  boost::asio::steady_timer keepalive_;
  std::set<std::shared_ptr<Connection>> connections_;
  std::set<Connection*> streams_;
  std::string json_ = R"({"halls":[],"alerts":[],"stream":{}})";
  bool stopped_ = false;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<CityServer::Impl> server, tcp::socket socket)
      : server_(std::move(server)),
        socket_(std::move(socket)),
        idle_(socket_.get_executor()),
        reader_(1024) {}

  void start() {
    arm_idle();
    read();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    idle_.cancel();
    server_->closed(this);
  }

  void push(const std::string& json) { send("data: " + json + "\n\n"); }
  void ping() { send(": keepalive\n\n"); }
  bool streaming() const { return streaming_; }

 private:
  void arm_idle() {
    if (streaming_) return;
    idle_.expires_after(server_->options_.idle_timeout);
    idle_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->streaming_) self->close();
    });
  }

  void read() {
    if (closed_) return;
    const std::size_t old = buffer_.size();
    buffer_.resize(old + kReadSize);
    socket_.async_read_some(boost::asio::buffer(buffer_.data() + old, kReadSize),
                            [self = shared_from_this(), old](boost::system::error_code ec, std::size_t n) {
                              self->buffer_.resize(old + n);
                              if (ec || self->closed_) return self->close();
                              self->on_read();
                            });
  }

  void on_read() {
    if (streaming_) {
      buffer_.clear();  // a stream's client has nothing more to say; read only to see it go
      return read();
    }
    arm_idle();
    if (busy_) return;
    const std::size_t used = reader_.feed(buffer_);
    buffer_.erase(0, used);
    switch (reader_.state()) {
      case HttpRequestReader::State::kNeedMore:
        return read();
      case HttpRequestReader::State::kRefused:
        keep_alive_ = false;
        send(response_text(reader_.refusal(), false, false));
        return;
      case HttpRequestReader::State::kDone:
        break;
    }
    server::ParsedHttpRequest parsed = reader_.take();
    reader_.reset();
    keep_alive_ = parsed.keep_alive;
    const server::HttpRequest& r = parsed.request;
    if (r.method != "GET" && r.method != "HEAD") {
      busy_ = true;
      send(response_text(error(405, "method_not_allowed", "城市视图只读"), keep_alive_, parsed.head));
      return;
    }
    if (r.target.substr(0, r.target.find('?')) == "/events" && !parsed.head) {
      streaming_ = true;
      idle_.cancel();
      server_->streams_.insert(this);
      send(
          fmt::format("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n{}"
                      "X-Accel-Buffering: no\r\nConnection: keep-alive\r\n\r\nretry: 2000\n\n",
                      kCommonHeaders));
      push(server_->json_);
      buffer_.clear();
      return read();
    }
    busy_ = true;
    send(response_text(server_->answer(r), keep_alive_, parsed.head));
  }

  void send(std::string bytes) {
    if (closed_) return;
    queued_ += bytes.size();
    if (queued_ > kMaxQueuedBytes) return close();
    out_.push_back(std::move(bytes));
    if (!writing_) write_next();
  }

  void write_next() {
    if (out_.empty() || closed_) return;
    writing_ = true;
    boost::asio::async_write(socket_, boost::asio::buffer(out_.front()),
                             [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                               self->writing_ = false;
                               if (ec || self->closed_) return self->close();
                               self->queued_ -= self->out_.front().size();
                               self->out_.pop_front();
                               if (!self->out_.empty()) return self->write_next();
                               self->written();
                             });
  }

  void written() {
    if (streaming_) return;
    if (!keep_alive_) return close();
    busy_ = false;
    if (!buffer_.empty()) return on_read();
    read();
  }

  std::shared_ptr<CityServer::Impl> server_;
  tcp::socket socket_;
  boost::asio::steady_timer idle_;
  HttpRequestReader reader_;
  std::string buffer_;
  std::deque<std::string> out_;
  std::size_t queued_ = 0;
  bool writing_ = false, closed_ = false, busy_ = false, keep_alive_ = true, streaming_ = false;
};

void CityServer::Impl::closed(Connection* c) {
  streams_.erase(c);
  // Last: this may destroy the connection (its handlers hold it too).
  for (auto it = connections_.begin(); it != connections_.end(); ++it)
    if (it->get() == c) {
      connections_.erase(it);
      break;
    }
}

void CityServer::Impl::accept() {
  acceptor_.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
    if (self->stopped_) return;
    if (!ec) {
      if (self->connections_.size() >= self->options_.max_connections) {
        auto text = std::make_shared<std::string>(
            response_text(error(503, "busy", "访问人数过多，请稍后再试"), false, false));
        auto s = std::make_shared<tcp::socket>(std::move(socket));
        boost::asio::async_write(*s, boost::asio::buffer(*text),
                                 [s, text](boost::system::error_code, std::size_t) {
                                   boost::system::error_code ignored;
                                   s->shutdown(tcp::socket::shutdown_both, ignored);
                                 });
      } else {
        auto c = std::make_shared<Connection>(self, std::move(socket));
        self->connections_.insert(c);
        c->start();
      }
    }
    self->accept();
  });
}

void CityServer::Impl::arm_keepalive() {
  keepalive_.expires_after(options_.keepalive);
  keepalive_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    const std::vector<Connection*> all(self->streams_.begin(), self->streams_.end());
    for (Connection* c : all)
      if (self->streams_.count(c) != 0) c->ping();
    self->arm_keepalive();
  });
}

void CityServer::Impl::update(std::string json) {
  if (json == json_) return;
  json_ = std::move(json);
  // Copy: a push may close a slow stream, which edits the set.
  const std::vector<Connection*> all(streams_.begin(), streams_.end());
  for (Connection* c : all)
    if (streams_.count(c) != 0) c->push(json_);
}

void CityServer::Impl::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  keepalive_.cancel();
  const std::vector<std::shared_ptr<Connection>> all(connections_.begin(), connections_.end());
  for (const auto& c : all) c->close();
}

CityServer::CityServer(boost::asio::io_context& io, CityServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {
  impl_->listen();
}

CityServer::~CityServer() { impl_->stop(); }
void CityServer::start() { impl_->start(); }
void CityServer::stop() { impl_->stop(); }
std::uint16_t CityServer::port() const { return impl_->acceptor_.local_endpoint().port(); }
void CityServer::update(std::string json) { impl_->update(std::move(json)); }

}  // namespace hallq::city
