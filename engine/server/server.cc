// ZeroMQ in an Asio loop: the ROUTER's ZMQ_FD is edge-triggered, so after every
// wake (and after every send, which may consume a notification) the socket is
// drained until ZMQ_EVENTS no longer says POLLIN before waiting again.
//
// With keys, a request's identity is the ZAP User-Id that libzmq attaches as
// metadata to every frame received over that connection; the server decodes
// the request once more (cheap next to the commit) to check it before the
// engine sees it, and keeps each reply in arrival order.
#include "engine/server/server.h"

#include <fmt/format.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <vector>
#include <zmq.hpp>

#include "engine/keys/key_registry.h"
#include "engine/protocol/message.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/server/access_policy.h"
#include "engine/server/engine.h"
#include "engine/server/zap_handler.h"
#include "engine/time/engine_clock.h"
#include "engine/time/system_clock.h"

namespace hallq::server {
namespace {

void set_z85_option(zmq::socket_t& socket, int option, const std::string& key) {
  // 41 bytes: Z85 text with its terminating NUL, as libzmq expects.
  if (zmq_setsockopt(socket.handle(), option, key.c_str(), key.size() + 1) != 0) throw zmq::error_t();
}

// Logs every refusal of a key up to this many, then one in kLogEvery: a
// device stuck retrying a forbidden command must not flood the log.
constexpr std::uint64_t kLogFirst = 20;
constexpr std::uint64_t kLogEvery = 1000;

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
    if (options_.wall_clock == nullptr) options_.wall_clock = &time::system_clock();
    if (options_.time_scale > 0)
      clock_ = time::EngineClock::simulated(options_.time_scale, options_.time_start);
    router_.set(zmq::sockopt::linger, 0);
    router_.set(zmq::sockopt::router_mandatory, 0);
    router_.set(zmq::sockopt::rcvhwm, 0);  // never drop commands
    router_.set(zmq::sockopt::sndhwm, 0);
    pub_.set(zmq::sockopt::linger, 1000);
    pub_.set(zmq::sockopt::sndhwm, options_.pub_hwm);
    if (options_.keys) {
      if (options_.curve_secret_key.empty())
        throw std::invalid_argument("CURVE keys without the engine's secret key");
      zap_ = std::make_unique<ZapHandler>(ctx_, options_.keys);
      for (zmq::socket_t* s : {&router_, &pub_}) {
        s->set(zmq::sockopt::curve_server, 1);
        set_z85_option(*s, ZMQ_CURVE_SECRETKEY, options_.curve_secret_key);
        s->set(zmq::sockopt::zap_domain, "hallq");
      }
    }
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

  core::TimeUs now() { return clock_.now(*options_.wall_clock); }

  void start() {
    (void)now();  // the clock's first reading: simulated time starts here
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

  Server::SecurityCounters security_counters() const { return {forbidden_, zap_ ? zap_->refused() : 0}; }

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
    const core::TimeUs now = this->now();
    // Requests from inside the process first: their replies are the first
    // ones of the batch.
    std::vector<Local> local;
    local.swap(local_);
    for (const Local& l : local) engine_.handle(protocol::as_bytes(l.request), now);
    std::size_t n = local.size();
    std::size_t handled = n;  // requests the engine got (the rest were forbidden)
    denied_.clear();
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
      const protocol::Bytes bytes{static_cast<const std::uint8_t*>(payload.data()), payload.size()};
      std::string refusal;
      if (options_.keys) refusal = check(payload, bytes);
      if (refusal.empty()) {
        engine_.handle(bytes, now);
        ++handled;
      }
      if (options_.keys) denied_.push_back(std::move(refusal));
      frames_.pop_back();
      envelopes_.push_back(std::move(frames_));
      frames_.clear();
      ++n;
    }
    if (handled > 0) {
      engine_.commit();
      note_storage();
      const auto& replies = engine_.replies();
      for (std::size_t i = 0; i < local.size() && i < replies.size(); ++i) local[i].done(replies[i]);
    }
    if (n > 0) send_replies(local.size(), handled > 0);
    if (handled > 0) {
      publish(engine_.publications());
      engine_.maintain();
    }
    wait_readable();
  }

