// The engine's durable event log: each hall's events under a gap-free
// sequence number (the first is 1), plus the hall's two latest snapshots, in
// one LMDB environment (a database per hall; README.md has the layout). The
// engine writes a whole group of commands' events in one transaction (Batch +
// commit) before it replies, and on start recovers each hall from
// latest_snapshot() plus for_each_event() after it.
// Payloads are opaque bytes (FlatBuffers, encoded elsewhere); the store knows
// halls, sequence numbers and bytes, nothing of their meaning.
// A commit is one record of the store's commit log, flushed once; a thread
// the store owns writes logged batches into LMDB soon after (README.md,
// "Durability"). Every read sees every committed batch, also in a read-only
// store of another process (it reads the log's tail, writing nothing).
//
// Errors: StoreError for storage failures (LMDB or the file system) with
// nothing of the failed call written; std::logic_error for misuse (a gap in a
// sequence, a write to a read-only store) with nothing written either.
//
// Thread: one owner thread calls every method (it need not be the thread
// that opened the store), except that for_each_event, read_event and halls
// may also be called from other threads at the same time (a history worker
// reading while the engine commits): such a read sees the store as of its
// start and holds off grow_map() until it ends. Other processes may read the same
// store at the same time by opening it read-only; only one EventStore at a
// time may have a store open for writing (the second open fails). Do not
// open the same directory twice in one process. backup() blocks its caller
// for the whole copy, so back up a large live store from another process
// (a read-only EventStore, or `mdb_copy -c`, which lacks the commit log's
// pending tail; see README.md). A writable store runs one thread of its own
// (the applier), stopped by the destructor after a last apply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store/store_error.h"

namespace hallq::store {

struct StoreOptions {
  std::string dir;                     // created if missing (unless read_only)
  std::size_t map_size = 64ull << 30;  // LMDB map size, a sparse reservation; a
                                       // store grown beyond it keeps its size
  bool durable = true;                 // false: MDB_NOSYNC, for tests and benchmarks only
  bool read_only = false;              // open an existing store read-only (inspection, backup tools)
};

struct StoredSnapshot {
  std::uint64_t seq;  // the last event the snapshot reflects
  std::string bytes;
};

class EventStore {
 public:
  // Halls per store (each has an LMDB database of its own; README.md,
  // "Limits"). commit() refuses a batch that would add a hall beyond it.
  static constexpr std::size_t kMaxHalls = 1000;

  // The writes of one group commit: events, snapshots and audit records. It
  // copies halls, payloads and records, so the caller's buffers may be reused
  // at once; clear() keeps the memory for the next group.
  class Batch {
   public:
    // Both throw std::invalid_argument for a hall id that is not
    // [a-z0-9-]+ of at most 64 characters. Sequence numbers are checked by
    // commit(), against the store.
    void add_event(std::string_view hall, std::uint64_t seq, std::string_view bytes);
    // The hall's state as of its event `seq` (which must be stored, or added
    // earlier in this batch). Snapshots of a hall beyond its two latest are
    // deleted by the same commit.
    void put_snapshot(std::string_view hall, std::uint64_t seq, std::string_view bytes);
    // A record for the audit log (opaque bytes), written by the same
    // transaction as the batch's events and numbered after the records
    // stored, in the order added. A batch may hold audit records only.
    void add_audit(std::string_view record);

    bool empty() const { return entries_.empty() && audits_.empty(); }
    // Events and snapshots (audit records not counted).
    std::size_t size() const { return entries_.size(); }
    std::size_t audit_records() const { return audits_.size(); }
    void clear();

   private:
    friend class EventStore;
    enum class Kind : std::uint8_t { kEvent, kSnapshot };
    struct Entry {
      Kind kind;
      std::uint8_t hall_size;
      std::uint64_t seq;
      std::size_t offset;  // the hall id at arena_[offset], the payload right after it
      std::size_t size;    // payload size
    };
    struct Span {
      std::size_t offset, size;  // an audit record in arena_
    };
    void add(Kind kind, std::string_view hall, std::uint64_t seq, std::string_view bytes);
    std::string_view hall(const Entry& e) const { return {arena_.data() + e.offset, e.hall_size}; }
    std::string_view bytes(const Entry& e) const { return {arena_.data() + e.offset + e.hall_size, e.size}; }
    std::string_view bytes(const Span& s) const { return {arena_.data() + s.offset, s.size}; }

    std::vector<Entry> entries_;
    std::vector<Span> audits_;
    std::string arena_;
  };

