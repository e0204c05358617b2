// The event store on LMDB, format "hallq-store 2". Named databases:
//   meta         "format" -> "hallq-store 2"
//   halls        hall id -> 4-byte big-endian hall number, assigned on first write
//   events:<id>  one per hall: seq (8 bytes BE) -> event bytes
//   snapshots    hall number (4 bytes BE) + seq (8 bytes BE) -> snapshot bytes;
//                the two latest per hall
//   audit        record number (8 bytes BE) -> audit record bytes, from 1 on;
//                created by the first commit that carries a record
// A hall's events are its own B-tree whose keys only grow, so every event is
// appended (MDB_APPEND: no search, and a full page is left full when the tree
// grows). With one shared tree keyed (hall, seq), as in format 1, every hall
// but the last inserted mid-tree, and LMDB split those pages in half.
// Snapshots stay shared: they are few and large (overflow pages), and a
// database per hall costs a DBI slot, which LMDB allocates per transaction.
//
// A writable store caches each hall's number, last seq and events DBI, all
// loaded at open: commit() checks sequences against the cache and touches
// LMDB only to write. The cache changes only after the transaction has
// committed, so a failed commit leaves it as it was. A read-only store opens
// a hall's database when first asked for it (the writer may add halls).
#include "engine/store/event_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "engine/store/lmdb.h"

namespace hallq::store {
namespace {

constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kFormat = "hallq-store 2";
constexpr std::string_view kFormat1 = "hallq-store 1";
constexpr std::string_view kEventsDbPrefix = "events:";
constexpr std::size_t kMaxHallIdSize = 64;
constexpr std::size_t kSnapshotsKept = 2;
// Halls per store: each has a database of its own, and LMDB sizes every read
// transaction by the number of databases it may open (about 50 bytes each,
// zeroed per transaction). README.md, "Limits", has the measurements.
constexpr std::size_t kMaxHalls = EventStore::kMaxHalls;
constexpr MDB_dbi kCoreDbs = 4;  // meta, halls, snapshots, audit
constexpr MDB_dbi kMaxDbs = kCoreDbs + kMaxHalls;
constexpr mdb_mode_t kFileMode = 0644;
// Held (flock) by the one writable EventStore of a directory: the cache
// assumes no one else writes.
constexpr const char* kWriterLockFile = "hallq.lock";

using SeqKey = std::array<char, 8>;        // an event's key in its hall's database
using SnapshotKey = std::array<char, 12>;  // hall number + seq

void put_be(char* out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

std::uint64_t get_be(const char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

SeqKey seq_key(std::uint64_t seq) {
  SeqKey key;
  put_be(key.data(), seq, 8);
  return key;
}

SnapshotKey snapshot_key(std::uint32_t hall_no, std::uint64_t seq) {
  SnapshotKey key;
  put_be(key.data(), hall_no, 4);
  put_be(key.data() + 4, seq, 8);
  return key;
}

template <std::size_t N>
std::string_view view(const std::array<char, N>& key) {
  return {key.data(), key.size()};
}

[[noreturn]] void corrupt(std::string_view what) {
  throw StoreError(MDB_CORRUPTED, "read", fmt::format("store damaged: {}", what));
}

std::uint64_t event_seq(const MDB_val& key) {
  if (key.mv_size != sizeof(SeqKey)) corrupt(fmt::format("an event key of {} bytes", key.mv_size));
  return get_be(static_cast<const char*>(key.mv_data), 8);
}

std::uint32_t snapshot_hall(const MDB_val& key) {
  if (key.mv_size != sizeof(SnapshotKey)) corrupt(fmt::format("a snapshot key of {} bytes", key.mv_size));
  return static_cast<std::uint32_t>(get_be(static_cast<const char*>(key.mv_data), 4));
}

std::uint64_t snapshot_seq(const MDB_val& key) {
  return get_be(static_cast<const char*>(key.mv_data) + 4, 8);
}

std::uint32_t decode_hall_no(std::string_view value) {
  if (value.size() != 4) corrupt(fmt::format("a hall number of {} bytes", value.size()));
  return static_cast<std::uint32_t>(get_be(value.data(), 4));
}

bool valid_hall_id(std::string_view hall) {
  if (hall.empty() || hall.size() > kMaxHallIdSize) return false;
  return std::all_of(hall.begin(), hall.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// Opens (with MDB_CREATE: creates) the events database of `hall`; nullopt if
// it does not exist and `flags` lacks MDB_CREATE.
std::optional<lmdb::Dbi> open_events_db(MDB_txn* txn, std::string_view hall, unsigned flags) {
  const std::string name = fmt::format("{}{}", kEventsDbPrefix, hall);
  try {
    return lmdb::Dbi::open(txn, name.c_str(), flags);
  } catch (const StoreError& e) {
    if (e.code() != MDB_DBS_FULL) throw;
    throw StoreError(e.code(), e.call(),
                     fmt::format("more halls than this build opens ({}): {}", kMaxHalls, e.what()));
  }
}

// Places `cursor` on the greatest key of hall `hall_no` in the snapshots
// database; returns false (cursor anywhere) if the hall has none.
bool seek_last_snapshot(lmdb::Cursor& cursor, std::uint32_t hall_no, MDB_val* key, MDB_val* data) {
  bool found;
  if (hall_no == std::numeric_limits<std::uint32_t>::max()) {
    found = cursor.get(key, data, MDB_LAST);
  } else {
    const SnapshotKey next = snapshot_key(hall_no + 1, 0);
    *key = lmdb::to_val(view(next));
    found = cursor.get(key, data, MDB_SET_RANGE) ? cursor.get(key, data, MDB_PREV)
                                                 : cursor.get(key, data, MDB_LAST);
  }
  return found && snapshot_hall(*key) == hall_no;
}

// Adds "store DIR: " to an LMDB error, keeping its code.
[[noreturn]] void rethrow_in(const std::string& dir, const StoreError& e) {
  throw StoreError(e.code(), e.call(), fmt::format("store {}: {}", dir, e.what()));
}

// An owned file descriptor (the writer lock).
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

UniqueFd lock_for_writing(const std::string& dir) {
  const std::string path = dir + "/" + kWriterLockFile;
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kFileMode));
  if (fd.get() < 0) {
    const int err = errno;
    throw StoreError(err, "open", fmt::format("cannot open {}: {}", path, std::strerror(err)));
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) {
      throw StoreError(err, "flock",
                       "already open for writing by another process (or another EventStore in this one)");
    }
    throw StoreError(err, "flock", fmt::format("cannot lock {}: {}", path, std::strerror(err)));
  }
  return fd;
}

// fsync a file or directory, so a finished backup survives a crash.
void sync_path(const std::string& path, int flags) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    const int err = errno;
    throw StoreError(err, "fsync", fmt::format("cannot flush {}: {}", path, std::strerror(err)));
  }
}

}  // namespace

