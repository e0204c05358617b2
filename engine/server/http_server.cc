// Beast sessions: one HttpSession per connection (keep-alive, one request at
// a time, read by HttpRequestReader with its limits, a 30-second idle
// timeout), upgraded to a WsSession on /ws. WebSocket writes are queued per
// socket, bounded in bytes: a browser that lets more than kMaxQueuedBytes pile
// up is dropped with a close reason ("slow reader") rather than growing the
// engine's memory. A socket whose login session logs out or expires is
// closed ("session ended") at once, or before its next message.
#include "engine/server/http_server.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/server/engine.h"
#include "engine/server/http_api.h"
#include "engine/server/http_request_parse.h"
#include "engine/server/server.h"
#include "engine/view/json_view.h"

namespace hallq::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::size_t kMaxQueuedBytes = 4 * 1024 * 1024;
constexpr auto kCloseTimeout = std::chrono::seconds(5);  // a peer that does not take the close
constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr std::size_t kReadSize = 16 * 1024;  // per read from a connection

std::string query_value(std::string_view target, std::string_view key) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key && eq != std::string_view::npos) return std::string(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace

class WsSession;

// A connection's place under the caps, held by its session (HTTP, then
// WebSocket) and given back when the session ends.
class ConnectionSlot {
 public:
  ConnectionSlot(std::size_t& total, std::map<std::string, std::size_t>& per_address, std::string address)
      : total_(total), per_address_(per_address), address_(std::move(address)) {
    ++total_;
    ++per_address_[address_];
  }
  ~ConnectionSlot() {
    --total_;
    if (--per_address_[address_] == 0) per_address_.erase(address_);
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::size_t& total_;
  std::map<std::string, std::size_t>& per_address_;
  std::string address_;
};

class HttpServer::Impl : public std::enable_shared_from_this<HttpServer::Impl> {
 public:
  Impl(boost::asio::io_context& io, HttpApi& api, Server& server, HttpServerOptions options)
      : io_(io), api_(api), server_(server), options_(std::move(options)), acceptor_(io), backoff_timer_(io) {
    const std::string host = options_.host == "localhost" ? "127.0.0.1" : options_.host;
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(host, ec);
    if (ec) throw std::invalid_argument(fmt::format("--http {}: not an IP address", options_.host));
    if (!address.is_loopback() && !options_.allow_remote) {
      throw std::invalid_argument(fmt::format(
          "--http {}: the managers' API has no login yet and listens on loopback only (127.0.0.1 or ::1)",
          options_.host));
    }
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint, ec);
    if (ec)
      throw std::runtime_error(fmt::format("--http {}:{}: {}", options_.host, options_.port, ec.message()));
    acceptor_.listen(boost::asio::socket_base::max_listen_connections);
  }

  void start();
  void stop();
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  HttpApi& api() { return api_; }
  const HttpServerOptions& options() const { return options_; }
  bool running() const { return running_; }
  void add(const std::string& hall, const std::shared_ptr<WsSession>& s) { sockets_[hall].push_back(s); }
  void published(const std::vector<Publication>& pubs);

 private:
  void accept();
  // A slot for a connection from `address`, or null (the cap it met in `cap`).
  std::shared_ptr<ConnectionSlot> admit(const std::string& address, const char*& cap);
  void push_summary(const std::string& hall);

  boost::asio::io_context& io_;
  HttpApi& api_;
  Server& server_;
  HttpServerOptions options_;
  tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_timer_;
  std::size_t connections_ = 0;
  std::map<std::string, std::size_t> per_address_;  // only addresses with a connection
  bool running_ = false;
  std::map<std::string, std::vector<std::weak_ptr<WsSession>>> sockets_;
  std::map<std::string, std::unique_ptr<boost::asio::steady_timer>> push_timers_;
};

// ------------------------------------------------------------ WebSocket

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket socket, std::shared_ptr<HttpServer::Impl> owner, std::string hall,
            std::string session, std::shared_ptr<ConnectionSlot> slot)
      : ws_(std::move(socket)),
        owner_(std::move(owner)),
        slot_(std::move(slot)),
        hall_(std::move(hall)),
        session_(std::move(session)),
        close_timer_(ws_.get_executor()) {}

  const std::string& session() const { return session_; }

  // `raw_request`: the upgrade request's header as received (HttpRequestReader::raw_header).
  void run(std::string raw_request) {
    raw_request_ = std::move(raw_request);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "hallqd"); }));
    ws_.async_accept(boost::asio::buffer(raw_request_), [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->owner_->add(self->hall_, self);
      self->send(self->owner_->api().live_message(self->hall_));
      self->read();
    });
  }

  void send(std::string message) {
    if (closed_) return;
    if (!session_.empty() && !owner_->api().session_alive(session_))
      return close(websocket::close_code::policy_error, "session ended");
    if (queued_bytes_ + message.size() > kMaxQueuedBytes)  // a browser that does not read: let it go
      return close(websocket::close_code::policy_error, "slow reader");
    ++owner_->api().counters().websocket_messages;
    queued_bytes_ += message.size();
    queue_.push_back(std::move(message));
    if (!writing_) write();
  }

  // Drops what is queued, sends a close frame with `reason` after the write
  // under way, and cuts the connection if the peer does not take it in time.
  void close(websocket::close_code code = websocket::close_code::going_away, std::string reason = "") {
    if (closed_) return;
    closed_ = true;
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queued_bytes_ -= queue_.back().size();
      queue_.pop_back();
    }
    reason_ = websocket::close_reason(code, reason);
    close_timer_.expires_after(kCloseTimeout);
    close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) beast::get_lowest_layer(self->ws_).close();
    });
    if (!writing_) send_close();
  }

 private:
  void send_close() {
    ws_.async_close(reason_, [self = shared_from_this()](beast::error_code) { self->close_timer_.cancel(); });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed_ = true;
        self->close_timer_.cancel();
        return;
      }
      self->buffer_.consume(self->buffer_.size());  // browsers only listen; what they send is ignored
      self->read();
    });
  }

  void write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->queued_bytes_ -= self->queue_.front().size();
                      self->queue_.pop_front();
                      if (ec) {
                        self->closed_ = true;
                        self->queue_.clear();
                        self->queued_bytes_ = 0;
                        return;
                      }
                      if (self->closed_) return self->send_close();
                      if (!self->queue_.empty()) self->write();
                    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<HttpServer::Impl> owner_;
  std::shared_ptr<ConnectionSlot> slot_;
  std::string hall_;
  std::string raw_request_;
  beast::flat_buffer buffer_;
  std::string session_;  // the login session's id ("" without logins)
  boost::asio::steady_timer close_timer_;
  websocket::close_reason reason_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
};

