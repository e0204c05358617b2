// The engine's network edge: a ZeroMQ ROUTER for commands and an XPUB for
// events, driven by one Asio io_context thread. The only place with sockets,
// timers and the real clock.
//
// Each time the ROUTER becomes readable the server drains everything waiting
// (up to max_batch) into the Engine's open batch; whenever no batch is being
// written, the open one is sealed and committed (one LMDB transaction, on the
// engine's commit thread) while the next gathers; once it is durable its
// replies are sent and its events published. Each second it lets time pass
// (daily reset) and publishes a heartbeat per hall.
//
// Bounds (issue 16; SECURITY.md, "The ZeroMQ sockets under abuse"): high-
// water marks and a maximum message size on both sockets, replies to a peer
// that does not read them dropped (never blocking), and PeerLimits
// (peer_limits.h) on each connection's snapshots.
//
// Security (ServerOptions::keys set): both sockets are CURVE servers with the
// engine's key pair; a ZAP handler (zap_handler.h) lets only enrolled keys
// complete the handshake, and every request from the ROUTER is checked
// against its key's role and scope (access_policy.h) before it enters the
// batch: a refused one is answered `forbidden` right away, counted and
// logged, and never reaches the engine. Events reach a key only for the
// halls in its scope: the XPUB applies each subscription by hand, narrowed to
// the key's halls (event_scope.h); a subscription outside them is refused,
// counted and logged once per key. Without keys no role check runs (no
// per-message cost) and every subscription is applied as asked, as by a PUB.
//
// Personal data (citizens' phones and ID hashes; protocol/personal_data.h):
// an event that carries it is published twice, in full under the hall's
// private topic (only keys of roles manager and notifier may subscribe to
// it; without keys, anyone on loopback), then withheld under the hall's
// topic; every other message once. Snapshots and event replies on the
// command socket withhold it for every key whose role does not see it.
//
// Time: the engine's clock (engine_clock.h) stamps every command and tick, so
// a system clock stepped backwards neither reorders nor freezes the hall.
//
// Thread: everything runs on the io_context's thread (the ZAP handler has
// its own).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/core/types.h"
#include "engine/time/clock.h"

namespace hallq::keys {
class KeyRegistry;
}