// ---------------------------------------------------------------- Batch

void EventStore::Batch::add_event(std::string_view hall, std::uint64_t seq, std::string_view bytes) {
  add(Kind::kEvent, hall, seq, bytes);
}

void EventStore::Batch::put_snapshot(std::string_view hall, std::uint64_t seq, std::string_view bytes) {
  add(Kind::kSnapshot, hall, seq, bytes);
}

void EventStore::Batch::add_audit(std::string_view record) {
  audits_.push_back({arena_.size(), record.size()});
  arena_.append(record);
}

void EventStore::Batch::clear() {
  entries_.clear();
  audits_.clear();
  arena_.clear();
}

void EventStore::Batch::add(Kind kind, std::string_view hall, std::uint64_t seq, std::string_view bytes) {
  if (!valid_hall_id(hall)) {
    throw std::invalid_argument(
        fmt::format("hall id '{}' is not [a-z0-9-]+ of at most {} characters", hall, kMaxHallIdSize));
  }
  const std::size_t offset = arena_.size();
  arena_.append(hall).append(bytes);
  entries_.push_back({kind, static_cast<std::uint8_t>(hall.size()), seq, offset, bytes.size()});
}

// ---------------------------------------------------------------- Impl

class EventStore::Impl {
 public:
  explicit Impl(StoreOptions options);

  void commit(const Batch& batch);
  std::uint64_t last_seq(std::string_view hall) const;
  std::optional<StoredSnapshot> latest_snapshot(std::string_view hall) const;
  void for_each_event(std::string_view hall, std::uint64_t from,
                      const std::function<bool(std::uint64_t, std::string_view)>& fn) const;
  std::optional<std::string> read_event(std::string_view hall, std::uint64_t seq) const;
  std::vector<std::string> halls() const;
  void for_each_audit(std::uint64_t from,
                      const std::function<bool(std::uint64_t, std::string_view)>& fn) const;
  void backup(const std::string& dest_dir, bool compact) const;
  void grow_map(std::size_t new_size);
  const std::string& dir() const { return options_.dir; }
  Stats stats() const;