// ------------------------------------------------------------ HTTP

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, std::shared_ptr<HttpServer::Impl> owner,
              std::shared_ptr<ConnectionSlot> slot)
      : stream_(std::move(socket)),
        owner_(std::move(owner)),
        slot_(std::move(slot)),
        reader_(owner_->options().max_body) {}

  // Reads the next request: first from what is buffered (a pipelined
  // request), then from the socket, until the reader has one or refuses.
  void read() {
    reader_.reset();
    stream_.expires_after(kIdleTimeout);
    parse();
  }

 private:
  void parse() {
    if (buffer_.size() > 0) {
      const auto data = buffer_.data();
      buffer_.consume(reader_.feed(std::string_view(static_cast<const char*>(data.data()), data.size())));
      if (reader_.state() != HttpRequestReader::State::kNeedMore) return on_read();
    }
    stream_.async_read_some(
        buffer_.prepare(kReadSize), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          if (ec == boost::asio::error::eof && !self->reader_.started() && self->buffer_.size() == 0)
            return self->shutdown();
          if (ec) return;  // timeout, reset, or the client left in the middle of a request
          self->buffer_.commit(n);
          self->parse();
        });
  }

  void on_read() {
    if (reader_.state() == HttpRequestReader::State::kRefused) {
      HttpResponse r = reader_.refusal();
      return write(std::move(r), 11, false, false);
    }
    if (!owner_->running()) return;
    ParsedHttpRequest parsed = reader_.take();
    if (parsed.websocket_upgrade) {
      const std::string_view target = parsed.request.target;
      const std::string hall = query_value(target, "hall");
      HttpRequest probe;
      probe.cookie = parsed.request.cookie;
      probe.origin = parsed.request.origin;
      probe.host = parsed.request.host;
      probe.method = parsed.request.method;
      probe.target = parsed.request.target;
      beast::error_code no_peer;
      if (const auto remote = stream_.socket().remote_endpoint(no_peer); !no_peer)
        probe.peer = remote.address().to_string();
      const int status = target.substr(0, target.find('?')) != "/ws" || hall.empty()
                             ? 404
                             : owner_->api().live_status(probe, hall);
      if (status != 0) {
        const char* code = status == 401 ? "login_required" : status == 403 ? "forbidden" : "unknown_hall";
        const char* message = status == 401   ? "请先登录"
                              : status == 403 ? "无权查看这个大厅（或来源与本站不符）"
                                              : "用 /ws?hall=大厅编号 订阅一个大厅";
        HttpResponse r{status, "application/json; charset=utf-8",
                       nlohmann::json{{"error", code}, {"message", message}}.dump()};
        return write(std::move(r), parsed.version, false, false);
      }
      stream_.expires_never();
      std::make_shared<WsSession>(stream_.release_socket(), owner_, hall, owner_->api().session_id(probe),
                                  std::move(slot_))
          ->run(std::move(parsed.raw_header));
      return;
    }
    HttpRequest& r = parsed.request;
    beast::error_code ignored;
    const auto remote = stream_.socket().remote_endpoint(ignored);
    if (!ignored) r.peer = remote.address().to_string();
    const bool keep_alive = parsed.keep_alive;
    const bool head = parsed.head;
    const unsigned version = parsed.version;
    owner_->api().handle(r, [self = shared_from_this(), keep_alive, head, version](HttpResponse res) {
      self->write(std::move(res), version, keep_alive, head);
    });
  }

  void write(HttpResponse r, unsigned version, bool keep_alive, bool head) {
    auto res =
        std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version);
    res->set(http::field::server, "hallqd");
    res->set(http::field::content_type, r.content_type);
    res->set(http::field::cache_control, "no-store");
    res->set("X-Content-Type-Options", "nosniff");
    res->set("X-Frame-Options", "DENY");
    if (!r.set_cookie.empty()) res->set(http::field::set_cookie, r.set_cookie);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head) res->body().clear();
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (!keep_alive) return self->shutdown();
                        self->read();
                      });
  }

  void shutdown() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::Impl> owner_;
  std::shared_ptr<ConnectionSlot> slot_;
  beast::flat_buffer buffer_;
  HttpRequestReader reader_;
};

