// hallqd --replicate, acknowledgement mode local: every durable batch's
// events go to the NATS JetStream events stream (engine/replicate) from a
// thread of their own, after the replies left (the store's commit is the
// acknowledgement). Batches that queued while a round was out are merged into
// the next one (one round of publishes per merged batch; a hall's events one
// per round, engine/replicate/publisher.h).
//
// LMDB is the outbox: at start, before the server serves, catch_up() compares
// each hall's last sequence in the stream with the store's and queues what the
// stream lacks, in order. While the cluster is unavailable the queue keeps
// every event since (in memory) and is retried with a growing delay (100 ms
// to 2 s); a restart republishes from the store again. Lost acknowledgements
// never store an event twice (message ids, publisher.h).
//
// Ownership: claim() records this engine as each hall's owner in the owners
// bucket (engine/replicate/ownership.h: engine id, advertised command
// endpoint, a lease) before it serves; a thread of its own (the lease
// thread) renews every lease each lease/4 by compare-and-set, all of them at
// once (Ownership::renew_all: one round trip for hundreds of halls), so a
// renewal the bucket is slow to answer never delays a publish. A hall whose entry
// another engine wrote (a standby took it over while this engine was cut
// off) is fenced. A hall whose lease expired without a renewal (lease_lapsed:
// `lease` has passed since the last successful renewal was sent, by this
// engine's steady clock) must not be served until a renewal succeeds: the
// server refuses its commands, replication_unavailable.
//
// A hall lost to another engine while running (a renewal finds the entry
// another engine's, or a graceful move handed it over) is followed back
// (on_follow_back()) when the engine's store of it is a prefix of the
// stream: this engine then stands by for it as below.
//
// A standby (stand_by()) records itself in the owners bucket
// ("standby.<engine-id>": endpoint, halls followed, a lease renewed each
// lease/4, ended when it serves them all or stops), for hallq halls; its
// look for lapsed leases and its takeovers run on the lease thread too.
//
// A graceful move (hallq move-hall, engine/replicate/ownership.h): when a
// renewal finds the request in a held hall's entry, the lease thread refuses
// the hall's new commands (handing_over(): not_owner naming the new engine),
// has the engine stop the hall and tell its last sequence (on_hand_over()),
// waits up to lease/2 until the stream holds that sequence, then writes the
// entry naming the new engine with that sequence (Ownership::hand_over) and
// fences the hall here. Whatever fails on the way (the stream does not take
// the hall's events in time, the bucket does not answer) gives the hall back
// to the engine and writes the refusal into the entry (refuse_move).
//
// A fenced hall (another engine extended its subject, or took its lease) is
// no longer replicated by this engine: logged once, its queued events
// dropped, and fenced() says so and names the owner where known (the server
// then refuses the hall's commands, not_owner). One that is not followed
// either (refuse_hall(), or following it back failed) is stale(): its reads
// are refused too.
//
// Confirmation (--ack replicated): enqueue() numbers each batch (from 1, in
// order); progress() tells the highest number all of whose events the stream
// holds (or that were dropped with a fenced hall: ask fenced()). The
// on_progress callback runs on the publishing thread after every round.
//
// Thread: enqueue(), progress(), fenced(), stale(), lease_lapsed() and metrics() from
// any thread (the server's io thread); claim(), catch_up(), stand_by() and
// put_snapshots() before start(); the publishing runs on the publishing
// thread, the leases on the lease thread. They share the queue, the held
// halls, their leases' expiry and the fences under one mutex; a hall the
// lease thread drops is handed to the publishing thread by a counter (its
// queued events are dropped there).
// Errors: the constructor, claim() and catch_up() throw
// replicate::ReplicateError (cluster, stream or credentials wrong, or the
// cluster did not answer within options.startup_limit: a start-up error);
// each retry of a cluster that does not answer yet is logged in one line.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/replicate/nats_connection.h"
#include "engine/replicate/ownership.h"
#include "engine/replicate/stream_setup.h"
#include "engine/server/replication_gate.h"
#include "engine/store/event_store.h"

namespace hallq::replicate {
class Publisher;
class Ownership;
}  // namespace hallq::replicate

