// ZeroMQ in an Asio loop: the ROUTER's ZMQ_FD is edge-triggered, so after every
// wake (and after every send, which may consume a notification) the socket is
// drained until ZMQ_EVENTS no longer says POLLIN before waiting again.
//
// The commit is pipelined (engine.h): while one batch is written by the
// engine's commit thread, requests are read and applied into the next; when
// the write ends (posted back here) its replies go out, its events are
// published, and the next batch is sealed at once. Every reply waits for its
// own batch's durable write; replies leave in arrival order.
//
// With keys, a request's identity is the ZAP User-Id that libzmq attaches as
// metadata to every frame received over that connection; the server decodes
// the request once more (cheap next to the commit) to check it before the
// engine sees it, and keeps each reply in arrival order.
//
// The events socket is an XPUB with manual subscriptions: a subscriber's
// (un)subscription arrives as a message carrying the same metadata, and
// libzmq applies a ZMQ_SUBSCRIBE / ZMQ_UNSUBSCRIBE set on the socket to the
// connection that sent the message read last, so each message is read and
// answered before the next (event_scope.h decides the topics). A peer that
// leaves takes its subscriptions with it (libzmq then hands out
// unsubscriptions without metadata, which apply to nobody). Its descriptor is
// edge-triggered like the ROUTER's: after every send it is checked again.
// Subscriptions waiting are applied before each publication, so that a
// subscriber that has just asked for a snapshot misses no event after it.
//
// libzmq 4.3.4 (Debian 12) lacks upstream fix #4137: a subscription read
// after its connection has already gone is applied to the gone connection.
// Applying what waits before each publication narrows that to a peer that
// subscribes and disconnects within one read of the socket (SECURITY.md).
#include "engine/server/server.h"

#include <fmt/format.h>
#include <malloc.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <deque>
#include <iostream>
#include <map>
#include <set>
#include <vector>
#include <zmq.hpp>

#include "engine/keys/key_registry.h"
#include "engine/protocol/message.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/server/access_policy.h"
#include "engine/server/engine.h"
#include "engine/server/event_scope.h"
#include "engine/server/peer_limits.h"
#include "engine/server/replication_gate.h"
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

// Subscription messages applied per turn of the loop: one peer flooding
// them shares the thread with the commands, the commits and the timers.
constexpr int kSubscriptionsPerTurn = 256;

}  // namespace

class Server::Impl {
  // Where each reply of the batches in flight and open goes, in order: a
  // ROUTER envelope, or a local request's callback.
  struct Destination {
    std::vector<zmq::message_t> envelope;
    std::function<void(const std::string&)> done;
    // --ack replicated, a command's: what its reply is settled by.
    std::string hall, request_id;
    bool command = false;
  };
  // --ack replicated: durable batches waiting for the stream, in order.
  struct Held {
    std::uint64_t number = 0;
    std::chrono::steady_clock::time_point deadline;
    std::vector<std::string> replies;
    std::vector<Destination> destinations;
    std::vector<Publication> publications;
  };

 public:
  // A request or audit record from inside the process (the HTTP API).
  struct Local {
    enum Kind { kRequest, kAudited, kAudit } kind;
    std::string bytes;                                       // the encoded request, or the record (kAudit)
    std::function<void(const std::string&)> done;            // kRequest: the reply; kAudit: the failure
    std::function<std::string(const core::Status&)> record;  // kAudited
    std::function<void(const std::string& reply, const std::string& failure)> audited;  // kAudited
  };