namespace hallq::server {

class ReplicationGate;

class Engine;
struct Publication;

struct ServerOptions {
  std::string cmd_endpoint = "tcp://127.0.0.1:5570";
  std::string pub_endpoint = "tcp://127.0.0.1:5571";
  std::size_t max_batch = 4096;  // requests per group commit
  // A batch of one request is written on the engine's thread when the commit
  // thread is idle (Engine::seal): a lone device's reply skips two thread
  // hand-overs; bigger batches keep overlapping their write with the next.
  bool commit_here = true;
  // Per ROUTER peer: requests waiting to be read (beyond: TCP holds the peer
  // back) and replies it has not read (beyond: dropped, EdgeCounters). The
  // latter holds a whole batch's replies to one pipelining peer: ZeroMQ
  // learns of the peer's reads only between bursts.
  int cmd_rcvhwm = 1000;
  int cmd_sndhwm = 8192;
  // Events queued per subscriber that does not read; beyond, ZeroMQ drops
  // them and the subscriber sees a gap and asks for a snapshot.
  int pub_hwm = 50'000;
  // Largest message (frame) either socket accepts; a peer sending more is
  // disconnected. The largest request the engine takes is
  // protocol::kMaxRequestBytes (64 KiB; real ones are under 1 KiB); the rest
  // is room for CURVE's framing.
  std::size_t max_message_bytes = 64 * 1024 + 1024;
  int heartbeat_ms = 1000;
  // The wall clock the engine's clock follows (engine/time/engine_clock.h);
  // null: the system clock. Not owned; must outlive the Server.
  const time::Clock* wall_clock = nullptr;
  // Simulated time (demos, soaks; engine_clock.h): > 0 runs the engine's
  // clock this many times faster than real time, from time_start (0: now).
  double time_scale = 0;
  core::TimeUs time_start = 0;
  // CURVE + ZAP + role checks when set (immutable, shared with the ZAP thread).
  std::shared_ptr<const keys::KeyRegistry> keys;
  std::string curve_secret_key;  // the engine's own, Z85; required with keys
  // hallqd --replicate (replication_gate.h; not owned, must outlive the
  // Server): a fenced hall's commands are refused (not_owner). With
  // ack_replicated, a batch's replies and events leave only once the stream
  // holds it; a batch not confirmed within ack_timeout is answered
  // replication_unavailable (it stays in the store and goes to the stream
  // later), and commands are refused as such, unapplied, until the stream
  // has taken everything committed. Reads (snapshots, pings) go on.
  ReplicationGate* replication = nullptr;
  bool ack_replicated = false;
  // Also refuse a hall's commands (replication_unavailable) while its lease
  // has passed without a renewal (hallqd --lease-strict). Off by default: the
  // stream's expected-sequence fencing already keeps two engines from
  // extending a hall, and a hall stays served through a cluster outage
  // (--ack local) or an owners-bucket election (engine/replicate/README.md).
  bool lease_strict = false;
  std::chrono::milliseconds ack_timeout{2000};
};

class Server {
 public:
  // Binds both sockets (throws zmq::error_t if an endpoint cannot be bound).
  Server(boost::asio::io_context& io, Engine& engine, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts serving on the io_context.
  void start();
  // Stops reading and timers; pending work is finished first. Idempotent.
  void stop();

  // Queues an encoded request from inside the process (the HTTP API) into
  // the next group commit, like one from the ROUTER; `done` gets its encoded
  // reply after the commit. Call on the io_context's thread.
  void submit(std::string request, std::function<void(const std::string& reply)> done);

  // Like submit(), with the request's audit record in the same commit
  // (Engine::handle_audited): `record` gets the request's outcome once the
  // engine has applied it and returns the record; `done` then gets the reply
  // and "" if the commit (the record with the request's events) is durable,
  // else why it failed (the reply is then a `storage` refusal).
  void submit_audited(std::string request, std::function<std::string(const core::Status& outcome)> record,
                      std::function<void(const std::string& reply, const std::string& failure)> done);
  // Queues a record for the store's audit log into the next group commit
  // (Engine::handle_audit); `done` gets "" once it is durable, else why the
  // commit failed. Call on the io_context's thread.
  void audit(std::string record, std::function<void(const std::string& failure)> done);

  // Waits until every batch read so far (and everything submitted from
  // inside the process) is durable and answered (blocking the io_context's
  // thread for up to two commits): afterwards the halls in
  // memory equal the store and nobody else uses the store until the next
  // request. For readers of the halls or the store on the io_context's
  // thread (HTTP views, history, the audit log).
  void settle();
  // Seals what the engine gathered outside a request (a standby's followed
  // events, Engine::follow) if no batch is being written; otherwise it goes
  // with the next. Call on the io_context's thread.
  void flush();
  // Called on the io_context's thread with every batch of events published
  // (after the commit), e.g. to push them to browsers.
  void on_publish(std::function<void(const std::vector<Publication>&)> observer);

  struct SecurityCounters {
    std::uint64_t forbidden = 0;           // requests refused by role or scope
    std::uint64_t refused_handshakes = 0;  // connection attempts with keys not enrolled
  };
  SecurityCounters security_counters() const;

  struct EdgeCounters {
    std::uint64_t replies_dropped = 0;        // the peer had cmd_sndhwm replies unread
    std::uint64_t replies_unroutable = 0;     // the peer had disconnected
    std::uint64_t snapshots_refused = 0;      // refused: the peer asked for snapshots too often
    std::uint64_t subscriptions_refused = 0;  // event subscriptions outside the key's halls
  };
  EdgeCounters edge_counters() const;

  // Why `hall`'s state here must not be shown (ReplicationGate::stale: this
  // engine neither serves nor follows it; the not_owner text naming who
  // serves it), or "" when it may. Any thread.
  std::string stale_reason(std::string_view hall) const;

  // The engine's time (engine_clock.h): the wall clock, never backwards and
  // never standing still. Everything stamped or forecast in the engine uses it.
  core::TimeUs now();

  // The endpoints actually bound (a "*" port resolved).
  const std::string& cmd_endpoint() const;
  const std::string& pub_endpoint() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallq::server
