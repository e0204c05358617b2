// The engine's application layer, free of sockets: it owns every hall's state
// and the store, turns received request buffers into replies and publications,
// and makes each batch durable before anything leaves.
//
// A batch: call handle() for each request that arrived together (and tick()
// when time passes, handle_audit() for the audit log's records), then
// commit(). commit() writes every event and audit record of the batch in one
// LMDB transaction (group commit) and only then makes the replies and
// the events to publish available. If the write fails, every command of the
// batch is answered with a `storage` error and the halls it touched are
// reloaded from the store, so memory never runs ahead of the disk.
//
// Pipelined (the server): seal() hands the batch gathered so far to a commit
// thread and encodes its replies while the transaction waits for the disk;
// meanwhile handle() and tick() gather the next batch on top of the sealed
// one. Once the commit thread reports (set_on_durable), complete() makes
// replies() and publications() those of the sealed batch, so nothing leaves
// before its batch is durable, and batches leave in order. One batch is in
// flight at a time. If its write fails, the batch gathered behind it (built
// on its state) is refused with it: complete() then answers both.
// Stored snapshots are encoded when a batch is sealed and written by the
// commit thread in a transaction of their own after it, off the reply path,
// when a hall is due by event count, time or bytes (EngineOptions).
//
// Thread: single owner thread (the server's io_context); the store is used
// by the commit thread while a write is in flight: the owner touches it
// directly only after wait_idle() (the server's settle()).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall.h"
#include "engine/core/hall_config.h"
#include "engine/protocol/message.h"
#include "engine/protocol/personal_data.h"
#include "engine/protocol/reply_codec.h"
#include "engine/store/event_store.h"

