#include "tests/support/http_receiver.h"

#include <fcntl.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace hallq::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpReceiver::Server {
  Server(HttpReceiver& owner, std::uint16_t port)
      : owner(owner), acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {
    // Not inherited by the programs the test starts: a child holding the
    // listening socket would keep the port "up" (connections queued,
    // never answered) after the receiver is gone.
    ::fcntl(acceptor.native_handle(), F_SETFD, FD_CLOEXEC);
  }

  struct Session : std::enable_shared_from_this<Session> {
    Session(Server& s, tcp::socket socket) : server(s), socket(std::move(socket)) {}
    void read() {
      request = {};
      http::async_read(socket, buffer, request,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return;
                         self->answer();
                       });
    }
    void answer() {
      ReceivedRequest r;
      r.method = std::string(request.method_string());
      r.target = std::string(request.target());
      r.body = request.body();
      for (const auto& f : request) {
        std::string name(f.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
      }
      const auto [status, body] = server.owner.decide(r);
      r.answered = status;
      server.owner.record(std::move(r));
      if (status == 0) {
        server.held.push_back(shared_from_this());  // never answered; closed when the server stops
        return;
      }
      response = {static_cast<http::status>(status), request.version()};
      response.set(http::field::content_type, "application/json");
      response.body() = body;
      response.keep_alive(false);
      response.prepare_payload();
      http::async_write(socket, response, [self = shared_from_this()](beast::error_code, std::size_t) {
        beast::error_code ignored;
        self->socket.shutdown(tcp::socket::shutdown_both, ignored);
        self->socket.close(ignored);
      });
    }
    Server& server;
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
  };

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      ::fcntl(socket.native_handle(), F_SETFD, FD_CLOEXEC);
      std::make_shared<Session>(*this, std::move(socket))->read();
      accept();
    });
  }

  HttpReceiver& owner;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::vector<std::shared_ptr<Session>> held;
};

HttpReceiver::HttpReceiver(std::uint16_t port) : server_(std::make_unique<Server>(*this, port)) {
  port_ = server_->acceptor.local_endpoint().port();
  server_->accept();
  thread_ = std::thread([this] { server_->io.run(); });
}

HttpReceiver::~HttpReceiver() {
  asio::post(server_->io, [this] {
    beast::error_code ignored;
    server_->acceptor.close(ignored);
    for (auto& s : server_->held) s->socket.close(ignored);
    server_->held.clear();
    server_->io.stop();
  });
  thread_.join();
}

std::string HttpReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpReceiver::answer(int status) {
  std::lock_guard lock(mutex_);
  status_ = status;
}

void HttpReceiver::fail_next(int count, int status) {
  std::lock_guard lock(mutex_);
  fail_count_ = count;
  fail_status_ = status;
}

void HttpReceiver::hang(bool on) {
  std::lock_guard lock(mutex_);
  hang_ = on;
}

std::pair<int, std::string> HttpReceiver::decide(const ReceivedRequest& request) {
  std::lock_guard lock(mutex_);
  auto plain = [](int status) {
    return std::pair<int, std::string>(status, status < 300 ? R"({"ok":true})" : R"({"ok":false})");
  };
  if (hang_) return {0, ""};
  if (fail_count_ > 0) {
    --fail_count_;
    return plain(fail_status_);
  }
  if (const auto it = refusals_.find(request.header("idempotency-key")); it != refusals_.end())
    return it->second;
  return plain(status_);
}

void HttpReceiver::refuse(const std::string& key, int status, const std::string& body) {
  std::lock_guard lock(mutex_);
  refusals_[key] = {status, body};
}

std::vector<ReceivedRequest> HttpReceiver::accepted() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

bool HttpReceiver::wait_accepted(std::size_t count, std::chrono::milliseconds limit) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, limit, [&] { return accepted_.size() >= count; });
}

void HttpReceiver::record(ReceivedRequest request) {
  {
    std::lock_guard lock(mutex_);
    const std::string key = request.header("idempotency-key");
    const bool first = request.answered >= 200 && request.answered < 300 && !key.empty() &&
                       std::none_of(accepted_.begin(), accepted_.end(), [&](const ReceivedRequest& a) {
                         return a.header("idempotency-key") == key;
                       });
    if (first) accepted_.push_back(request);
    requests_.push_back(std::move(request));
  }
  arrived_.notify_all();
}

std::vector<ReceivedRequest> HttpReceiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool HttpReceiver::wait_for(std::size_t count, std::chrono::milliseconds limit) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, limit, [&] { return requests_.size() >= count; });
}

}  // namespace hallq::testing