 private:
  struct HallState {
    std::uint32_t number;
    std::uint64_t last_seq;  // writable stores only
    lmdb::Dbi events;
  };
  using HallCache = std::map<std::string, HallState, std::less<>>;

  // A hall that the batch being committed touches.
  struct Touched {
    std::string_view hall;
    HallState* state;        // its cache entry (for a new hall, a node not yet in the cache)
    std::uint64_t last_seq;  // as of the entries checked so far
    bool is_new;
    bool has_snapshots;
  };
  struct EventWrite {
    std::size_t touched;  // index in touched_
    std::size_t entry;
  };
  struct SnapshotWrite {
    SnapshotKey key;
    std::size_t entry;
  };

  // A read transaction. The outermost read of a thread holds the store's
  // map gate shared, so grow_map() waits for reads on other threads and
  // refuses one from inside a read on its own thread (LMDB: no remap under
  // an open transaction of this process).
  class ReadTxn {
   public:
    explicit ReadTxn(const Impl& store) : store_(store), outermost_(!store.reading_here()) {
      if (outermost_) store_.map_gate_.lock_shared();
      try {
        txn_ = store_.begin(MDB_RDONLY);
      } catch (...) {
        if (outermost_) store_.map_gate_.unlock_shared();
        throw;
      }
      store_.enter_read();
    }
    ~ReadTxn() {
      txn_ = {};  // ends the transaction before the gate opens
      store_.leave_read();
      if (outermost_) store_.map_gate_.unlock_shared();
    }
    MDB_txn* get() const { return txn_.handle(); }

   private:
    const Impl& store_;
    bool outermost_;
    lmdb::Txn txn_;
  };
  // The reads of this store open on the calling thread (they nest).
  void enter_read() const;
  void leave_read() const;
  bool reading_here() const;

  lmdb::Txn begin(unsigned flags) const;
  void open_databases();
  void load_cache();
  // The hall's cache entry; nullptr if it has nothing stored. A read-only
  // store opens the hall's database on first use, in a transaction of its
  // own (LMDB: a transaction that opens a database must end before another
  // may open one, and a database opened later is invisible to transactions
  // begun earlier), so call this before beginning the read that needs it.
  const HallState* find(std::string_view hall) const;
  std::uint64_t stored_last_seq(MDB_txn* txn, lmdb::Dbi events) const;
  // The index in touched_ of `hall`, adding it (and for a new hall, its
  // number and cache node in `fresh`) on first sight.
  std::size_t touch(std::string_view hall, HallCache& fresh);
  void write(MDB_txn* txn, const Batch& batch);
  void write_events(MDB_txn* txn, const Batch& batch);
  void trim_snapshots(MDB_txn* txn, std::uint32_t hall_no);
  // Appends the batch's audit records after last_audit_; the database
  // handle (created on first use) for the cache once committed.
  lmdb::Dbi write_audit(MDB_txn* txn, const Batch& batch);

  StoreOptions options_;
  UniqueFd writer_lock_;  // declared before env_: released after the environment closes
  lmdb::Env env_;
  lmdb::Dbi meta_db_, halls_db_, snapshots_db_;
  std::optional<lmdb::Dbi> audit_db_;  // created by the first commit with an audit record
  std::uint64_t last_audit_ = 0;
  std::uint64_t commits_ = 0;  // write transactions committed
  // Held shared by each thread's outermost read, exclusively by grow_map().
  mutable std::shared_mutex map_gate_;

  // Writable stores: every hall, loaded at open. Read-only stores: the halls
  // asked for so far. Nodes never move or go; cache_mutex_ guards the map's
  // structure (lookups from reading threads, inserts), not the nodes' fields.
  mutable HallCache cache_;
  mutable std::shared_mutex cache_mutex_;
  std::uint32_t next_hall_no_ = 1;  // writable stores only

  // commit() scratch, kept to reuse its memory.
  std::vector<Touched> touched_;
  std::unordered_map<std::string_view, std::size_t> touched_index_;
  std::vector<EventWrite> event_writes_;
  std::vector<SnapshotWrite> snapshot_writes_;
};

