// One Connection per socket: reads into a buffer, feeds the reader, answers
// one request at a time; writes go through a per-connection queue (one
// async_write in flight). Responses are written by hand: the gateway needs
// nothing of Beast but the request parser the engine already uses.
#include "adapters/citizen/citizen_server.h"

#include <fmt/format.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <map>
#include <set>
#include <stdexcept>

#include "adapters/citizen/citizen_api.h"
#include "engine/server/http_request_parse.h"

namespace hallq::citizen {

using tcp = boost::asio::ip::tcp;
using server::HttpRequestReader;
using server::HttpResponse;

namespace {

constexpr std::size_t kReadSize = 8 * 1024;
constexpr std::size_t kMaxQueuedBytes = 256 * 1024;

std::string_view reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
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
    "Referrer-Policy: no-referrer\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Content-Security-Policy: default-src 'self'; img-src 'self' data:; media-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'\r\n";

std::string response_text(const HttpResponse& r, bool keep_alive, bool head) {
  return fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: {}\r\n\r\n{}",
                     r.status, reason(r.status), r.content_type, r.body.size(), kCommonHeaders,
                     keep_alive ? "keep-alive" : "close",
                     head ? std::string_view() : std::string_view(r.body));
}

std::int64_t steady_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

class Connection;

class CitizenServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, CitizenApi& api, CitizenServerOptions options)
      : io_(io), api_(api), options_(std::move(options)), acceptor_(io), keepalive_(io) {}

  void listen() {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(options_.host, ec);
    if (ec) throw std::runtime_error(fmt::format("listen: \"{}\" is not an IP address", options_.host));
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

  void hall_changed(std::string_view hall) {
    if (streams_.count(std::string(hall)) != 0) dirty_.emplace(hall);
  }
  void flush();

  bool open_stream(const std::shared_ptr<Connection>& c, const std::string& hall, const std::string& client);
  void closed(Connection* c);

  boost::asio::io_context& io_;
  CitizenApi& api_;
  CitizenServerOptions options_;
  tcp::acceptor acceptor_;
  boost::asio::steady_timer keepalive_;
  std::set<std::shared_ptr<Connection>> connections_;
  std::map<std::string, std::set<Connection*>, std::less<>> streams_;  // by hall
  std::map<std::string, std::size_t, std::less<>> streams_by_client_;
  std::set<std::string, std::less<>> dirty_;
  Counters counters_;
  bool stopped_ = false;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<CitizenServer::Impl> server, tcp::socket socket)
      : server_(std::move(server)),
        socket_(std::move(socket)),
        idle_(socket_.get_executor()),
        reader_(server_->options_.max_body) {
    boost::system::error_code ec;
    const auto ep = socket_.remote_endpoint(ec);
    peer_ = ec ? std::string("unknown") : ep.address().to_string();
  }

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

  // A stream's push: the ticket's JSON if it changed.
  void push(const std::string& json) {
    if (json.empty() || json == last_json_) return;
    last_json_ = json;
    ++server_->counters_.pushes;
    send("data: " + json + "\n\n");
  }
  void ping() { send(": keepalive\n\n"); }

  const std::string& stream_number() const { return number_; }
  const std::string& stream_client() const { return client_; }
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
    if (busy_) return;  // answering; the rest waits in the buffer
    const std::size_t used = reader_.feed(buffer_);
    buffer_.erase(0, used);
    switch (reader_.state()) {
      case HttpRequestReader::State::kNeedMore:
        return read();
      case HttpRequestReader::State::kRefused:
        ++server_->counters_.requests;
        keep_alive_ = false;
        send(response_text(reader_.refusal(), false, false));
        return;
      case HttpRequestReader::State::kDone:
        break;
    }
    server::ParsedHttpRequest parsed = reader_.take();
    reader_.reset();
    parsed.request.peer = peer_;
    ++server_->counters_.requests;
    CitizenAnswer a = server_->api_.handle(parsed.request, steady_us());
    keep_alive_ = parsed.keep_alive;
    if (a.stream) {
      if (!server_->open_stream(shared_from_this(), a.hall, a.client)) {
        keep_alive_ = false;
        send(response_text(server_->api_.streams_busy(a.hall), false, parsed.head));
        return;
      }
      streaming_ = true;
      number_ = a.number;
      date_ = a.date;
      client_ = a.client;
      hall_ = a.hall;
      idle_.cancel();
      send(
          fmt::format("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n{}"
                      "X-Accel-Buffering: no\r\nConnection: keep-alive\r\n\r\nretry: 2000\n\n",
                      kCommonHeaders));
      push(server_->api_.ticket_json(a.hall, a.number));
      buffer_.clear();
      return read();
    }
    busy_ = true;
    send(response_text(a.response, keep_alive_, parsed.head));
  }

  void send(std::string bytes) {
    if (closed_) return;
    queued_ += bytes.size();
    if (queued_ > kMaxQueuedBytes) {
      ++server_->counters_.slow_closed;
      return close();
    }
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

  // Everything queued is written: the next request, or the end.
  void written() {
    if (streaming_) return;
    if (!keep_alive_) return close();
    busy_ = false;
    if (!buffer_.empty()) return on_read();  // pipelined bytes already here
    read();
  }

  std::shared_ptr<CitizenServer::Impl> server_;
  tcp::socket socket_;
  boost::asio::steady_timer idle_;
  HttpRequestReader reader_;
  std::string peer_, buffer_;
  std::deque<std::string> out_;
  std::size_t queued_ = 0;
  bool writing_ = false, closed_ = false, busy_ = false, keep_alive_ = true, streaming_ = false;
  std::string hall_, number_, date_, client_, last_json_;

  friend class CitizenServer::Impl;
};