// ------------------------------------------------------------ the server

void HttpServer::Impl::start() {
  running_ = true;
  std::weak_ptr<Impl> weak = shared_from_this();
  server_.on_publish([weak](const std::vector<Publication>& pubs) {
    if (auto self = weak.lock(); self && self->running_) self->published(pubs);
  });
  api_.on_logout([weak](const std::string& id) {
    if (auto self = weak.lock())
      for (auto& [hall, list] : self->sockets_)
        for (auto& w : list)
          if (auto s = w.lock(); s && s->session() == id)
            s->close(websocket::close_code::policy_error, "session ended");
  });
  accept();
}

void HttpServer::Impl::stop() {
  if (!running_) return;
  running_ = false;
  beast::error_code ignored;
  acceptor_.close(ignored);
  backoff_timer_.cancel();
  for (auto& [hall, list] : sockets_)
    for (auto& weak : list)
      if (auto s = weak.lock()) s->close();
  sockets_.clear();
  for (auto& [hall, timer] : push_timers_) timer->cancel();
}

std::shared_ptr<ConnectionSlot> HttpServer::Impl::admit(const std::string& address, const char*& cap) {
  rlimit nofile{};
  std::size_t limit = options_.max_connections;
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY)
    limit = std::min<std::size_t>(
        limit, nofile.rlim_cur > options_.fd_reserve ? nofile.rlim_cur - options_.fd_reserve : 0);
  cap = nullptr;
  if (connections_ >= options_.max_connections)
    cap = "total";
  else if (connections_ >= limit)
    cap = "descriptors";
  else if (auto it = per_address_.find(address);
           it != per_address_.end() && it->second >= options_.max_per_address)
    cap = "per_address";
  if (cap != nullptr) return nullptr;
  return std::make_shared<ConnectionSlot>(connections_, per_address_, address);
}