EventStore::Impl::Impl(StoreOptions options) : options_(std::move(options)) {
  if (options_.dir.empty()) throw std::invalid_argument("store: StoreOptions::dir is empty");
  try {
    // MDB_NOTLS: read transactions nest (store reads inside a for_each_event
    // callback), and the owner thread need not be the one that opened the store.
    unsigned flags = MDB_NOTLS;
    if (options_.read_only) {
      flags |= MDB_RDONLY;
    } else {
      std::error_code ec;
      std::filesystem::create_directories(options_.dir, ec);
      if (ec) {
        throw StoreError(ec.value(), "create_directories",
                         fmt::format("cannot create the directory: {}", ec.message()));
      }
      writer_lock_ = lock_for_writing(options_.dir);
      if (!options_.durable) flags |= MDB_NOSYNC;
    }
    env_ = lmdb::Env::create();
    env_.set_maxdbs(kMaxDbs);
    // No map size before open: LMDB then maps the size recorded in the store,
    // which grow_map() may have raised beyond options_.map_size.
    env_.open(options_.dir.c_str(), flags, kFileMode);
    if (!options_.read_only && env_.info().me_mapsize < options_.map_size)
      env_.set_mapsize(options_.map_size);
    open_databases();
    if (!options_.read_only) load_cache();
  } catch (const StoreError& e) {
    rethrow_in(options_.dir, e);
  }
}

lmdb::Txn EventStore::Impl::begin(unsigned flags) const {
  try {
    return lmdb::Txn::begin(env_.handle(), flags);
  } catch (const StoreError& e) {
    // Another process grew the map past ours (a read-only store sees this
    // when the engine grew it). Adopt the new size, which LMDB allows only
    // while this process has no transaction open.
    if (e.code() != MDB_MAP_RESIZED || reading_here()) throw;
  }
  lmdb::env_set_mapsize(env_.handle(), 0);
  return lmdb::Txn::begin(env_.handle(), flags);
}

void EventStore::Impl::open_databases() {
  lmdb::Txn txn = begin(options_.read_only ? MDB_RDONLY : 0);
  MDB_txn* t = txn.handle();
  const lmdb::Dbi main_db = *lmdb::Dbi::open(t, nullptr);
  bool created = false;
  if (auto meta = lmdb::Dbi::open(t, "meta")) {
    meta_db_ = *meta;
    const auto format = meta_db_.get(t, kFormatKey);
    if (format == kFormat1) {
      throw StoreError(
          MDB_INCOMPATIBLE, "open",
          fmt::format("store format '{}' (all halls' events in one database) is not read by this "
                      "build, which reads '{}' (a database per hall); there is no migration: "
                      "move the directory away and start with an empty one",
                      kFormat1, kFormat));
    }
    if (format != kFormat) {
      throw StoreError(MDB_INCOMPATIBLE, "open",
                       fmt::format("unknown store format '{}' (this build reads '{}')",
                                   format.value_or("(none)"), kFormat));
    }
  } else if (main_db.stat(t).ms_entries != 0) {
    throw StoreError(MDB_INCOMPATIBLE, "open", "not a hallq store (other LMDB data, no 'meta' database)");
  } else if (options_.read_only) {
    throw StoreError(MDB_NOTFOUND, "open", "empty, not a hallq store yet");
  } else {
    created = true;
    meta_db_ = *lmdb::Dbi::open(t, "meta", MDB_CREATE);
    meta_db_.put(t, kFormatKey, kFormat);
  }
  const auto require = [&](const char* name) {
    auto dbi = lmdb::Dbi::open(t, name, created ? MDB_CREATE : 0);
    if (!dbi) {
      throw StoreError(MDB_NOTFOUND, "open", fmt::format("damaged, the '{}' database is missing", name));
    }
    return *dbi;
  };
  halls_db_ = require("halls");
  snapshots_db_ = require("snapshots");
  audit_db_ = lmdb::Dbi::open(t, "audit");  // absent until the first record
  if (audit_db_) {
    lmdb::Cursor cursor = lmdb::Cursor::open(t, *audit_db_);
    MDB_val key{}, data{};
    if (cursor.get(&key, &data, MDB_LAST)) last_audit_ = event_seq(key);
  }
  // Commit even a read-only transaction: DBI handles opened by an aborted one are closed.
  txn.commit();
}

