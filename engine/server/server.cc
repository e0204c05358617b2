// ZeroMQ in an Asio loop: the ROUTER's ZMQ_FD is edge-triggered, so after every
// wake (and after every send, which may consume a notification) the socket is
// drained until ZMQ_EVENTS no longer says POLLIN before waiting again.
#include "engine/server/server.h"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <iostream>
#include <vector>
#include <zmq.hpp>

#include "engine/protocol/message.h"
#include "engine/server/engine.h"

namespace hallq::server {
namespace {

core::TimeUs wall_clock_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

class Server::Impl {
 public:
  Impl(boost::asio::io_context& io, Engine& engine, ServerOptions options)
      : io_(io),
        engine_(engine),
        options_(std::move(options)),
        ctx_(1),
        router_(ctx_, zmq::socket_type::router),
        pub_(ctx_, zmq::socket_type::pub),
        router_fd_(io),
        timer_(io) {
    router_.set(zmq::sockopt::linger, 0);
    router_.set(zmq::sockopt::router_mandatory, 0);
    router_.set(zmq::sockopt::rcvhwm, 0);  // never drop commands
    router_.set(zmq::sockopt::sndhwm, 0);
    pub_.set(zmq::sockopt::linger, 1000);
    pub_.set(zmq::sockopt::sndhwm, options_.pub_hwm);
    router_.bind(options_.cmd_endpoint);
    pub_.bind(options_.pub_endpoint);
    cmd_bound_ = router_.get(zmq::sockopt::last_endpoint);
    pub_bound_ = pub_.get(zmq::sockopt::last_endpoint);
    router_fd_.assign(router_.get(zmq::sockopt::fd));
  }

  ~Impl() {
    // The descriptor belongs to ZeroMQ: do not let Asio close it.
    boost::system::error_code ignored;
    router_fd_.cancel(ignored);
    router_fd_.release();
  }

  void start() {
    running_ = true;
    wait_readable();
    schedule_tick();
  }

  void stop() {
    if (!running_) return;
    running_ = false;
    boost::system::error_code ignored;
    router_fd_.cancel(ignored);
    timer_.cancel();
  }

  void submit(std::string request, std::function<void(const std::string&)> done) {
    local_.push_back({std::move(request), std::move(done)});
    if (local_.size() == 1) boost::asio::post(io_, [this] { drain(); });
  }

  void on_publish(std::function<void(const std::vector<Publication>&)> observer) {
    observers_.push_back(std::move(observer));
  }

  std::string cmd_bound_, pub_bound_;

 private:
  void wait_readable() {
    if (!running_) return;
    // Edge-triggered: only sleep when ZeroMQ says nothing is waiting.
    if (router_.get(zmq::sockopt::events) & ZMQ_POLLIN) {
      boost::asio::post(io_, [this] { drain(); });
      return;
    }
    router_fd_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [this](const boost::system::error_code& ec) {
                            if (!ec) drain();
                          });
  }

  void drain() {
    if (!running_) return;
    envelopes_.clear();
    const core::TimeUs now = wall_clock_us();
    // Requests from inside the process first: their replies are the first
    // ones of the batch.
    std::vector<Local> local;
    local.swap(local_);
    for (const Local& l : local) engine_.handle(protocol::as_bytes(l.request), now);
    std::size_t n = local.size();
    while (n < options_.max_batch) {
      frames_.clear();
      // A request is [identity][(empty delimiter from REQ)][payload].
      while (true) {
        zmq::message_t frame;
        if (!router_.recv(frame, zmq::recv_flags::dontwait)) break;
        const bool more = frame.more();
        frames_.push_back(std::move(frame));
        if (!more) break;
      }
      if (frames_.empty()) break;
      zmq::message_t& payload = frames_.back();
      engine_.handle({static_cast<const std::uint8_t*>(payload.data()), payload.size()}, now);
      frames_.pop_back();
      envelopes_.push_back(std::move(frames_));
      frames_.clear();
      ++n;
    }
    if (n > 0) {
      engine_.commit();
      const auto& replies = engine_.replies();
      for (std::size_t i = 0; i < local.size() && i < replies.size(); ++i) local[i].done(replies[i]);
      send_replies(local.size());
      publish(engine_.publications());
      engine_.maintain();
    }
    wait_readable();
  }

  void send_replies(std::size_t skip) {
    const auto& replies = engine_.replies();
    for (std::size_t i = 0; i + skip < replies.size() && i < envelopes_.size(); ++i) {
      for (zmq::message_t& part : envelopes_[i]) router_.send(part, zmq::send_flags::sndmore);
      router_.send(zmq::buffer(replies[i + skip]), zmq::send_flags::none);
    }
  }

  void publish(const std::vector<Publication>& pubs) {
    for (const Publication& p : pubs) {
      pub_.send(zmq::buffer(p.topic), zmq::send_flags::sndmore);
      pub_.send(zmq::buffer(p.bytes), zmq::send_flags::none);
    }
    if (!pubs.empty())
      for (const auto& observer : observers_) observer(pubs);
  }

  void schedule_tick() {
    if (!running_) return;
    timer_.expires_after(std::chrono::milliseconds(options_.heartbeat_ms));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !running_) return;
      const core::TimeUs now = wall_clock_us();
      engine_.tick(now);
      engine_.commit();
      publish(engine_.publications());
      publish(engine_.heartbeats(now));
      engine_.maintain();
      schedule_tick();
    });
  }

  boost::asio::io_context& io_;
  Engine& engine_;
  ServerOptions options_;
  zmq::context_t ctx_;
  zmq::socket_t router_;
  zmq::socket_t pub_;
  boost::asio::posix::stream_descriptor router_fd_;
  boost::asio::steady_timer timer_;
  bool running_ = false;
  std::vector<zmq::message_t> frames_;
  std::vector<std::vector<zmq::message_t>> envelopes_;
  struct Local {
    std::string request;
    std::function<void(const std::string&)> done;
  };
  std::vector<Local> local_;
  std::vector<std::function<void(const std::vector<Publication>&)>> observers_;
};

Server::Server(boost::asio::io_context& io, Engine& engine, ServerOptions options)
    : impl_(std::make_unique<Impl>(io, engine, std::move(options))) {}
Server::~Server() = default;
void Server::start() { impl_->start(); }
void Server::stop() { impl_->stop(); }
void Server::submit(std::string request, std::function<void(const std::string&)> done) {
  impl_->submit(std::move(request), std::move(done));
}
void Server::on_publish(std::function<void(const std::vector<Publication>&)> observer) {
  impl_->on_publish(std::move(observer));
}
const std::string& Server::cmd_endpoint() const { return impl_->cmd_bound_; }
const std::string& Server::pub_endpoint() const { return impl_->pub_bound_; }

}  // namespace hallq::server