namespace hallq::server {

struct ReplicatorOptions {
  replicate::NatsConnection::Options connection;
  replicate::StreamSpec stream;
  std::string engine_id;
  // How long the start (connecting, the stream and buckets, the claims, the
  // stream's tails) retries a cluster that does not answer yet (transient
  // errors: timeout, no responders, not connected; a just-started cluster
  // elects its JetStream leaders late), counted from the constructor.
  // Permanent errors (credentials, permissions, configuration, another
  // engine's live lease) are thrown at once.
  std::chrono::milliseconds startup_limit{30'000};
  // Ownership: the lease claimed and renewed (every lease/4) for each hall.
  std::chrono::milliseconds lease{2000};
  // hallqd --lease-strict: the server refuses a hall's commands once its
  // lease lapsed without a renewal (only the log's words depend on it here).
  bool lease_strict = false;
  // How long a publish round waits for the stream's acknowledgements before
  // it sends the missing events again, identical (publisher.h; the round
  // still gives up after the connection's request timeout).
  std::chrono::milliseconds publish_retry{250};
  // A standby takes a hall that has no owner entry at all (its engine never
  // started) only this long after stand_by(): engines of a cluster started
  // together, each standing by for the others' halls (hallqd --standby-for),
  // first claim their own. Negative: three leases. A lapsed lease is taken
  // at once, as ever.
  std::chrono::milliseconds unowned_grace{-1};
  replicate::OwnersSpec owners;
  replicate::HallsSpec halls;
};

class Replicator final : public ReplicationGate {
 public:
  explicit Replicator(ReplicatorOptions options);
  ~Replicator();  // stops the thread (what is still queued stays in the store)
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  // Claims each of `halls` for this engine, advertising `endpoint` (where
  // its clients reach it). Returns the halls whose live lease is another
  // engine's, with that engine's entry (not claimed: the caller follows them
  // as a standby, stand_by(), or refuses them, refuse_hall()). Throws
  // ReplicateError if the bucket does not answer within startup_limit.
  std::map<std::string, replicate::OwnerRecord> claim(const std::vector<std::string>& halls,
                                                      const std::string& endpoint);
  // A hall claimed() whose stream is ahead of the store (another engine
  // served it since): no longer held (not renewed, not published); the
  // caller follows it (stand_by()), and the standby's look claims it again,
  // as this engine's, once the engine holds the stream's tail. Before start().
  void follow_instead(const std::string& hall);
  // A hall this engine neither serves nor follows (its store diverged from
  // the stream): its commands are refused not_owner (`why`, and `owner` as
  // the engine serving it, where known); a lease claimed is ended at once so
  // that a standby may take the hall. Before start().
  void refuse_hall(const std::string& hall, const std::string& why, const replicate::OwnerRecord& owner);
  // Whether claim() found `hall`'s entry this engine's own (no other engine
  // claimed the hall since this one last wrote it, so the stream holds no
  // other engine's events of it).
  bool reclaimed(const std::string& hall) const { return reclaimed_.contains(hall); }
  // The engine whose live lease `hall` is under, if another than this one
  // (one read of the owners bucket; nullopt also when it does not answer).
  // After claim().
  std::optional<replicate::OwnerRecord> live_owner(const std::string& hall);
  // When the start's retries give up (--replicate-start-timeout from the constructor).
  std::chrono::steady_clock::time_point start_deadline() const { return start_deadline_; }
  // Queues, for each of `halls`, the store's events the stream does not hold
  // yet. Throws ReplicateError if the stream holds more of a hall than the
  // store (another engine served it) or does not answer within startup_limit.
  void catch_up(const store::EventStore& store, const std::vector<std::string>& halls);
  // hallqd --standby (standby.h): `halls` are followed, not claimed. Until
  // its owner's lease lapses, a hall counts as fenced (its commands refused
  // not_owner, naming the owner and its endpoint). Each lease/4 the lease thread
  // tries to claim it (Ownership::claim: compare-and-set on the revision
  // read, so only a lapsed lease is taken); once it holds the lease it asks
  // the stream for the hall's last sequence, calls `take_over(hall, last,
  // &why)`, which must return once the engine holds that sequence (false:
  // it cannot; logged, the hall is not served, and tried again at the next
  // look: its lease is this engine's, or lapsed), then renews the lease, publishes the hall's batches
  // and logs the takeover with the time it took. take_over sets `snapshot`
  // to the hall's encoded snapshot as the engine starts serving it (empty:
  // none); it is put into the hall snapshots bucket (put_snapshots; a
  // failure logged), so readers such as the city view fold the hall from the
  // new owner's state. A hall without any owner entry is left alone for
  // unowned_grace after this call (its own engine may be starting). Call
  // after claim() (which may be given no halls), before start().
  using TakeOver = std::function<bool(const std::string& hall, std::uint64_t last_seq, std::string* why,
                                      std::string* snapshot)>;
  void stand_by(const std::vector<std::string>& halls, TakeOver take_over);
  // Following a hall back (issue 19): once this engine lost a held hall to
  // another engine that wrote its entry (it took the hall over while this
  // engine was cut off, or hallq move-hall handed it over), the lease thread
  // calls `follow_back(hall, &why)`. True: the engine follows the hall now
  // (its store a prefix of the stream), and the hall is this engine's
  // standby's, as with stand_by(): taken back with `take_over` once that
  // engine's lease lapses or the hall is moved here; its commands are still
  // refused as a hall taken over, naming the owner. False: it cannot (`why`
  // logged; the hall stays refused, not followed). Before start().
  using FollowBack = std::function<bool(const std::string& hall, std::string* why)>;
  void on_follow_back(FollowBack follow_back, TakeOver take_over);
  // For a graceful move: `hand_over(hall, true)` must stop the hall (no
  // events of its own: ticks; run on the engine's thread) and return its
  // last sequence; `hand_over(hall, false)` serves it again (the move
  // failed). nullopt: the engine did not answer. Without it, moves are
  // refused. Before start().
  using HandOver = std::function<std::optional<std::uint64_t>(const std::string& hall, bool stop)>;
  void on_hand_over(HandOver hand_over) { hand_over_ = std::move(hand_over); }
  // The connection (for a standby's readers; NATS connections are thread-safe).
  replicate::NatsConnection& connection() { return *conn_; }