void EventStore::Impl::load_cache() {
  // Not a ReadTxn: it opens every hall's database, and must commit to keep them.
  lmdb::Txn txn = begin(MDB_RDONLY);
  lmdb::Cursor cursor = lmdb::Cursor::open(txn.handle(), halls_db_);
  MDB_val key{}, data{};
  for (bool more = cursor.get(&key, &data, MDB_FIRST); more; more = cursor.get(&key, &data, MDB_NEXT)) {
    const std::string_view hall = lmdb::to_view(key);
    const std::uint32_t number = decode_hall_no(lmdb::to_view(data));
    const auto events = open_events_db(txn.handle(), hall, 0);
    if (!events) corrupt(fmt::format("hall '{}' has no events database", hall));
    cache_.emplace(std::string(hall), HallState{number, stored_last_seq(txn.handle(), *events), *events});
    next_hall_no_ = std::max(next_hall_no_, number + 1);
  }
  cursor.close();  // before its transaction ends
  txn.commit();
}

namespace {

// The stores this thread is reading (outermost first), one entry per nested read.
thread_local std::vector<const void*> t_reading;

}  // namespace

void EventStore::Impl::enter_read() const { t_reading.push_back(this); }

void EventStore::Impl::leave_read() const {
  t_reading.erase(std::find(t_reading.rbegin(), t_reading.rend(), this).base() - 1);
}

bool EventStore::Impl::reading_here() const {
  return std::find(t_reading.begin(), t_reading.end(), this) != t_reading.end();
}

const EventStore::Impl::HallState* EventStore::Impl::find(std::string_view hall) const {
  {
    std::shared_lock lock(cache_mutex_);
    if (const auto it = cache_.find(hall); it != cache_.end()) return &it->second;
  }
  // A writable store knows every hall; invalid ids were never stored (and
  // LMDB refuses empty keys).
  if (!options_.read_only || !valid_hall_id(hall)) return nullptr;
  lmdb::Txn txn = begin(MDB_RDONLY);
  const auto value = halls_db_.get(txn.handle(), hall);
  if (!value) return nullptr;  // not yet: the writer may add it later
  const std::uint32_t number = decode_hall_no(*value);
  const auto events = open_events_db(txn.handle(), hall, 0);
  if (!events) corrupt(fmt::format("hall '{}' has no events database", hall));
  txn.commit();  // keeps the handle
  std::unique_lock lock(cache_mutex_);
  return &cache_.emplace(std::string(hall), HallState{number, 0, *events}).first->second;
}

std::uint64_t EventStore::Impl::stored_last_seq(MDB_txn* txn, lmdb::Dbi events) const {
  lmdb::Cursor cursor = lmdb::Cursor::open(txn, events);
  MDB_val key{}, data{};
  return cursor.get(&key, &data, MDB_LAST) ? event_seq(key) : 0;
}

// ---------------------------------------------------------------- commit

void EventStore::Impl::commit(const Batch& batch) {
  if (options_.read_only) {
    throw std::logic_error(fmt::format("store {}: commit on a store opened read-only", options_.dir));
  }
  if (batch.empty()) return;

  // 1. Check the whole batch against the cache; nothing is written yet.
  touched_.clear();
  touched_index_.clear();
  event_writes_.clear();
  snapshot_writes_.clear();
  HallCache fresh;  // cache nodes of new halls, spliced into cache_ once committed
  std::size_t current = 0;
  for (std::size_t i = 0; i < batch.entries_.size(); ++i) {
    const Batch::Entry& entry = batch.entries_[i];
    const std::string_view hall = batch.hall(entry);
    // Entries of one hall tend to come together: try the previous one first.
    if (touched_.empty() || touched_[current].hall != hall) current = touch(hall, fresh);
    Touched& t = touched_[current];
    if (entry.kind == Batch::Kind::kEvent) {
      if (entry.seq != t.last_seq + 1) {
        throw std::logic_error(
            fmt::format("store: hall '{}': event seq {} does not follow {}; nothing written", hall, entry.seq,
                        t.last_seq));
      }
      t.last_seq = entry.seq;
      event_writes_.push_back({current, i});
    } else {
      if (entry.seq > t.last_seq) {
        throw std::logic_error(
            fmt::format("store: hall '{}': snapshot at seq {} is ahead of its last event {}; nothing written",
                        hall, entry.seq, t.last_seq));
      }
      t.has_snapshots = true;
      snapshot_writes_.push_back({snapshot_key(t.state->number, entry.seq), i});
    }
  }
  // One run per hall, in seq order (the sort is stable), so that each hall's
  // events go in through one cursor that stays at the end of its database.
  // The engine sends each hall's events together: already in this order.
  const auto by_hall = [](const EventWrite& a, const EventWrite& b) { return a.touched < b.touched; };
  if (!std::is_sorted(event_writes_.begin(), event_writes_.end(), by_hall)) {
    std::stable_sort(event_writes_.begin(), event_writes_.end(), by_hall);
  }

  // 2. One write transaction; any exception aborts it (and closes the
  // databases it created).
  std::optional<lmdb::Dbi> audit_db = audit_db_;
  try {
    lmdb::Txn txn = begin(0);
    write(txn.handle(), batch);
    if (!batch.audits_.empty()) audit_db = write_audit(txn.handle(), batch);
    txn.commit();
  } catch (const StoreError& e) {
    rethrow_in(options_.dir, e);
  }

  // 3. Committed: bring the cache up to date. Nothing here allocates or
  // throws (map::merge moves nodes), so cache and store cannot part.
  {
    std::unique_lock lock(cache_mutex_);
    cache_.merge(fresh);
  }
  for (const Touched& t : touched_) {
    t.state->last_seq = t.last_seq;
    if (t.is_new) next_hall_no_ = std::max(next_hall_no_, t.state->number + 1);
  }
  audit_db_ = audit_db;
  last_audit_ += batch.audits_.size();
  ++commits_;
}