  Impl(boost::asio::io_context& io, Engine& engine, ServerOptions options)
      : io_(io),
        engine_(engine),
        options_(std::move(options)),
        ctx_(1),
        router_(ctx_, zmq::socket_type::router),
        pub_(ctx_, zmq::socket_type::xpub),
        router_in_{router_, boost::asio::posix::stream_descriptor(io)},
        pub_in_{pub_, boost::asio::posix::stream_descriptor(io)},
        timer_(io),
        hall_ids_(engine.hall_ids()),
        ack_timer_(io) {
    if (options_.wall_clock == nullptr) options_.wall_clock = &time::system_clock();
    if (options_.time_scale > 0)
      clock_ = time::EngineClock::simulated(options_.time_scale, options_.time_start);
    router_.set(zmq::sockopt::linger, 0);
    // Bounded per peer (issue 16): a peer that sends faster than the engine
    // reads is held back by TCP once cmd_rcvhwm requests wait (nothing is
    // dropped); a reply to a peer with cmd_sndhwm replies unread is dropped and
    // counted (mandatory + DONTWAIT: EAGAIN instead of blocking, EHOSTUNREACH
    // for a peer gone); a message over max_message_bytes disconnects the peer.
    router_.set(zmq::sockopt::router_mandatory, 1);
    router_.set(zmq::sockopt::rcvhwm, options_.cmd_rcvhwm);
    router_.set(zmq::sockopt::sndhwm, options_.cmd_sndhwm);
    router_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(options_.max_message_bytes));
    pub_.set(zmq::sockopt::linger, 1000);
    pub_.set(zmq::sockopt::xpub_manual, 1);
    pub_.set(zmq::sockopt::sndhwm, options_.pub_hwm);
    pub_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(options_.max_message_bytes));
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
    router_in_.fd.assign(router_.get(zmq::sockopt::fd));
    pub_in_.fd.assign(pub_.get(zmq::sockopt::fd));
  }

  ~Impl() {
    engine_.set_on_durable(nullptr);
    if (options_.replication != nullptr) options_.replication->set_on_progress(nullptr);
    // The descriptors belong to ZeroMQ: do not let Asio close them.
    boost::system::error_code ignored;
    for (Readable* r : {&router_in_, &pub_in_}) {
      r->fd.cancel(ignored);
      r->fd.release();
    }
  }

  core::TimeUs now() { return clock_.now(*options_.wall_clock); }

  void start() {
    (void)now();  // the clock's first reading: simulated time starts here
    running_ = true;
    engine_.set_on_durable([this] { boost::asio::post(io_, [this] { on_durable(); }); });
    if (options_.replication != nullptr && options_.ack_replicated)
      options_.replication->set_on_progress([this] { boost::asio::post(io_, [this] { release_held(); }); });
    wait_readable();
    wait_subscriptions();
    schedule_tick();
  }

  void stop() {
    if (!running_) return;
    running_ = false;
    boost::system::error_code ignored;
    router_in_.fd.cancel(ignored);
    pub_in_.fd.cancel(ignored);
    timer_.cancel();
    ack_timer_.cancel();
  }

  void submit(Local local) {
    local_.push_back(std::move(local));
    if (local_.size() == 1) boost::asio::post(io_, [this] { drain(); });
  }

  void flush() {
    if (running_) start_next();
  }

  void on_publish(std::function<void(const std::vector<Publication>&)> observer) {
    observers_.push_back(std::move(observer));
  }

  Server::SecurityCounters security_counters() const { return {forbidden_, zap_ ? zap_->refused() : 0}; }
  const Server::EdgeCounters& edge_counters() const { return edge_; }

  void settle() {
    // Called while replies are being delivered (a reply's handler that reads
    // the halls or the store): only the store must be idle.
    if (delivering_) return engine_.wait_idle();
    if (running_) take_local(now());
    while (engine_.in_flight() || engine_.has_open()) {
      if (engine_.in_flight()) {
        engine_.wait_durable();
        finish_batch();
      } else {
        start_next();
      }
    }
    engine_.wait_idle();
    wait_readable();  // a full batch may have stopped the reading
  }

  std::string cmd_bound_, pub_bound_;

 private:
  // A ZeroMQ socket's descriptor in the loop. It is edge-triggered: it
  // fires when the socket's state may have changed, and any send or receive
  // may take that wake-up; so the handler is posted at once when ZeroMQ says
  // input is waiting, and the descriptor is awaited only when none is.
  struct Readable {
    zmq::socket_t& socket;
    boost::asio::posix::stream_descriptor fd;
    bool armed = false;   // an async_wait on fd is outstanding
    bool posted = false;  // the handler is posted
  };

  void post_once(Readable& r, void (Impl::*handler)()) {
    if (r.posted) return;
    r.posted = true;
    boost::asio::post(io_, [this, &r, handler] {
      r.posted = false;
      (this->*handler)();
    });
  }

  void wait_for(Readable& r, void (Impl::*handler)()) {
    if (!running_) return;
    if (r.socket.get(zmq::sockopt::events) & ZMQ_POLLIN) return post_once(r, handler);
    if (r.armed) return;
    r.armed = true;
    r.fd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [this, &r, handler](const boost::system::error_code& ec) {
                      r.armed = false;
                      if (!ec) (this->*handler)();
                    });
  }

  void wait_readable() { wait_for(router_in_, &Impl::drain); }

  // Reads what is waiting into the open batch (up to max_batch requests),
  // and seals it if nothing is in flight.
  void drain() {
    if (!running_) return;
    const core::TimeUs now = this->now();
    take_local(now);
    while (engine_.open_requests() < options_.max_batch) {
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
      // Decoded here too (cheap next to the commit): for the peer's limits and the key's role.
      protocol::DecodedRequest request;
      const bool decoded = bytes.size() <= protocol::kMaxRequestBytes &&
                           protocol::inspect(bytes) == protocol::MessageKind::kRequest &&
                           protocol::decode_request(bytes, request).ok();
      std::string refusal = limit(frames_.front(), decoded ? &request : nullptr);
      const keys::KeyEntry* key = options_.keys ? key_of(payload) : nullptr;
      if (refusal.empty() && options_.keys && decoded) refusal = check(key, request);
      if (refusal.empty() && decoded) refusal = socket_check(key, request);
      if (refusal.empty() && decoded) refusal = replication_refusal(request);
      Destination d{{}, nullptr};
      if (decoded && request.kind == protocol::RequestKind::kCommand && options_.ack_replicated) {
        d.hall = request.hall;
        d.request_id = request.request_id;
        d.command = true;
      }
      // Without keys (loopback only) every peer is trusted; with keys only
      // the roles that see personal data get it in snapshots and replies.
      const bool withhold = options_.keys && (key == nullptr || !keys::role_sees_personal_data(key->role));
      if (refusal.empty())
        engine_.handle(bytes, now,
                       withhold ? protocol::PersonalData::kWithhold : protocol::PersonalData::kInclude);
      else
        engine_.handle_ready(std::move(refusal));
      frames_.pop_back();
      d.envelope = std::move(frames_);
      destinations_.push_back(std::move(d));
      frames_.clear();
    }
    start_next();
    // A full open batch waits for the one in flight; on_durable reads on.
    if (engine_.open_requests() < options_.max_batch) wait_readable();
  }

  // Requests and audit records from inside the process into the open batch.
  void take_local(core::TimeUs now) {
    std::vector<Local> local;
    local.swap(local_);
    for (Local& l : local) {
      Destination d{{}, nullptr};
      if (l.kind != Local::kAudit && options_.replication != nullptr) {
        protocol::DecodedRequest request;
        const protocol::Bytes bytes = protocol::as_bytes(l.bytes);
        if (protocol::inspect(bytes) == protocol::MessageKind::kRequest &&
            protocol::decode_request(bytes, request).ok()) {
          std::string refusal = replication_refusal(request);
          if (!refusal.empty()) {
            // Not applied: answered at once (a local request's order is its callback's).
            if (l.kind == Local::kRequest)
              boost::asio::post(io_, [done = std::move(l.done), refusal] { done(refusal); });
            else
              boost::asio::post(io_, [done = std::move(l.audited), refusal] { done(refusal, {}); });
            continue;
          }
          if (request.kind == protocol::RequestKind::kCommand && options_.ack_replicated) {
            d.hall = request.hall;
            d.request_id = request.request_id;
            d.command = true;
          }
        }
      }
      if (l.kind == Local::kAudit) {
        engine_.handle_audit(std::move(l.bytes));
      } else if (l.kind == Local::kRequest) {
        engine_.handle(protocol::as_bytes(l.bytes), now);
      } else {
        engine_.handle_audited(protocol::as_bytes(l.bytes), now, l.record);
        // Two entries in replies(): the request's, then its record's.
        auto reply = std::make_shared<std::string>();
        d.done = [reply](const std::string& r) { *reply = r; };
        destinations_.push_back(std::move(d));
        destinations_.push_back({{}, [reply, done = std::move(l.audited)](const std::string& failure) {
                                   done(*reply, failure);
                                 }});
        continue;
      }
      d.done = std::move(l.done);
      destinations_.push_back(std::move(d));
    }
  }

  // Seals the open batch if nothing is in flight (one without events to
  // write is answered at once).
  void start_next() {
    if (engine_.in_flight() || !engine_.has_open()) return;
    // A lone request has nothing to overlap its write with: written on this
    // thread, it saves waking the commit thread and being woken by it.
    engine_.seal(options_.commit_here && engine_.open_requests() <= 1);
    peer_limits_.batch_sealed();
    finish_batch();
  }

  void on_durable() {
    if (!finish_batch()) return;
    start_next();
    wait_readable();
  }

  // If the batch in flight is durable (or failed): its replies and events out.
  bool finish_batch() {
    if (!engine_.complete()) return false;
    note_storage();
    const auto& replies = engine_.replies();
    if (options_.replication != nullptr && options_.ack_replicated) {
      hold(replies, engine_.publications());
      return true;
    }
    delivering_ = true;
    for (const std::string& reply : replies) {
      Destination d = std::move(destinations_.front());
      destinations_.pop_front();
      if (d.done) {
        d.done(reply);
        continue;
      }
      send_reply(d.envelope, reply);
    }
    delivering_ = false;
    publish(engine_.publications());
    return true;
  }

  // --ack replicated: a durable batch waits for the stream before its
  // replies and events leave (release_held), in order.
  void hold(const std::vector<std::string>& replies, const std::vector<Publication>& pubs) {
    Held h;
    h.replies = replies;
    h.destinations.reserve(replies.size());
    for (std::size_t i = 0; i < replies.size(); ++i) {
      h.destinations.push_back(std::move(destinations_.front()));
      destinations_.pop_front();
    }
    h.publications = pubs;
    h.number = options_.replication->enqueue(h.publications);
    h.deadline = std::chrono::steady_clock::now() + options_.ack_timeout;
    if (replication_down_) {
      // Nothing in it was applied but the engine's own events (ticks): out at once.
      deliver(h, Settled::kConfirmed);
      return;
    }
    held_.push_back(std::move(h));
    release_held();
  }

  void release_held() {
    if (!running_ && held_.empty()) return;
    const ReplicationGate::Progress p = options_.replication->progress();
    const auto now = std::chrono::steady_clock::now();
    while (!held_.empty()) {
      Held& h = held_.front();
      if (h.number <= p.confirmed_through) {
        deliver(h, Settled::kConfirmed);
      } else if (now >= h.deadline) {
        if (!replication_down_)
          std::cerr << fmt::format(
                           "hallqd: replication: the stream has not confirmed a batch within {} ms; commands "
                           "are refused (replication_unavailable) until it has taken everything committed\n",
                           options_.ack_timeout.count())
                    << std::flush;
        replication_down_ = true;
        deliver(h, Settled::kTimedOut);
      } else {
        break;
      }
      held_.pop_front();
    }
    if (replication_down_ && held_.empty() && p.available && p.confirmed_through >= p.last_enqueued) {
      replication_down_ = false;
      std::cerr << "hallqd: replication: the stream holds everything committed again; commands accepted\n"
                << std::flush;
    }
    if (held_.empty()) return;
    ack_timer_.expires_at(held_.front().deadline);
    ack_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) release_held();
    });
  }

  enum class Settled { kConfirmed, kTimedOut };

  void deliver(Held& h, Settled how) {
    delivering_ = true;
    for (std::size_t i = 0; i < h.replies.size(); ++i) {
      Destination& d = h.destinations[i];
      std::string& reply = h.replies[i];
      if (d.command) settle_reply(d, how, reply);
      if (d.done) {
        d.done(reply);
        continue;
      }
      send_reply(d.envelope, reply);
    }
    delivering_ = false;
    publish(h.publications);
    // The replies were sent on the command socket, whose descriptor is
    // edge-triggered: a request that arrived meanwhile may have used up its
    // wake-up (--ack replicated delivers here, outside a drain; without this
    // check its clients waited for ever).
    wait_readable();
  }

  // An applied command whose events the stream did not take: its reply says
  // so instead of the outcome (a refusal stays as it is).
  void settle_reply(const Destination& d, Settled how, std::string& reply) {
    ReplicationGate::Fence fence;
    const bool fenced = options_.replication->fenced(d.hall, &fence);
    // A hall handed over gracefully: whatever was applied here is in the stream.
    if (how == Settled::kConfirmed && (!fenced || fence.handed_over_seq > 0)) return;
    if (protocol::decode_reply(protocol::as_bytes(reply)).code != core::ErrorCode::kOk) return;
    reply = fenced ? not_owner_reply(d.request_id, d.hall, fence)
                   : refusal_reply(d.request_id,
                                   core::Status(core::ErrorCode::kReplicationUnavailable,
                                                "集群未在时限内确认：命令已在本机记录，集群恢复后自动同步；"
                                                "用同一请求号重试可得到它的结果"));
  }

  // not_owner, naming the engine that serves the hall and its endpoint in
  // the reply's fields too (clients follow them, engine/client/client.h).
  // "接管" only for a hall taken over from this engine; a standby names the
  // owner that simply serves it.
  static std::string not_owner_reply(std::string_view request_id, std::string_view hall,
                                     const ReplicationGate::Fence& fence, bool moving = false) {
    const std::string text = not_owner_text(hall, fence, moving);  // the spec's fields are views
    protocol::ReplySpec spec;
    spec.request_id = request_id;
    spec.code = core::ErrorCode::kNotOwner;
    spec.message = text;
    spec.owner_engine = fence.engine;
    spec.owner_endpoint = fence.endpoint;
    return protocol::encode_reply(spec);
  }

 public:
  static std::string not_owner_text(std::string_view hall, const ReplicationGate::Fence& fence,
                                    bool moving = false) {
    std::string text;
    if (moving)
      text = fmt::format("大厅 {} 正在移交给引擎 {}（地址 {}），本机不再受理，请到新引擎办理", hall,
                         fence.engine, fence.endpoint);
    else if (fence.taken_over)
      text = fmt::format("大厅 {} 已由另一台引擎接管，本机不再受理（{}）", hall, fence.why);
    else if (fence.engine.empty())
      text = fmt::format("大厅 {} 由另一台引擎服务，本机为备用引擎，不受理命令", hall);
    else if (fence.endpoint.empty())
      text = fmt::format("大厅 {} 由引擎 {} 服务，本机为备用引擎，不受理命令", hall, fence.engine);
    else
      text = fmt::format("大厅 {} 由引擎 {} 服务（地址 {}），本机为备用引擎，不受理命令", hall, fence.engine,
                         fence.endpoint);
    return text;
  }

  std::string stale_reason(std::string_view hall) const {
    ReplicationGate::Fence fence;
    if (options_.replication == nullptr || !options_.replication->stale(hall, &fence)) return {};
    return not_owner_text(hall, fence);
  }

 private:
  // The reply to send instead of handling a request because of replication
  // ("" to handle it): a stale hall's snapshots (ReplicationGate::stale), a fenced hall's commands, with
  // lease_strict a hall's commands while its lease is expired and not renewed, and every command while the
  // stream has not taken what was committed (--ack replicated).
  std::string replication_refusal(const protocol::DecodedRequest& request) {
    if (options_.replication == nullptr) return {};
    ReplicationGate::Fence fence;
    // A hall neither served nor followed here: its state stopped when it was fenced.
    if (request.kind == protocol::RequestKind::kSnapshot && options_.replication->stale(request.hall, &fence))
      return not_owner_reply(request.request_id, request.hall, fence);
    if (request.kind != protocol::RequestKind::kCommand) return {};
    if (options_.replication->fenced(request.hall, &fence))
      return not_owner_reply(request.request_id, request.hall, fence);
    if (options_.replication->handing_over(request.hall, &fence))
      return not_owner_reply(request.request_id, request.hall, fence, /*moving=*/true);
    if (options_.lease_strict && options_.replication->lease_lapsed(request.hall))
      return refusal_reply(
          request.request_id,
          core::Status(core::ErrorCode::kReplicationUnavailable,
                       fmt::format("大厅 {} 的服务租约已到期、暂未能续期（集群暂不可用）：命令未执行，"
                                   "续期后自动恢复，请稍后重试",
                                   request.hall)));
    if (options_.ack_replicated && replication_down_)
      return refusal_reply(request.request_id,
                           core::Status(core::ErrorCode::kReplicationUnavailable,
                                        "集群暂不可用：命令未执行，恢复后自动继续，请稍后重试"));
    return {};
  }

  // Never blocks: a peer whose queue is full (it does not read its replies)
  // or that is gone loses the reply, counted.
  void send_reply(std::vector<zmq::message_t>& envelope, const std::string& reply) {
    for (std::size_t i = 0; i < envelope.size(); ++i) {
      if (zmq_msg_send(envelope[i].handle(), router_.handle(), ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0) continue;
      if (i == 0 && (zmq_errno() == EAGAIN || zmq_errno() == EHOSTUNREACH)) {
        ++(zmq_errno() == EAGAIN ? edge_.replies_dropped : edge_.replies_unroutable);
        return;
      }
      throw zmq::error_t();
    }
    if (zmq_send(router_.handle(), reply.data(), reply.size(), ZMQ_DONTWAIT) < 0) throw zmq::error_t();
  }

  // The enrolled key of the connection a message came from (with keys), or null.
  const keys::KeyEntry* key_of(const zmq::message_t& payload) const {
    const char* user = zmq_msg_gets(payload.handle(), "User-Id");
    return user != nullptr ? options_.keys->by_name(user) : nullptr;
  }

  // The reply to send instead of handling the request ("" to handle it):
  // `forbidden` when the connection's key may not make this request.
  // Anything that does not decode goes to the engine, which answers it as
  // malformed; an unauthenticated peer cannot get here (ZAP refused it).
  std::string check(const keys::KeyEntry* key, const protocol::DecodedRequest& request) {
    return forbidden_reply(
        key, request,
        key == nullptr
            ? core::Status(core::ErrorCode::kForbidden, "无权执行此操作：connection without an enrolled key")
            : authorize(*key, request, [this](std::string_view hall, std::string_view number) {
                return ticket_window(hall, number);
              }));
  }

  // The reply to send instead of handling the request ("" to handle it):
  // `forbidden` for what no peer of this socket may send (socket_may_send).
  std::string socket_check(const keys::KeyEntry* key, const protocol::DecodedRequest& request) {
    return forbidden_reply(key, request, socket_may_send(request));
  }

  // "" if `st` is ok; else the refusal, counted and logged (the first few of a key, then every kLogEvery-th).
  std::string forbidden_reply(const keys::KeyEntry* key, const protocol::DecodedRequest& request,
                              const core::Status& st) {
    if (st.ok()) return {};
    ++forbidden_;
    const std::string who = key ? fmt::format("{} {}", to_string(key->role), key->name)
                                : std::string(options_.keys ? "unknown" : "a peer (no keys)");
    const std::uint64_t count = ++forbidden_by_key_[key ? key->name : std::string()];
    if (count <= kLogFirst || count % kLogEvery == 0)
      std::cerr << fmt::format("hallqd: forbidden ({} from this key): {} -> hall {}: {}", count, who,
                               request.hall, st.message())
                << std::endl;
    return refusal_reply(request.request_id, st);
  }

  static std::string refusal_reply(std::string_view request_id, const core::Status& st) {
    protocol::ReplySpec spec;
    spec.request_id = request_id;
    spec.code = st.code();
    spec.message = st.message();
    return protocol::encode_reply(spec);
  }

  // The reply to send instead of handling the request ("" to handle it):
  // the peer (its routing id) has spent its share of snapshots.
  std::string limit(const zmq::message_t& routing_id, const protocol::DecodedRequest* request) {
    const bool snapshot = request != nullptr && request->kind == protocol::RequestKind::kSnapshot;
    const auto verdict =
        peer_limits_.admit(std::string_view(static_cast<const char*>(routing_id.data()), routing_id.size()),
                           snapshot, steady_us());
    if (verdict == PeerLimits::Verdict::kOk) return {};
    const std::string_view id = request != nullptr ? request->request_id : std::string_view();
    ++edge_.snapshots_refused;
    return refusal_reply(id, core::Status(core::ErrorCode::kLimitReached,
                                          fmt::format("快照请求过于频繁（每个连接每秒 {} 次）",
                                                      peer_limits_.options().snapshots_per_s)));
  }

  static std::int64_t steady_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  std::string_view ticket_window(std::string_view hall_id, std::string_view number) const {
    const core::Hall* hall = engine_.hall(hall_id);
    if (hall == nullptr) return {};
    const core::Ticket* t = hall->find_number(number);
    if (t == nullptr || t->window >= hall->config().windows.size()) return {};
    return hall->config().windows[t->window].id;
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
    if (!pubs.empty()) apply_subscriptions();
    for (const Publication& p : pubs) {
      if (!p.withheld.empty()) {
        // In full for the keys that may see personal data, then for everyone
        // else without it; a subscriber of both drops the second (same seq).
        pub_.send(zmq::buffer(p.private_topic), zmq::send_flags::sndmore);
        pub_.send(zmq::buffer(p.bytes), zmq::send_flags::none);
        pub_.send(zmq::buffer(p.topic), zmq::send_flags::sndmore);
        pub_.send(zmq::buffer(p.withheld), zmq::send_flags::none);
        continue;
      }
      pub_.send(zmq::buffer(p.topic), zmq::send_flags::sndmore);
      pub_.send(zmq::buffer(p.bytes), zmq::send_flags::none);
    }
    if (!pubs.empty()) {
      wait_subscriptions();  // the sends may have taken the descriptor's wake-up
      for (const auto& observer : observers_) observer(pubs);
    }
  }

  // Like wait_readable(), for the subscriptions arriving on the events socket.
  void wait_subscriptions() { wait_for(pub_in_, &Impl::on_subscriptions); }

  void on_subscriptions() {
    if (apply_subscriptions()) wait_subscriptions();
  }

  // Reads and applies up to kSubscriptionsPerTurn (un)subscriptions; true if
  // none is left waiting, else a further turn is posted.
  bool apply_subscriptions() {
    for (int n = 0; n < kSubscriptionsPerTurn; ++n) {
      zmq::message_t msg;
      if (!pub_.recv(msg, zmq::recv_flags::dontwait)) return true;
      apply_subscription(msg);
    }
    if (running_) post_once(pub_in_, &Impl::on_subscriptions);
    return false;
  }

  // One message read from the XPUB: [1|0][topic] (subscribe|unsubscribe).
  // Must be answered before the next read (libzmq's "last pipe").
  void apply_subscription(const zmq::message_t& msg) {
    const auto* data = static_cast<const char*>(msg.data());
    if (msg.size() == 0 || (data[0] != 0 && data[0] != 1)) return;  // SUB peers send nothing else
    const bool subscribe = data[0] == 1;
    const std::string_view topic(data + 1, msg.size() - 1);
    const keys::KeyEntry* key = nullptr;
    if (options_.keys) {
      const char* user = zmq_msg_gets(msg.handle(), "User-Id");
      key = user != nullptr ? options_.keys->by_name(user) : nullptr;
      if (key == nullptr) {
        // An unsubscription libzmq makes up for a peer that has left applies
        // to nobody; a subscription without an enrolled key cannot pass ZAP.
        if (subscribe) ++edge_.subscriptions_refused;
        return;
      }
    }
    const std::vector<std::string> topics = scoped_topics(key, topic, hall_ids_);
    if (topics.empty() && subscribe) return refuse_subscription(*key, topic);
    for (const std::string& t : topics) {
      if (subscribe)
        pub_.set(zmq::sockopt::subscribe, t);
      else
        pub_.set(zmq::sockopt::unsubscribe, t);
    }
  }

  // Counted always, logged once per key (a device retrying, or a flood, must
  // not fill the log).
  void refuse_subscription(const keys::KeyEntry& key, std::string_view topic) {
    ++edge_.subscriptions_refused;
    if (!refused_subscribers_.insert(key.name).second) return;
    std::string shown(topic.substr(0, 80));
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    std::cerr << fmt::format(
                     "hallqd: refused a subscription of {} {} to \"{}\": its events are those of {} only{} "
                     "(further refusals of this key are counted, not logged)",
                     to_string(key.role), key.name, shown, fmt::join(key.halls, ", "),
                     keys::role_sees_personal_data(key.role) ? "" : ", without personal data")
              << std::endl;
  }

  void schedule_tick() {
    if (!running_) return;
    timer_.expires_after(std::chrono::milliseconds(options_.heartbeat_ms));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || !running_) return;
      const core::TimeUs now = this->now();
      engine_.tick(now);
      start_next();
      peer_limits_.forget_idle(steady_us());
      // Replies dropped for a peer that did not read them were freed: give
      // the memory back to the system rather than keep the flood's peak.
      if (edge_.replies_dropped != trimmed_at_) {
        trimmed_at_ = edge_.replies_dropped;
        ::malloc_trim(0);
      }
      publish(engine_.heartbeats(now));
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
  Readable router_in_, pub_in_;
  boost::asio::steady_timer timer_;
  const std::vector<std::string> hall_ids_;  // the halls served (event_scope.h)
  bool running_ = false;
  bool delivering_ = false;  // finish_batch() is handing out replies
  std::vector<zmq::message_t> frames_;
  std::deque<Destination> destinations_;
  std::deque<Held> held_;
  bool replication_down_ = false;
  boost::asio::steady_timer ack_timer_;
  std::uint64_t forbidden_ = 0;
  std::set<std::string> refused_subscribers_;  // key names, logged once each (bounded by the registry)
  Server::EdgeCounters edge_;
  std::uint64_t trimmed_at_ = 0;  // edge_.replies_dropped at the last malloc_trim
  PeerLimits peer_limits_;
  time::EngineClock clock_;
  std::string logged_storage_problem_;
  std::uint64_t failures_logged_ = 0;
  std::map<std::string, std::uint64_t> forbidden_by_key_;
  std::vector<Local> local_;
  std::vector<std::function<void(const std::vector<Publication>&)>> observers_;
};