void HttpServer::Impl::accept() {
  acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (!self->running_) return;
    if (ec == boost::asio::error::no_descriptors || ec.value() == ENFILE) {
      // Retrying at once would spin: the waiting connection stays queued.
      ++self->api_.counters().accept_backoffs;
      self->backoff_timer_.expires_after(self->options_.accept_backoff);
      self->backoff_timer_.async_wait([self](beast::error_code e) {
        if (!e && self->running_) self->accept();
      });
      return;
    }
    if (!ec) {
      beast::error_code no_peer;
      const auto remote = socket.remote_endpoint(no_peer);
      const char* cap = nullptr;
      if (auto slot = self->admit(no_peer ? std::string() : remote.address().to_string(), cap)) {
        std::make_shared<HttpSession>(std::move(socket), self, std::move(slot))->read();
      } else {
        ++self->api_.counters().connections_refused[cap];
        // A canned answer into an empty send buffer, then the descriptor back.
        static const std::string kBusy = [] {
          const std::string body = R"({"error":"busy","message":"连接过多，请稍后再试"})";
          return fmt::format(
              "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
              "Retry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
              body.size(), body);
        }();
        beast::error_code ignored;
        socket.non_blocking(true, ignored);
        socket.write_some(boost::asio::buffer(kBusy), ignored);
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
      }
    }
    self->accept();
  });
}

void HttpServer::Impl::published(const std::vector<Publication>& pubs) {
  if (sockets_.empty()) return;
  for (const Publication& p : pubs) {
    const protocol::Bytes bytes = protocol::as_bytes(p.bytes);
    if (protocol::inspect(bytes) != protocol::MessageKind::kEvent) continue;
    const protocol::EventSummary e = protocol::describe_event(bytes);
    auto it = sockets_.find(e.hall);
    if (it == sockets_.end()) continue;
    // replace: an event may carry bytes that are not UTF-8 (a staff id from a command).
    const std::string message =
        nlohmann::json{{"type", "event"}, {"hall", e.hall}, {"data", view::to_json(e)}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::erase_if(it->second, [](const std::weak_ptr<WsSession>& w) { return w.expired(); });
    for (auto& weak : it->second)
      if (auto s = weak.lock()) s->send(message);
    push_summary(e.hall);
  }
}

// At most one summary per push_interval per hall: the first change arms a
// timer, changes until it fires ride along.
void HttpServer::Impl::push_summary(const std::string& hall) {
  auto& timer = push_timers_[hall];
  if (timer) return;  // armed
  timer = std::make_unique<boost::asio::steady_timer>(io_, options_.push_interval);
  timer->async_wait([self = shared_from_this(), hall](beast::error_code ec) {
    self->push_timers_.erase(hall);
    if (ec || !self->running_) return;
    auto it = self->sockets_.find(hall);
    if (it == self->sockets_.end()) return;
    const std::string message = self->api_.live_message(hall);
    for (auto& weak : it->second)
      if (auto s = weak.lock()) s->send(message);
  });
}

HttpServer::HttpServer(boost::asio::io_context& io, HttpApi& api, Server& server, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(io, api, server, std::move(options))) {}
HttpServer::~HttpServer() { impl_->stop(); }
void HttpServer::start() { impl_->start(); }
void HttpServer::stop() { impl_->stop(); }
std::uint16_t HttpServer::port() const { return impl_->port(); }

}  // namespace hallq::server