std::size_t EventStore::Impl::touch(std::string_view hall, HallCache& fresh) {
  if (auto it = touched_index_.find(hall); it != touched_index_.end()) return it->second;
  Touched t{hall, nullptr, 0, false, false};
  if (auto it = cache_.find(hall); it != cache_.end()) {
    t.state = &it->second;
    t.last_seq = it->second.last_seq;
  } else {
    if (cache_.size() + fresh.size() >= kMaxHalls) {
      throw StoreError(MDB_DBS_FULL, "commit",
                       fmt::format("store {}: hall '{}' would be its hall number {}, beyond the limit of {} "
                                   "halls per store; nothing written",
                                   options_.dir, hall, cache_.size() + fresh.size() + 1, kMaxHalls));
    }
    const std::uint32_t number = next_hall_no_ + static_cast<std::uint32_t>(fresh.size());
    t.state = &fresh.emplace(std::string(hall), HallState{number, 0, {}}).first->second;
    t.is_new = true;
  }
  touched_.push_back(t);
  touched_index_.emplace(hall, touched_.size() - 1);
  return touched_.size() - 1;
}

void EventStore::Impl::write(MDB_txn* txn, const Batch& batch) {
  char number[4];
  for (const Touched& t : touched_) {
    if (!t.is_new) continue;
    put_be(number, t.state->number, 4);
    halls_db_.put(txn, t.hall, std::string_view(number, 4), MDB_NOOVERWRITE);
    // Its handle is valid once the transaction commits; the cache node holding
    // it joins the cache only then.
    t.state->events = *open_events_db(txn, t.hall, MDB_CREATE);
  }
  write_events(txn, batch);
  for (const SnapshotWrite& w : snapshot_writes_)
    snapshots_db_.put(txn, view(w.key), batch.bytes(batch.entries_[w.entry]));
  for (const Touched& t : touched_) {
    if (t.has_snapshots) trim_snapshots(txn, t.state->number);
  }
}

void EventStore::Impl::write_events(MDB_txn* txn, const Batch& batch) {
  for (std::size_t i = 0; i < event_writes_.size();) {
    const std::size_t hall = event_writes_[i].touched;
    const Touched& t = touched_[hall];
    lmdb::Cursor cursor = lmdb::Cursor::open(txn, t.state->events);
    for (; i < event_writes_.size() && event_writes_[i].touched == hall; ++i) {
      const Batch::Entry& entry = batch.entries_[event_writes_[i].entry];
      // MDB_APPEND refuses (MDB_KEYEXIST) any key not greater than the
      // database's last, so besides skipping the search it guards like
      // MDB_NOOVERWRITE: a stale cache (a second writer) is an error, never
      // an overwritten or misplaced event.
      try {
        cursor.put(view(seq_key(entry.seq)), batch.bytes(entry), MDB_APPEND | MDB_NOOVERWRITE);
      } catch (const StoreError& e) {
        if (e.code() != MDB_KEYEXIST) throw;
        throw StoreError(e.code(), e.call(),
                         fmt::format("hall '{}': event {} is not after the last stored one (written by "
                                     "another process?); nothing written: {}",
                                     t.hall, entry.seq, e.what()));
      }
    }
  }  // each cursor closes before the transaction ends
}