  // Puts each hall's snapshot (hall id -> encoded snapshot, with its config)
  // into the hall snapshots bucket (engine/replicate/hall_directory.h), for
  // readers of the stream such as the city view. Before start(). Returns
  // what failed (bucket not made or not written: a missing permission, a
  // snapshot over the cluster's payload limit), empty if all were put; the
  // engine serves either way, only the city view cannot show such a hall.
  // Transient failures (no responders: a bucket just made by several engines
  // starting together has no leader yet) are tried again, with growing
  // pauses, until `until`.
  std::vector<std::string> put_snapshots(const std::vector<std::pair<std::string, std::string>>& snapshots,
                                         std::chrono::steady_clock::time_point until);
  // put_snapshots() until the start's bound (--replicate-start-timeout).
  std::vector<std::string> put_snapshots(const std::vector<std::pair<std::string, std::string>>& snapshots) {
    return put_snapshots(snapshots, start_deadline_);
  }
  // Renews the leases claimed (the start may have taken much of them), then
  // starts the publishing and the lease threads.
  void start();
  // A graceful stop: waits up to `drain` for the queue to empty, stops the
  // thread, then ends the lease of every hall whose subject holds all of
  // `store`'s events (lease_until = now), so another engine may claim it at
  // once; a hall the stream lags behind keeps its lease to lapse (its tail
  // would otherwise be lost to the next owner). Logs what it released.
  // Bounded: the checks stop at the first hall the stream does not answer
  // for (or with no connection, or after kReleaseLimit); those halls' leases
  // lapse by themselves.
  void release(const store::EventStore& store, std::chrono::milliseconds drain);
  static constexpr std::chrono::seconds kReleaseLimit{10};

  // ReplicationGate. enqueue() skips heartbeats; on_progress runs after every
  // round of publishes.
  std::uint64_t enqueue(const std::vector<Publication>& pubs) override;
  Progress progress() const override;
  bool fenced(std::string_view hall, Fence* fence = nullptr) const override;
  bool stale(std::string_view hall, Fence* fence = nullptr) const override;
  bool handing_over(std::string_view hall, Fence* fence = nullptr) const override;
  bool lease_lapsed(std::string_view hall) const override;
  void set_on_progress(std::function<void()> on_progress) override;

  struct Metrics {
    std::uint64_t published = 0;    // events stored in the stream
    std::uint64_t duplicates = 0;   // events the stream held already
    std::uint64_t fenced = 0;       // events refused: another engine extends the hall
    std::uint64_t rounds = 0;       // rounds of publishes
    std::uint64_t resends = 0;      // events sent again within a round (publish_retry)
    std::uint64_t unavailable = 0;  // attempts that found the cluster unavailable
    std::uint64_t pending_events = 0;
    std::uint64_t pending_batches = 0;  // enqueued batches not fully published
    double lag_seconds = 0;             // age of the oldest queued event
    bool connected = false;
    std::uint64_t halls_owned = 0;      // halls whose lease this engine holds
    std::uint64_t leases_lapsed = 0;    // of those, expired without a renewal
    double lease_age_seconds = 0;       // since the least recently renewed one was renewed
    std::uint64_t renewals_failed = 0;  // renewals the bucket did not answer
  };
  Metrics metrics() const;
  // Prometheus lines (hallq_replication_*).
  std::string metrics_text() const;

