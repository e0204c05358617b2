// The event side of the client library: keeps a consistent replica of each
// subscribed hall (a core::Hall folded from the engine's events), following
// the ZeroMQ guide's Clone pattern:
//   - subscribe first, then ask for a snapshot (which names the sequence it
//     reflects); events that arrive meanwhile are buffered, and those after
//     the snapshot's sequence are applied on top of it;
//   - an event whose sequence skips one (a gap), a heartbeat announcing a
//     sequence the replica has not seen, or a new engine epoch (a restart)
//     makes it ask for a fresh snapshot;
//   - the event socket reconnecting (a ZeroMQ socket monitor reports each
//     completed handshake) makes it ask for fresh snapshots at once: after an
//     engine restart the replicas are current within the reconnect interval
//     plus one snapshot round trip, without waiting for the next heartbeat;
//   - no message from a hall for `heartbeat_timeout` marks it offline, so a
//     screen can show "系统连接中" instead of stale numbers;
//   - given several engines (an owner and its standbys, hallqd --replicate:
//     `cmd_endpoint` and `pub_endpoint` comma-separated lists of the same
//     length, in the same order), it listens to one at a time; when no hall
//     was heard for `heartbeat_timeout` it moves both sockets to the next
//     engine of the list and asks for fresh snapshots there, so a screen
//     whose engine died follows the standby that took its halls over, its
//     replicas rebuilt from that engine's snapshot and sequence;
//   - with SubscriberOptions::personal_data, an event that carries personal
//     data arrives twice with one sequence (in full on the private topic,
//     first, then withheld): the full one is applied, the other dropped.
// Messages that fail verification are counted and ignored.
//
// Thread: one thread calls poll() and reads the replicas. The zmq::context_t
// must outlive the subscriber. Listener callbacks run inside poll().
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/core/hall.h"
#include "engine/protocol/event_codec.h"
#include "engine/time/followed_clock.h"

namespace hallq::client {

struct SubscriberOptions {
  std::chrono::milliseconds heartbeat_timeout{3500};
  std::chrono::milliseconds snapshot_retry{1000};
  std::size_t max_buffered = 200'000;  // events kept while waiting for a snapshot
  int rcvhwm = 1'000'000;
  CurveOptions curve;  // for both sockets (snapshots and events); plaintext if unset
  // Also subscribe to the halls' private topics (protocol/personal_data.h):
  // events in full, with citizens' phones and ID hashes, for a key of role
  // manager or notifier (or no key, on loopback). The withheld copies of
  // those events are then ignored, so a full copy that was lost shows as a
  // gap and is made good by a snapshot. For any other key the engine refuses
  // the private subscription: leave it off there (its replica would resync at
  // each booking). Snapshots come in the form the key's role gets either way.
  bool personal_data = false;
  // engine_clock() before the first heartbeat (not owned; null: the system clock).
  const time::Clock* wall_clock = nullptr;
};

class Subscriber {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // The replica of `hall` was (re)built from a snapshot (and any buffered events).
    virtual void on_reset(const core::Hall& hall) { (void)hall; }
    // `event` was applied; `hall` is the state after it; `raw` is the encoded event.
    virtual void on_event(const core::Hall& hall, const protocol::DecodedEvent& event, protocol::Bytes raw) {
      (void)hall, (void)event, (void)raw;
    }
    // The hall's events started or stopped arriving.
    virtual void on_connection(std::string_view hall, bool online) { (void)hall, (void)online; }
  };

  Subscriber(zmq::context_t& ctx, std::string cmd_endpoint, std::string pub_endpoint,
             std::vector<std::string> halls, Listener* listener = nullptr, SubscriberOptions options = {});
  ~Subscriber();

  // Handles what arrives within `timeout`; returns as soon as something was
  // handled (or at the timeout). Also drives snapshot retries, reconnects
  // and the offline timeout. A caller polling the sockets itself should call
  // poll(0) at least every few hundred milliseconds. A signal (EINTR) ends
  // the wait early, never throws: the caller's loop looks at its stop flag.
  void poll(std::chrono::milliseconds timeout);

  // The replica, or null before its first snapshot.
  const core::Hall* hall(std::string_view id) const;
  // True while the hall's heartbeats and events keep arriving.
  bool online(std::string_view id) const;
  // True when the replica is complete and current (not waiting for a snapshot).
  bool synced(std::string_view id) const;
  // The engine's time, learnt from its heartbeats (time::FollowedClock; the
  // system clock until the first one): what screens show and count waits
  // by, so that they follow an engine on simulated time. Valid as long as
  // the subscriber; read it from the polling thread.
  const time::FollowedClock& engine_clock() const { return engine_clock_; }

  struct Stats {
    std::uint64_t events = 0, snapshots = 0, gaps = 0, invalid = 0, restarts = 0, heartbeats = 0;
    std::uint64_t reconnects = 0;  // handshakes of the event socket after the first
    std::uint64_t failovers = 0;   // moves to the next engine of the list
  };
  // The publisher listened to now (one of the list).
  const std::string& pub_endpoint() const { return pubs_[pub_at_]; }
  const Stats& stats() const { return stats_; }

  // Polling integration (e.g. an SDL loop): the two sockets to poll for input.
  zmq::socket_t& event_socket() { return sub_; }
  zmq::socket_t& reply_socket() { return client_.socket(); }

 private:
  struct Replica;
  using Clock = std::chrono::steady_clock;

  void on_publication(std::string_view topic, protocol::Bytes bytes);
  void on_reply(const protocol::DecodedReply& reply);
  void resync(Replica& r);
  void apply_buffered(Replica& r);
  bool apply_one(Replica& r, protocol::Bytes bytes);
  void timers();
  void mark_heard(Replica& r);
  void drain_monitor();
  // Several engines: moves to the next when none of the halls was heard for heartbeat_timeout.
  void fail_over(Clock::time_point now);

  Client client_;
  zmq::socket_t sub_;
  zmq::socket_t monitor_;  // PAIR fed by zmq_socket_monitor(sub_)
  bool handshaken_ = false;
  Listener* listener_;
  SubscriberOptions options_;
  std::map<std::string, std::unique_ptr<Replica>, std::less<>> by_topic_;
  std::map<std::string, Replica*, std::less<>> by_hall_;
  Stats stats_;
  time::FollowedClock engine_clock_;
  std::vector<std::string> pubs_;  // the event endpoints as given
  std::size_t pub_at_ = 0;
  Clock::time_point pub_since_{};  // when the socket moved to pubs_[pub_at_]
};

}  // namespace hallq::client