void EventStore::Impl::trim_snapshots(MDB_txn* txn, std::uint32_t hall_no) {
  std::vector<SnapshotKey> doomed;
  {
    lmdb::Cursor cursor = lmdb::Cursor::open(txn, snapshots_db_);
    MDB_val key{}, data{};
    std::size_t seen = 0;
    for (bool more = seek_last_snapshot(cursor, hall_no, &key, &data); more && snapshot_hall(key) == hall_no;
         more = cursor.get(&key, &data, MDB_PREV)) {
      if (++seen > kSnapshotsKept) doomed.push_back(snapshot_key(hall_no, snapshot_seq(key)));
    }
  }
  for (const SnapshotKey& key : doomed) snapshots_db_.del(txn, view(key));
}

lmdb::Dbi EventStore::Impl::write_audit(MDB_txn* txn, const Batch& batch) {
  // A handle opened (created) here is valid once the transaction commits.
  const lmdb::Dbi db = audit_db_ ? *audit_db_ : *lmdb::Dbi::open(txn, "audit", MDB_CREATE);
  lmdb::Cursor cursor = lmdb::Cursor::open(txn, db);
  std::uint64_t number = last_audit_;
  for (const Batch::Span& record : batch.audits_)
    cursor.put(view(seq_key(++number)), batch.bytes(record), MDB_APPEND | MDB_NOOVERWRITE);
  return db;
}

// ---------------------------------------------------------------- reads

std::uint64_t EventStore::Impl::last_seq(std::string_view hall) const {
  const HallState* state = find(hall);
  if (state == nullptr) return 0;
  if (!options_.read_only) return state->last_seq;
  // Read-only: another process writes, so ask the store.
  ReadTxn txn(*this);
  return stored_last_seq(txn.get(), state->events);
}

std::optional<StoredSnapshot> EventStore::Impl::latest_snapshot(std::string_view hall) const {
  const HallState* state = find(hall);
  if (state == nullptr) return std::nullopt;
  ReadTxn txn(*this);
  lmdb::Cursor cursor = lmdb::Cursor::open(txn.get(), snapshots_db_);
  MDB_val key{}, data{};
  if (!seek_last_snapshot(cursor, state->number, &key, &data)) return std::nullopt;
  return StoredSnapshot{snapshot_seq(key), std::string(lmdb::to_view(data))};
}

void EventStore::Impl::for_each_event(std::string_view hall, std::uint64_t from,
                                      const std::function<bool(std::uint64_t, std::string_view)>& fn) const {
  const HallState* state = find(hall);
  if (state == nullptr) return;
  ReadTxn txn(*this);
  lmdb::Cursor cursor = lmdb::Cursor::open(txn.get(), state->events);
  const SeqKey start = seq_key(from);
  MDB_val key = lmdb::to_val(view(start));
  MDB_val data{};
  for (bool more = cursor.get(&key, &data, MDB_SET_RANGE); more; more = cursor.get(&key, &data, MDB_NEXT)) {
    if (!fn(event_seq(key), lmdb::to_view(data))) break;
  }
}

std::optional<std::string> EventStore::Impl::read_event(std::string_view hall, std::uint64_t seq) const {
  const HallState* state = find(hall);
  if (state == nullptr) return std::nullopt;
  ReadTxn txn(*this);
  const auto bytes = state->events.get(txn.get(), view(seq_key(seq)));
  if (!bytes) return std::nullopt;
  return std::string(*bytes);
}

std::vector<std::string> EventStore::Impl::halls() const {
  ReadTxn txn(*this);
  lmdb::Cursor cursor = lmdb::Cursor::open(txn.get(), halls_db_);
  std::vector<std::string> result;
  MDB_val key{}, data{};
  for (bool more = cursor.get(&key, &data, MDB_FIRST); more; more = cursor.get(&key, &data, MDB_NEXT)) {
    result.emplace_back(lmdb::to_view(key));
  }
  return result;
}

void EventStore::Impl::for_each_audit(std::uint64_t from,
                                      const std::function<bool(std::uint64_t, std::string_view)>& fn) const {
  ReadTxn txn(*this);
  std::optional<lmdb::Dbi> db = audit_db_;
  if (!db) db = lmdb::Dbi::open(txn.get(), "audit");  // a read-only store: written since it opened?
  if (!db) return;
  lmdb::Cursor cursor = lmdb::Cursor::open(txn.get(), *db);
  const SeqKey start = seq_key(from);
  MDB_val key = lmdb::to_val(view(start));
  MDB_val data{};
  for (bool more = cursor.get(&key, &data, MDB_SET_RANGE); more; more = cursor.get(&key, &data, MDB_NEXT)) {
    if (!fn(event_seq(key), lmdb::to_view(data))) break;
  }
}