 private:
  struct Item {
    std::string hall;
    std::uint64_t seq;
    std::string bytes;
    std::uint64_t batch;  // enqueue number
    std::chrono::steady_clock::time_point since;
  };
  void run();          // the publishing thread
  void keep_leases();  // the lease thread
  void stop_threads();
  // One round set: publishes the front of `work` (up to a batch's worth),
  // removes what the stream now holds; false if the cluster was unavailable.
  bool publish_some(std::deque<Item>& work);
  // Fences `hall` (either thread): no longer held, its queued events
  // dropped; `owner`: who took the hall, where known; `handed_over_seq`: a
  // graceful move, the stream holding the hall up to it.
  void drop_hall(const std::string& hall, const std::string& why, const replicate::OwnerRecord& owner = {},
                 std::uint64_t handed_over_seq = 0);
  // Removes the fenced halls' events from `work` (the publishing thread's; under mu_).
  void drop_fenced(std::deque<Item>& work) const;
  // Renews every held lease (the lease thread); a hall lost is dropped (fenced).
  void renew_leases();
  // Hands `hall` to the engine `asked` names (a move requested), or refuses
  // (the lease thread).
  void hand_over(const std::string& hall, const replicate::OwnerRecord& asked);
  // Tries to take over every standby hall whose owner's lease lapsed.
  void watch_standby();
  // After drop_hall() of a hall `owner` took: follows it back if the engine can (the lease thread).
  void follow_back(const std::string& hall, const replicate::OwnerRecord& owner);
  // Puts this engine's standby record (ownership.h) with the halls it still
  // follows and a lease; ends it once there are none (or `end`).
  void record_standby(bool end = false);

  // Runs `step` again while it throws a transient ReplicateError, with a
  // growing delay, until start_deadline_; logs each retry.
  void retry_at_start(const std::string& what, const std::function<void()>& step);

  ReplicatorOptions options_;
  std::chrono::steady_clock::time_point start_deadline_;
  std::unique_ptr<replicate::NatsConnection> conn_;
  std::unique_ptr<replicate::Publisher> publisher_;
  std::unique_ptr<replicate::Ownership> owners_;  // after claim(); then the lease thread's
  bool renew_failing_ = false;                    // the lease thread's
  std::set<std::string> lapsed_;                  // halls whose lapse was logged (the lease thread's)
  std::set<std::string> reclaimed_;               // claimed from this engine's own entry (before start())
  std::vector<std::string> standby_;              // halls followed, not (yet) served (the lease thread's)
  TakeOver take_over_;
  HandOver hand_over_;
  FollowBack follow_back_;
  std::set<std::string> followed_back_;  // standby halls this engine served before (the lease thread's)
  // Halls lost before the lease thread ran (start()'s renewal): followed back at its first pass.
  std::vector<std::pair<std::string, replicate::OwnerRecord>> deferred_follow_back_;
  std::map<std::string, replicate::OwnerRecord> standby_owner_;  // the owner last seen (the lease thread's)
  std::chrono::steady_clock::time_point standby_since_;          // stand_by()
  std::vector<std::string> unowned_told_;                        // halls logged as without an owner yet
  bool standby_recorded_ = false;                                // a live standby record was put
  std::string standby_record_error_;                             // the last failure, logged once

  mutable std::mutex mu_;
  std::vector<std::string> held_;  // halls claimed and not lost
  // Until when each held hall may be served: the last successful renewal's
  // (or claim's) sending time + lease.
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> lease_valid_until_;
  std::uint64_t fences_ = 0;               // halls dropped so far (the publishing thread follows)
  std::vector<std::string> forget_tails_;  // halls taken over: the publisher asks their tail afresh
  // A standby's halls not served yet -> their owner's lease_until_ms as last read (0: no owner).
  std::map<std::string, std::int64_t> standby_leases_;
  bool standby_recorded_view_ = false;  // standby_recorded_, for metrics
  bool standby_metrics_ = false;        // a standby's gauges shown (stand_by() or a hall followed back)
  std::condition_variable wake_;        // the publishing thread
  std::condition_variable lease_wake_;  // the lease thread
  std::condition_variable idle_;        // after every round (release() waits for an empty queue)
  std::deque<Item> queue_;
  std::uint64_t next_batch_ = 1;  // catch-up items are batch 0
  std::uint64_t confirmed_through_ = 0;
  bool available_ = true;
  std::function<void()> on_progress_;
  std::uint64_t batches_enqueued_ = 0, batches_done_ = 0;
  std::map<std::string, Fence, std::less<>> fenced_halls_;  // hall -> why, and who serves it
  std::set<std::string, std::less<>> stale_halls_;          // fenced, neither served nor followed
  std::map<std::string, Fence, std::less<>> moving_;        // halls being handed over -> to whom
  // hall -> the highest sequence the stream is known to hold (its tail at
  // the start or takeover, then each event stored or found there)
  std::map<std::string, std::uint64_t, std::less<>> stream_seq_;
  Metrics m_;
  // What the thread holds out of the queue: its size and oldest item's age and batch.
  std::size_t work_size_ = 0;
  std::chrono::steady_clock::time_point work_since_{};
  std::uint64_t work_batch_ = 0;
  bool stopping_ = false;
  std::thread thread_;        // publishing
  std::thread lease_thread_;  // renewals, the standby's looks
};

}  // namespace hallq::server
