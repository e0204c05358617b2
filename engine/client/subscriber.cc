// Replica bookkeeping for the Clone pattern. The replica is a real core::Hall,
// so predictions and displays computed from it agree with the engine's.
#include "engine/client/subscriber.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <stdexcept>

#include "engine/client/uninterrupted.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/personal_data.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/time/system_clock.h"

namespace hallq::client {

struct Subscriber::Replica {
  std::string id;
  std::string topic;
  std::shared_ptr<core::HallConfig> config;
  std::unique_ptr<core::Hall> hall;
  bool syncing = true;
  std::string pending_request;  // id of the snapshot request in flight
  Clock::time_point requested_at{};
  std::deque<std::string> buffered;  // events received while syncing
  std::uint64_t epoch = 0;
  Clock::time_point last_heard{};
  bool online = false;
};

Subscriber::Subscriber(zmq::context_t& ctx, std::string cmd_endpoint, std::string pub_endpoint,
                       std::vector<std::string> halls, Listener* listener, SubscriberOptions options)
    : client_(ctx, std::move(cmd_endpoint), ClientOptions{.immediate = true, .curve = options.curve}),
      sub_(ctx, zmq::socket_type::sub),
      monitor_(ctx, zmq::socket_type::pair),
      listener_(listener),
      options_(options),
      engine_clock_(options.wall_clock ? *options.wall_clock : time::system_clock()),
      pubs_(split_endpoints(pub_endpoint)),
      pub_since_(Clock::now()) {
  if (pubs_.size() > 1 && pubs_.size() != client_.endpoints().size())
    throw std::invalid_argument(
        fmt::format("{} event endpoints ({}) for {} command endpoints: give each engine's pair, in one order",
                    pubs_.size(), pub_endpoint, client_.endpoints().size()));
  sub_.set(zmq::sockopt::linger, 0);
  sub_.set(zmq::sockopt::rcvhwm, options_.rcvhwm);
  apply_curve(sub_, options_.curve);
  client_.socket().set(zmq::sockopt::sndhwm, 16);
  for (std::string& h : halls) {
    auto r = std::make_unique<Replica>();
    r->id = h;
    r->topic = protocol::topic_of(h);
    sub_.set(zmq::sockopt::subscribe, r->topic);
    if (options_.personal_data) sub_.set(zmq::sockopt::subscribe, protocol::private_topic_of(h));
    by_hall_[h] = r.get();
    by_topic_[r->topic] = std::move(r);
  }
  // Before connecting, so the first handshake is seen too.
  // A name of its own: the client's random id prefix. (Not the object's
  // address: a subscriber made where the last one was would find the name
  // still bound, as ZeroMQ unbinds a closed monitor asynchronously.)
  const std::string monitor_endpoint = "inproc://hallq-subscriber-monitor-" + client_.next_request_id();
  if (zmq_socket_monitor(sub_.handle(), monitor_endpoint.c_str(), ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0)
    throw zmq::error_t();
  monitor_.set(zmq::sockopt::linger, 0);
  monitor_.connect(monitor_endpoint);
  sub_.connect(pubs_.front());
  // Subscribing before asking for snapshots is what makes the pattern safe.
  for (auto& [topic, r] : by_topic_) resync(*r);
}

Subscriber::~Subscriber() { (void)zmq_socket_monitor(sub_.handle(), nullptr, 0); }

const core::Hall* Subscriber::hall(std::string_view id) const {
  auto it = by_hall_.find(id);
  return it == by_hall_.end() ? nullptr : it->second->hall.get();
}

bool Subscriber::online(std::string_view id) const {
  auto it = by_hall_.find(id);
  return it != by_hall_.end() && it->second->online;
}

bool Subscriber::synced(std::string_view id) const {
  auto it = by_hall_.find(id);
  return it != by_hall_.end() && it->second->hall && !it->second->syncing;
}

void Subscriber::resync(Replica& r) {
  r.syncing = true;
  r.pending_request = client_.next_request_id();
  r.requested_at = Clock::now();
  // Not queued while disconnected (ZMQ_IMMEDIATE): the retry timer resends.
  if (!client_.send(protocol::encode_snapshot_request(r.pending_request, r.id), true))
    r.pending_request.clear();
}

void Subscriber::mark_heard(Replica& r) {
  r.last_heard = Clock::now();
  if (!r.online) {
    r.online = true;
    if (listener_) listener_->on_connection(r.id, true);
  }
}

void Subscriber::poll(std::chrono::milliseconds timeout) {
  zmq::pollitem_t items[] = {{sub_.handle(), 0, ZMQ_POLLIN, 0},
                             {client_.socket().handle(), 0, ZMQ_POLLIN, 0},
                             {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
  const auto deadline = Clock::now() + timeout;
  auto left = timeout;
  for (bool interrupted = false;;) {
    try {
      zmq::poll(items, 3, left);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      interrupted = true;  // a signal: handle what is there, then return so the caller sees its flag
      for (auto& item : items) item.revents = 0;
    }
    drain_monitor();
    bool handled = false;
    // Drain both sockets completely: a partial drain could leave events behind.
    for (;;) {
      zmq::message_t topic;
      if (!recv_uninterrupted(sub_, topic, zmq::recv_flags::dontwait)) break;
      handled = true;
      if (!topic.more()) {
        ++stats_.invalid;
        continue;
      }
      zmq::message_t body;
      (void)recv_uninterrupted(sub_, body, zmq::recv_flags::none);
      for (bool more = body.more(); more;) {  // ignore extra frames
        zmq::message_t extra;
        if (!recv_uninterrupted(sub_, extra, zmq::recv_flags::none)) break;
        more = extra.more();
      }
      on_publication(topic.to_string_view(), {static_cast<const std::uint8_t*>(body.data()), body.size()});
    }
    while (auto reply = client_.receive(std::chrono::milliseconds(0))) {
      handled = true;
      on_reply(*reply);
    }
    timers();
    left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (handled || interrupted || left.count() <= 0) return;
  }
}

void Subscriber::drain_monitor() {
  // Each monitor event is two frames: 2-byte event id + 4-byte value, then the endpoint.
  for (;;) {
    zmq::message_t event;
    if (!recv_uninterrupted(monitor_, event, zmq::recv_flags::dontwait)) return;
    for (bool more = event.more(); more;) {
      zmq::message_t rest;
      if (!recv_uninterrupted(monitor_, rest, zmq::recv_flags::none)) break;
      more = rest.more();
    }
    std::uint16_t id = 0;
    if (event.size() >= sizeof id) std::memcpy(&id, event.data(), sizeof id);
    if (id != ZMQ_EVENT_HANDSHAKE_SUCCEEDED) continue;
    if (!handshaken_) {  // the first connection: the constructor already asked
      handshaken_ = true;
      continue;
    }
    // Reconnected (the engine restarted, or the network came back): whatever
    // the replicas hold may be stale, and the next heartbeat is up to a
    // period away. Events from now on are buffered until the snapshot.
    ++stats_.reconnects;
    for (auto& [topic, r] : by_topic_) resync(*r);
  }
}

void Subscriber::on_publication(std::string_view topic, protocol::Bytes bytes) {
  const bool in_full = topic.starts_with(protocol::kPrivateTopicPrefix);
  if (in_full) topic.remove_prefix(protocol::kPrivateTopicPrefix.size());
  auto it = by_topic_.find(topic);
  if (it == by_topic_.end()) return;  // a hall we did not subscribe to (prefix match)
  Replica& r = *it->second;
  std::string why;
  const protocol::MessageKind kind = protocol::inspect(bytes, &why);
  if (kind == protocol::MessageKind::kHeartbeat) {
    ++stats_.heartbeats;
    const protocol::Heartbeat hb = protocol::decode_heartbeat(bytes);
    if (hb.hall != r.id) {
      ++stats_.invalid;
      return;
    }
    const bool was_offline = !r.online;
    mark_heard(r);
    engine_clock_.observe(
        hb.time,
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count());
    if (r.epoch != 0 && hb.epoch != r.epoch) {
      ++stats_.restarts;
      r.epoch = hb.epoch;
      resync(r);
      return;
    }
    if (!r.syncing && r.hall && (hb.seq != r.hall->seq() || was_offline)) {
      // Missed events (or the engine lost some: a restored store): start over.
      if (hb.seq > r.hall->seq()) ++stats_.gaps;
      resync(r);
    }
    return;
  }
  if (kind != protocol::MessageKind::kEvent) {
    ++stats_.invalid;
    return;
  }
  const protocol::EventHeader header = protocol::peek_event(bytes);
  if (header.hall != r.id) {
    ++stats_.invalid;
    return;
  }
  mark_heard(r);
  // Its full copy came first on the private topic; if that was lost (a full
  // queue), the next event or heartbeat shows the gap.
  if (options_.personal_data && !in_full && protocol::carries_personal_data(bytes)) return;
  if (r.syncing) {
    r.buffered.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (r.buffered.size() > options_.max_buffered) r.buffered.pop_front();
    return;
  }
  if (header.seq <= r.hall->seq()) return;  // already in the snapshot
  if (header.seq != r.hall->seq() + 1) {
    ++stats_.gaps;
    r.buffered.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    resync(r);
    return;
  }
  if (!apply_one(r, bytes)) resync(r);
}

bool Subscriber::apply_one(Replica& r, protocol::Bytes bytes) {
  protocol::DecodedEvent decoded;
  if (!protocol::decode_event(bytes, *r.config, decoded).ok()) {
    ++stats_.invalid;
    return false;
  }
  try {
    r.hall->apply_event(decoded.event);
  } catch (const core::CorruptionError&) {
    ++stats_.invalid;
    return false;
  }
  ++stats_.events;
  if (listener_) listener_->on_event(*r.hall, decoded, bytes);
  return true;
}

void Subscriber::on_reply(const protocol::DecodedReply& reply) {
  Replica* target = nullptr;
  for (auto& [topic, r] : by_topic_) {
    if (!r->pending_request.empty() && r->pending_request == reply.request_id) target = r.get();
  }
  if (target == nullptr || !reply.ok() || reply.snapshot.empty()) return;  // stale, or refused
  Replica& r = *target;
  r.pending_request.clear();
  protocol::DecodedSnapshot snap;
  const protocol::Bytes bytes = protocol::as_bytes(reply.snapshot);
  if (!protocol::decode_snapshot(bytes, snap).ok() || snap.hall != r.id) {
    ++stats_.invalid;
    return;
  }
  const core::CallPolicy* policy = policy::find_policy(snap.config->rules.policy);
  if (policy == nullptr) policy = policy::find_policy(policy::kDefaultPolicy);
  auto hall = std::make_unique<core::Hall>(snap.config, policy, &predict::default_predictor());
  try {
    hall->import_state(std::move(snap.state));
  } catch (const core::CorruptionError&) {
    ++stats_.invalid;
    return;
  }
  ++stats_.snapshots;
  if (r.epoch != 0 && snap.epoch != r.epoch)
    ++stats_.restarts;  // learnt from the snapshot, before any heartbeat
  r.config = snap.config;
  r.hall = std::move(hall);
  r.epoch = snap.epoch;
  r.syncing = false;
  mark_heard(r);
  apply_buffered(r);
  if (!r.syncing && listener_) listener_->on_reset(*r.hall);
}

void Subscriber::apply_buffered(Replica& r) {
  while (!r.buffered.empty()) {
    const std::string bytes = std::move(r.buffered.front());
    r.buffered.pop_front();
    const protocol::Bytes b = protocol::as_bytes(bytes);
    const core::Seq seq = protocol::peek_event(b).seq;
    if (seq <= r.hall->seq()) continue;
    if (seq != r.hall->seq() + 1 || !apply_one(r, b)) {
      ++stats_.gaps;
      r.buffered.clear();
      resync(r);
      return;
    }
  }
}

void Subscriber::fail_over(Clock::time_point now) {
  auto heard = pub_since_;
  for (const auto& [topic, r] : by_topic_) heard = std::max(heard, r->last_heard);
  if (now - heard <= options_.heartbeat_timeout) return;
  sub_.disconnect(pubs_[pub_at_]);
  pub_at_ = (pub_at_ + 1) % pubs_.size();
  sub_.connect(pubs_[pub_at_]);
  client_.use_endpoint(pub_at_);
  pub_since_ = now;
  ++stats_.failovers;
  // Its snapshots, not the silent engine's: the replicas start over there.
  for (auto& [topic, r] : by_topic_) resync(*r);
}

void Subscriber::timers() {
  const auto now = Clock::now();
  if (pubs_.size() > 1) fail_over(now);
  for (auto& [topic, rp] : by_topic_) {
    Replica& r = *rp;
    if (r.online && now - r.last_heard > options_.heartbeat_timeout) {
      r.online = false;
      r.syncing = true;  // whatever happened meanwhile, start over when it comes back
      if (listener_) listener_->on_connection(r.id, false);
    }
    if (r.syncing && (r.pending_request.empty() || now - r.requested_at > options_.snapshot_retry)) resync(r);
  }
}

}  // namespace hallq::client