// ---------------------------------------------------------------- maintenance

void EventStore::Impl::backup(const std::string& dest_dir, bool compact) const {
  std::error_code ec;
  std::filesystem::create_directories(dest_dir, ec);
  if (ec) {
    throw StoreError(ec.value(), "create_directories",
                     fmt::format("backup to {}: cannot create the directory: {}", dest_dir, ec.message()));
  }
  const std::string data_file = dest_dir + "/data.mdb";
  if (std::filesystem::exists(data_file, ec)) {
    throw StoreError(EEXIST, "backup", fmt::format("backup to {}: it already holds a data.mdb", dest_dir));
  }
  try {
    // The copy runs in its own read transaction: a consistent state however
    // long it takes, while writers go on.
    env_.copy(dest_dir.c_str(), compact ? MDB_CP_COMPACT : 0);
  } catch (const StoreError& e) {
    throw StoreError(e.code(), e.call(),
                     fmt::format("store {}: backup to {}: {}", options_.dir, dest_dir, e.what()));
  }
  sync_path(data_file, O_RDONLY);
  sync_path(dest_dir, O_RDONLY | O_DIRECTORY);
}

void EventStore::Impl::grow_map(std::size_t new_size) {
  if (options_.read_only) {
    throw std::logic_error(fmt::format("store {}: grow_map on a store opened read-only", options_.dir));
  }
  if (reading_here()) {
    throw std::logic_error(
        fmt::format("store {}: grow_map inside a read (a for_each_event callback)", options_.dir));
  }
  std::unique_lock gate(map_gate_);  // reads on other threads end first
  try {
    if (new_size > env_.info().me_mapsize) env_.set_mapsize(new_size);
  } catch (const StoreError& e) {
    rethrow_in(options_.dir, e);
  }
}

EventStore::Stats EventStore::Impl::stats() const {
  std::vector<const HallState*> states;
  for (const std::string& hall : halls()) {
    if (const HallState* state = find(hall)) states.push_back(state);  // before the read below
  }
  ReadTxn txn(*this);
  std::uint64_t events = 0;
  for (const HallState* state : states) events += state->events.stat(txn.get()).ms_entries;
  const MDB_stat snapshots = snapshots_db_.stat(txn.get());
  const MDB_envinfo info = env_.info();
  return {events, snapshots.ms_entries, info.me_mapsize, (info.me_last_pgno + 1) * snapshots.ms_psize,
          commits_};
}

// ---------------------------------------------------------------- EventStore

EventStore::EventStore(StoreOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
EventStore::~EventStore() = default;
EventStore::EventStore(EventStore&&) noexcept = default;
EventStore& EventStore::operator=(EventStore&&) noexcept = default;

void EventStore::commit(const Batch& batch) { impl_->commit(batch); }
std::uint64_t EventStore::last_seq(std::string_view hall) const { return impl_->last_seq(hall); }
std::optional<StoredSnapshot> EventStore::latest_snapshot(std::string_view hall) const {
  return impl_->latest_snapshot(hall);
}
void EventStore::for_each_event(std::string_view hall, std::uint64_t from,
                                const std::function<bool(std::uint64_t, std::string_view)>& fn) const {
  impl_->for_each_event(hall, from, fn);
}
std::optional<std::string> EventStore::read_event(std::string_view hall, std::uint64_t seq) const {
  return impl_->read_event(hall, seq);
}
std::vector<std::string> EventStore::halls() const { return impl_->halls(); }
void EventStore::for_each_audit(std::uint64_t from,
                                const std::function<bool(std::uint64_t, std::string_view)>& fn) const {
  impl_->for_each_audit(from, fn);
}
void EventStore::backup(const std::string& dest_dir, bool compact) const { impl_->backup(dest_dir, compact); }
const std::string& EventStore::dir() const { return impl_->dir(); }

void EventStore::grow_map(std::size_t new_size) { impl_->grow_map(new_size); }
EventStore::Stats EventStore::stats() const { return impl_->stats(); }

}  // namespace hallq::store