bool CitizenServer::Impl::open_stream(const std::shared_ptr<Connection>& c, const std::string& hall,
                                      const std::string& client) {
  std::size_t& mine = streams_by_client_[client];
  if (counters_.streams >= options_.max_streams || mine >= options_.max_streams_per_address) {
    if (mine == 0) streams_by_client_.erase(client);
    ++counters_.streams_refused;
    return false;
  }
  ++mine;
  ++counters_.streams;
  ++counters_.streams_opened;
  streams_[hall].insert(c.get());
  return true;
}

void CitizenServer::Impl::closed(Connection* c) {
  if (c->streaming_) {
    auto it = streams_.find(c->hall_);
    if (it != streams_.end() && it->second.erase(c) > 0) {
      --counters_.streams;
      auto by = streams_by_client_.find(c->client_);
      if (by != streams_by_client_.end() && --by->second == 0) streams_by_client_.erase(by);
      if (it->second.empty()) streams_.erase(it);
    }
  }
  // Last: this may destroy the connection (its handlers hold it too).
  for (auto it = connections_.begin(); it != connections_.end(); ++it)
    if (it->get() == c) {
      connections_.erase(it);
      break;
    }
  counters_.connections = connections_.size();
}

void CitizenServer::Impl::accept() {
  acceptor_.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
    if (self->stopped_) return;
    if (!ec) {
      if (self->connections_.size() >= self->options_.max_connections) {
        ++self->counters_.connections_refused;
        // Refused before its request is read: which hall it is about is not known.
        auto text = std::make_shared<std::string>(
            response_text({503, "application/json; charset=utf-8",
                           R"({"error":"busy","message":"访问人数过多，请稍后再试"})"},
                          false, false));
        auto s = std::make_shared<tcp::socket>(std::move(socket));
        boost::asio::async_write(*s, boost::asio::buffer(*text),
                                 [s, text](boost::system::error_code, std::size_t) {
                                   boost::system::error_code ignored;
                                   s->shutdown(tcp::socket::shutdown_both, ignored);
                                 });
      } else {
        auto c = std::make_shared<Connection>(self, std::move(socket));
        self->connections_.insert(c);
        self->counters_.connections = self->connections_.size();
        c->start();
      }
    }
    self->accept();
  });
}

void CitizenServer::Impl::arm_keepalive() {
  keepalive_.expires_after(options_.keepalive);
  keepalive_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopped_) return;
    for (auto& [hall, set] : self->streams_) {
      self->dirty_.insert(hall);
      for (Connection* c : set) c->ping();
    }
    self->flush();
    self->arm_keepalive();
  });
}

void CitizenServer::Impl::flush() {
  std::set<std::string, std::less<>> dirty;
  dirty.swap(dirty_);
  for (const std::string& hall : dirty) {
    auto it = streams_.find(hall);
    if (it == streams_.end()) continue;
    std::map<std::string, std::string, std::less<>> json_of;  // one view per ticket, however many pages
    // Copy: a push may close a slow stream, which edits the set.
    const std::vector<Connection*> conns(it->second.begin(), it->second.end());
    for (Connection* c : conns) {
      auto still = streams_.find(hall);
      if (still == streams_.end() || still->second.count(c) == 0) continue;
      // A page of an earlier day: its number is no longer its ticket (号码已失效, once).
      if (!api_.is_today(hall, c->date_)) {
        c->push(api_.lapsed_json(hall, c->date_, c->number_, c->last_json_));
        continue;
      }
      auto j = json_of.find(c->stream_number());
      if (j == json_of.end())
        j = json_of.emplace(c->stream_number(), api_.ticket_json(hall, c->stream_number())).first;
      c->push(j->second);
    }
  }
}

void CitizenServer::Impl::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  keepalive_.cancel();
  const std::vector<std::shared_ptr<Connection>> all(connections_.begin(), connections_.end());
  for (const auto& c : all) c->close();
}

CitizenServer::CitizenServer(boost::asio::io_context& io, CitizenApi& api, CitizenServerOptions options)
    : impl_(std::make_shared<Impl>(io, api, std::move(options))) {
  impl_->listen();
}

CitizenServer::~CitizenServer() { impl_->stop(); }
void CitizenServer::start() { impl_->start(); }
void CitizenServer::stop() { impl_->stop(); }
std::uint16_t CitizenServer::port() const { return impl_->acceptor_.local_endpoint().port(); }
void CitizenServer::hall_changed(std::string_view hall) { impl_->hall_changed(hall); }
void CitizenServer::flush() { impl_->flush(); }
const CitizenServer::Counters& CitizenServer::counters() const { return impl_->counters_; }

}  // namespace hallq::citizen