  // The reply to send instead of handling the request ("" to handle it):
  // `forbidden` when the connection's key may not make this request.
  std::string check(const zmq::message_t& payload, protocol::Bytes bytes) {
    const char* user = zmq_msg_gets(payload.handle(), "User-Id");
    const keys::KeyEntry* key = user != nullptr ? options_.keys->by_name(user) : nullptr;
    protocol::DecodedRequest request;
    // Anything that does not decode goes to the engine, which answers it as
    // malformed; an unauthenticated peer cannot get here (ZAP refused it).
    if (bytes.size() > protocol::kMaxRequestBytes ||
        protocol::inspect(bytes) != protocol::MessageKind::kRequest ||
        !protocol::decode_request(bytes, request).ok())
      return {};
    core::Status st =
        key == nullptr
            ? core::Status(core::ErrorCode::kForbidden, "无权执行此操作：connection without an enrolled key")
            : authorize(*key, request, [this](std::string_view hall, std::string_view number) {
                return ticket_window(hall, number);
              });
    if (st.ok()) return {};
    ++forbidden_;
    const std::string who =
        key ? fmt::format("{} {}", to_string(key->role), key->name) : std::string("unknown");
    const std::uint64_t count = ++forbidden_by_key_[key ? key->name : std::string()];
    if (count <= kLogFirst || count % kLogEvery == 0)
      std::cerr << fmt::format("hallqd: forbidden ({} from this key): {} -> hall {}: {}", count, who,
                               request.hall, st.message())
                << std::endl;
    protocol::ReplySpec spec;
    spec.request_id = request.request_id;
    spec.code = st.code();
    spec.message = st.message();
    return protocol::encode_reply(spec);
  }

  std::string_view ticket_window(std::string_view hall_id, std::string_view number) const {
    const core::Hall* hall = engine_.hall(hall_id);
    if (hall == nullptr) return {};
    const core::Ticket* t = hall->find_number(number);
    if (t == nullptr || t->window >= hall->config().windows.size()) return {};
    return hall->config().windows[t->window].id;
  }

  // Replies to the ROUTER's requests of this batch, in arrival order: the
  // engine's (after `skip` local ones) or the forbidden ones made above.
  void send_replies(std::size_t skip, bool committed) {
    static const std::vector<std::string> kNone;
    const auto& replies = committed ? engine_.replies() : kNone;
    std::size_t next = skip;
    for (std::size_t i = 0; i < envelopes_.size(); ++i) {
      const bool denied = i < denied_.size() && !denied_[i].empty();
      if (!denied && next >= replies.size()) break;
      const std::string& reply = denied ? denied_[i] : replies[next++];
      for (zmq::message_t& part : envelopes_[i]) router_.send(part, zmq::send_flags::sndmore);
      router_.send(zmq::buffer(reply), zmq::send_flags::none);
    }
  }

  // Logs when commits start failing (disk full, map at its limit) and when
  // they work again, not every refusal in between.
  void note_storage() {
    const std::string& problem = engine_.storage_problem();
    if (problem == logged_storage_problem_) return;
    const std::uint64_t failures = engine_.counters().storage_failures;
    std::cerr.clear();  // a write to a full disk may have failed before
    if (problem.empty())
      std::cerr << fmt::format("hallqd: storage works again ({} batches refused meanwhile)\n",
                               failures - failures_logged_);
    else
      std::cerr << fmt::format("hallqd: storage failing, commands refused until it recovers: {}\n", problem);
    std::cerr.flush();
    logged_storage_problem_ = problem;
    failures_logged_ = problem.empty() ? failures : failures - 1;  // count the first refusal too
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
      const core::TimeUs now = this->now();
      engine_.tick(now);
      engine_.commit();
      note_storage();
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
  std::unique_ptr<ZapHandler> zap_;  // before the sockets: stopped after they close
  zmq::socket_t router_;
  zmq::socket_t pub_;
  boost::asio::posix::stream_descriptor router_fd_;
  boost::asio::steady_timer timer_;
  bool running_ = false;
  std::vector<zmq::message_t> frames_;
  std::vector<std::vector<zmq::message_t>> envelopes_;
  std::vector<std::string> denied_;  // per envelope: its forbidden reply, or "" (keys only)
  std::uint64_t forbidden_ = 0;
  time::EngineClock clock_;
  std::string logged_storage_problem_;
  std::uint64_t failures_logged_ = 0;
  std::map<std::string, std::uint64_t> forbidden_by_key_;
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
Server::SecurityCounters Server::security_counters() const { return impl_->security_counters(); }
core::TimeUs Server::now() { return impl_->now(); }
const std::string& Server::cmd_endpoint() const { return impl_->cmd_bound_; }
const std::string& Server::pub_endpoint() const { return impl_->pub_bound_; }

}  // namespace hallq::server