Server::Server(boost::asio::io_context& io, Engine& engine, ServerOptions options)
    : impl_(std::make_unique<Impl>(io, engine, std::move(options))) {}
Server::~Server() = default;
void Server::start() { impl_->start(); }
void Server::stop() { impl_->stop(); }
void Server::submit(std::string request, std::function<void(const std::string&)> done) {
  impl_->submit({Impl::Local::kRequest, std::move(request), std::move(done), nullptr, nullptr});
}
void Server::submit_audited(std::string request, std::function<std::string(const core::Status&)> record,
                            std::function<void(const std::string&, const std::string&)> done) {
  impl_->submit({Impl::Local::kAudited, std::move(request), nullptr, std::move(record), std::move(done)});
}
void Server::audit(std::string record, std::function<void(const std::string&)> done) {
  impl_->submit({Impl::Local::kAudit, std::move(record), std::move(done), nullptr, nullptr});
}
void Server::settle() { impl_->settle(); }
void Server::flush() { impl_->flush(); }
void Server::on_publish(std::function<void(const std::vector<Publication>&)> observer) {
  impl_->on_publish(std::move(observer));
}
Server::SecurityCounters Server::security_counters() const { return impl_->security_counters(); }
Server::EdgeCounters Server::edge_counters() const { return impl_->edge_counters(); }

std::string Server::stale_reason(std::string_view hall) const { return impl_->stale_reason(hall); }
core::TimeUs Server::now() { return impl_->now(); }
const std::string& Server::cmd_endpoint() const { return impl_->cmd_bound_; }
const std::string& Server::pub_endpoint() const { return impl_->pub_bound_; }

}  // namespace hallq::server