  // Opens (creating if needed, unless read_only) the store in options.dir.
  // Throws StoreError if the directory cannot be created or opened, holds no
  // hallq store (read_only), holds a store of another format version or
  // other LMDB data, or is already open for writing elsewhere.
  explicit EventStore(StoreOptions options);
  ~EventStore();
  // A moved-from store may only be destroyed or assigned to.
  EventStore(EventStore&&) noexcept;
  EventStore& operator=(EventStore&&) noexcept;

  // Stores the batch, all or nothing (its events, snapshots and audit
  // records together): its events and audit records as one commit-log
  // record, durable (one fdatasync) when this returns unless opened with
  // durable = false; LMDB gets the batch, snapshots included, with the
  // store's next apply. An empty batch does nothing.
  // Checks first that each hall's events continue its sequence without gaps
  // (seq == last_seq(hall) + 1, also from event to event within the batch)
  // and that each snapshot's seq is an event already stored or earlier in
  // the batch; throws std::logic_error otherwise, writing nothing (not the
  // other halls' entries either). Throws std::logic_error on a read-only
  // store. Throws StoreError on a storage failure (map full, disk full, I/O)
  // with nothing written and the store still usable: on map_full(), call
  // grow_map() and commit again, or commit a smaller batch. Such a failure is
  // the batch's own (the log's append; a batch too large for the log or the
  // map's room, written straight to LMDB) or that of applying earlier
  // batches, which stay durable in the log: while the last apply failed,
  // commit() retries it first and throws its error if it fails again. (After
  // an error with code MDB_PANIC the environment is unusable and must be
  // reopened.)
  // Throws StoreError with code MDB_DBS_FULL, nothing written, if the batch
  // would bring the store beyond kMaxHalls halls, and with code MDB_KEYEXIST
  // if an event is already stored although the store's cache says it is not
  // (someone else wrote to the store).
  void commit(const Batch& batch);

  // The last event's seq of `hall`; 0 if it has none.
  std::uint64_t last_seq(std::string_view hall) const;
  // The latest snapshot of `hall`, if any.
  std::optional<StoredSnapshot> latest_snapshot(std::string_view hall) const;
  // Calls fn(seq, bytes) for the events of `hall` with seq >= from, in
  // ascending order, until fn returns false. `bytes` points into the store's
  // memory map and is valid only during the call. All calls see one
  // consistent state of the store; fn may call this store's read methods but
  // not commit() or grow_map(). An exception from fn propagates.
  void for_each_event(std::string_view hall, std::uint64_t from,
                      const std::function<bool(std::uint64_t, std::string_view)>& fn) const;
  std::optional<std::string> read_event(std::string_view hall, std::uint64_t seq) const;
  // The halls with anything stored, in byte order of their ids.
  std::vector<std::string> halls() const;

  // The audit log (managers' logins and actions): records numbered 1, 2, ...
  // in order of commit, in a database of their own, written only by
  // commit() (Batch::add_audit). for_each_audit calls fn(number, bytes) from
  // `from` on, ascending, until fn returns false.
  void for_each_audit(std::uint64_t from,
                      const std::function<bool(std::uint64_t, std::string_view)>& fn) const;

  // Writes a consistent copy of the store, as of the start of the call (a
  // writable store applies its pending batches first; a read-only one copies
  // the commit log after LMDB, README.md), into
  // `dest_dir` (created if missing; must not hold a data.mdb yet), ready to be
  // opened by EventStore; compacting omits free pages (smaller, slower to
  // make). Safe while another process writes; also works on a read-only
  // store, which is how a separate backup process should do it. The copy is
  // flushed to disk before returning. Throws StoreError.
  void backup(const std::string& dest_dir, bool compact = true) const;

  // Enlarges the LMDB map to `new_size` bytes (no-op if not larger), then
  // records the new size with a write transaction that also retries a failed
  // apply (its error is kept for the next commit). Throws std::logic_error
  // on a read-only store or from inside a for_each_event callback, StoreError
  // if the new mapping fails. Readers in other processes follow by themselves.
  void grow_map(std::size_t new_size);

  // Writes every batch that is only in the commit log into LMDB now, in one
  // durable transaction (the store does so by itself within milliseconds;
  // README.md, "Durability"). Afterwards a copy of data.mdb alone (mdb_copy)
  // holds everything committed so far. Throws StoreError as commit() does
  // (the batches stay in the log), std::logic_error on a read-only store.
  void apply_log();

  struct Stats {
    std::uint64_t events;
    std::uint64_t snapshots;
    std::size_t map_size;    // bytes reserved for the map
    std::size_t used_bytes;  // bytes of the map in use, free pages included
    std::uint64_t commits;   // batches this EventStore committed since it opened
  };
  Stats stats() const;
  // The directory it was opened in (StoreOptions::dir).
  const std::string& dir() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hallq::store