namespace hallq::server {

class CommitThread;

struct EngineOptions {
  // A hall's state is snapshotted into the store every this many events, so
  // recovery replays at most that many; but never before the events since the
  // last snapshot number `snapshot_per_ticket` times the tickets it would copy,
  // so the cost of snapshots per event stays constant however busy the day.
  std::uint64_t snapshot_every = 20'000;
  std::uint64_t snapshot_per_ticket = 4;
  // Also, whatever the count: once `snapshot_interval` of engine time has
  // passed since the hall's last stored snapshot (a quiet hall's restart
  // then replays at most that much of its day), and once the bytes of its
  // events since then reach `snapshot_bytes` and the size of that snapshot
  // (large events count; a snapshot never costs more than the events it
  // saves replaying). A trigger needs at least one event since; 0 disables it.
  core::TimeUs snapshot_interval = 10 * 60 * core::kUsPerSecond;
  std::uint64_t snapshot_bytes = 8u << 20;
  // When the LMDB map fills, it is doubled up to this size; beyond it (or if
  // the disk cannot hold it) commands are refused with a `storage` error.
  std::size_t max_map_size = std::size_t{1} << 40;
  // Tidal-window advisories are considered this often per hall (0: never).
  core::TimeUs advise_every = 60 * core::kUsPerSecond;
  std::string version = "hallq 0.1.0";
};

// A message to publish on the PUB socket.
struct Publication {
  std::string topic;
  std::string bytes;  // an encoded Message, in full (what the store and the stream hold)
  // An event that carries personal data (protocol/personal_data.h): the copy
  // without it, which the server sends under `topic` after `bytes` under
  // `private_topic`. Both empty for every other message.
  std::string private_topic;
  std::string withheld;
};

class Engine {
 public:
  // Recovers every configured hall from `store` (latest snapshot + later
  // events). Throws std::runtime_error for an unknown policy name and
  // core::CorruptionError for a store that does not fit the configs.
  Engine(std::vector<std::shared_ptr<const core::HallConfig>> halls, store::EventStore& store,
         EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Handles one received buffer at `now`; its reply is the next entry of
  // replies() after commit(). Never throws for bad input: garbage gets an
  // error reply. kWithhold: the reply's snapshot or events carry no personal
  // data (protocol/personal_data.h; for keys whose role does not see it).
  void handle(protocol::Bytes request, core::TimeUs now,
              protocol::PersonalData personal = protocol::PersonalData::kInclude);

  // Lets time pass for every hall (the daily reset) and, every advise_every,
  // records a tidal-window advisory where a service's predicted wait exceeds
  // the hall's target. Produces no reply.
  void tick(core::TimeUs now);

  // Handles one received buffer like handle(), and adds the audit record
  // record(outcome) to the open batch, so that one transaction writes the
  // request's events and its record (or neither). `outcome` is ok for an
  // accepted request (a retry of one, a read, a ping) and the refusal
  // otherwise; `record` is called before this returns. The record's entry in
  // replies() follows the request's, as for handle_audit().
  void handle_audited(protocol::Bytes request, core::TimeUs now,
                      const std::function<std::string(const core::Status& outcome)>& record);

  // Adds a record for the store's audit log to the open batch: written in the
  // same transaction as the batch's events (a batch may carry records only),
  // numbered in order of commit. Its entry in replies() is empty once the
  // record is durable, else the reason it was not written (storage_problem()).
  void handle_audit(std::string record);

  // Queues a reply made outside the engine (a refusal by the server's access
  // check) so that it leaves in order with the batch's others.
  void handle_ready(std::string reply);

  // Makes the batch durable; then replies() holds one reply per handle() call
  // (and one entry per audit record) in order, and publications() the batch's events in sequence order per
  // hall. Both stay valid until the next handle() or tick(). When it returns, the commit thread is idle
  // (snapshots included). Requires !in_flight().
  void commit();
  const std::vector<std::string>& replies() const { return replies_; }
  const std::vector<Publication>& publications() const { return publications_; }

  // --- pipelined use (see the top of this file)
  // Requests (and queued replies) gathered since the last seal; whether
  // anything (a request or a tick's event) waits to be sealed.
  std::size_t open_requests() const;
  bool has_open() const;
  bool in_flight() const { return sealed_ != nullptr; }
  // Seals the open batch and starts its durable write. Requires !in_flight().
  // With `commit_here`, a commit thread with nothing to do is not woken: the
  // write runs here, after the replies are encoded, and complete() is true
  // at once (for a lone request, whose batch has nothing to overlap with).
  void seal(bool commit_here = false);
  // If the sealed batch's write has ended: replies() and publications() are
  // its (after a failed write, also the refusals of the open batch), nothing
  // is in flight any more, and it returns true. False while the write runs
  // (or was started again after the map grew) or when nothing is in flight.
  bool complete();
  // Blocks until the sealed batch's write has ended (complete() may still say
  // false once, after a map growth: wait again).
  void wait_durable();
  // Blocks until the commit thread has nothing queued or running.
  void wait_idle();
  // Called on the commit thread whenever a write ends; post to the owner
  // thread and call complete() there. Null: nothing is called.
  void set_on_durable(std::function<void()> fn);

  // --- a standby (hallqd --standby, standby.h): halls another engine serves.
  // A followed hall is left alone by tick() (its time passes in its owner's
  // events) until set_following(hall, false), which also closes the request
  // memory of the last command followed (a retry then gets its outcome).
  void set_following(std::string_view hall, bool following);
  bool following(std::string_view hall) const;
  // Adds an event the hall's owner committed (its encoded Message, as the
  // stream holds it) to the open batch as if committed here: folded into the
  // hall, written by the next seal() with the batch, published with it, and
  // remembered by request id as recovery does. Refused with the reason,
  // nothing changed, if it does not decode for this hall's config or is not
  // the hall's next sequence.
  core::Status follow(std::string_view hall, std::string bytes);

  // One heartbeat per hall, to publish each second.
  std::vector<Publication> heartbeats(core::TimeUs now) const;

  // Housekeeping after the batch's replies are out: stores a snapshot of each
  // hall that has gone `snapshot_every` events without one, in a transaction
  // of its own, and waits for it. A failure is only counted: the events are
  // safe in the log and the next call tries again. (Pipelined, seal() does
  // this in the background.) Requires !in_flight().
  void maintain();

  // Commits what is in flight or gathered (their replies are dropped: the
  // requests are durable, a retry gets them), then snapshots every hall into
  // the store (clean shutdown: a fast restart).
  void checkpoint();

  std::uint64_t epoch() const { return epoch_; }
  const core::Hall* hall(std::string_view id) const;
  std::vector<std::string> hall_ids() const;

  struct Counters {
    std::uint64_t requests = 0, accepted = 0, refused = 0, malformed = 0, duplicates = 0;
    std::uint64_t batches = 0, events = 0, storage_failures = 0, map_growths = 0;
    std::uint64_t snapshots = 0, snapshot_failures = 0;
  };
  const Counters& counters() const { return counters_; }
  // The store's figures (EventStore::stats); only while the commit thread is
  // idle (after wait_idle(), the server's settle()).
  store::EventStore::Stats store_stats() const { return store_.stats(); }
  // Why the last commit failed ("磁盘空间不足（…）", a full map at its limit,
  // an I/O error), or empty: no failure yet, or a commit succeeded since.
  const std::string& storage_problem() const { return storage_problem_; }

 private:
  struct HallSlot;
  struct PendingReply;
  struct Sealed;

  HallSlot* find(std::string_view id);
  // handle(): the request's outcome (ok: accepted, a read or a ping).
  core::Status apply_request(protocol::Bytes request, core::TimeUs now,
                             protocol::PersonalData personal = protocol::PersonalData::kInclude);
  void recover(HallSlot& slot);
  void add_events(HallSlot& slot, std::size_t first, std::string_view request_id);
  std::string event_bytes(const HallSlot& slot, core::Seq seq) const;
  void fail_batch(const std::string& why);
  bool grow_map();
  void advise(HallSlot& slot, core::TimeUs now);
  void write_snapshots(bool all);
  // Snapshots due (or every one, `all`) of halls whose memory is what is
  // sealed, as one batch; the halls in `written`.
  // A stored snapshot on its way: the hall, its sequence, when, the hall's
  // sealed bytes then, and the snapshot's size (the triggers' next start).
  struct SnapshotTaken {
    HallSlot* slot;
    core::Seq seq;
    core::TimeUs at;
    std::uint64_t sealed_bytes;
    std::size_t bytes;
  };
  std::shared_ptr<store::EventStore::Batch> due_snapshots(bool all, std::vector<SnapshotTaken>& halls);
  // The snapshot is stored (or failed): the hall's triggers start again.
  void snapshot_done(const SnapshotTaken& taken, bool stored);
  void take_snapshot_outcomes();
  // `snapshots`: those encoded for the batch's replies so far, by hall and form.
  using SnapshotCache = std::map<std::pair<HallSlot*, protocol::PersonalData>, std::string>;
  void prepare_reply(PendingReply& p, SnapshotCache& snapshots);
  void refuse_all(std::vector<PendingReply>& pending, const std::string& message);

  store::EventStore& store_;
  EngineOptions options_;
  std::uint64_t epoch_;
  std::map<std::string, std::unique_ptr<HallSlot>, std::less<>> halls_;
  protocol::EngineInfo info_;

  // The batch being gathered, and the one in flight.
  std::vector<PendingReply> pending_;
  std::unique_ptr<Sealed> sealed_;
  struct SnapshotJob {
    std::uint64_t job;
    std::vector<SnapshotTaken> halls;
  };
  core::TimeUs latest_now_ = 0;  // the latest time a request or tick came with
  std::vector<SnapshotJob> snapshot_jobs_;
  std::vector<std::string> replies_;
  std::vector<Publication> publications_;
  std::vector<core::Event> scratch_;
  Counters counters_;
  std::string storage_problem_;
  std::unique_ptr<CommitThread> committer_;  // last: stopped first
};

}  // namespace hallq::server
