// The event store on LMDB, format "hallq-store 2". Named databases:
//   meta         "format" -> "hallq-store 2"; "applied" -> the LSN (8 bytes BE) of
//                the last commit-log record written into LMDB (absent: 0)
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
// commit() writes a batch's events and audit records as one record of the
// commit log (commit_log.h) and flushes it once; a thread of the store (the
// applier) writes what is logged into LMDB later, many batches per durable
// write transaction, with the last record's LSN in `meta`. Until then the
// batches are "pending": reads overlay them on LMDB (a read takes the
// pending list first, then begins its LMDB transaction, and uses from the
// list only what lies beyond LMDB's last key: the two may overlap, never
// leave a gap). Opening a writable store replays the log records after
// "applied" into LMDB; a read-only store reads them from the log (the tail)
// and overlays them the same way, refreshed at each read.
//
// A writable store caches each hall's number, last seq and events DBI, all
// loaded at open: commit() checks sequences against the cache. The cache
// changes only once the batch is logged (or written), so a failed commit
// leaves it as it was. A hall added by a pending batch has its number but no
// database yet (in_db false) until its batch is applied. A read-only store
// opens a hall's database when first asked for it (the writer may add halls).
#include "engine/store/event_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "engine/store/commit_log.h"
#include "engine/store/lmdb.h"

namespace hallq::store {
namespace {

constexpr std::string_view kFormatKey = "format";
constexpr std::string_view kAppliedKey = "applied";
// The applier writes pending batches into LMDB this long after the oldest
// arrived, or ten times as long as its last apply took if that is longer (a
// slow disk: the applies, two flushes each, take at most about a tenth of
// the disk's time from the log's flushes), at most kMaxApplyDelay; or at
// once when kApplyBytes are pending.
constexpr auto kApplyDelay = std::chrono::milliseconds(15);
constexpr auto kMaxApplyDelay = std::chrono::milliseconds(500);
constexpr int kApplyShare = 10;
constexpr std::size_t kApplyBytes = 4u << 20;
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
  ~Impl();

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
  void apply_log();
  const std::string& dir() const { return options_.dir; }
  Stats stats() const;

 private:
  struct HallState {
    std::uint32_t number;
    std::uint64_t last_seq;  // writable stores only
    lmdb::Dbi events;        // valid once in_db
    bool in_db = true;       // writable: false until the batch that added the hall is applied
  };
  using HallCache = std::map<std::string, HallState, std::less<>>;

  // A batch committed but not yet in LMDB (writable), or a record of the
  // log's tail (read-only).
  struct Pending {
    std::uint64_t lsn = 0;  // its commit-log record; 0: not logged (snapshots only)
    Batch batch;
    std::vector<HallState*> states;  // writable: the cache entry of each entry's hall
    std::uint64_t first_audit = 0;   // the number of its first audit record
  };
  using PendingList = std::vector<std::shared_ptr<const Pending>>;

  // A hall that the batch being committed touches.
  struct Touched {
    std::string_view hall;
    HallState* state;         // its cache entry (for a new hall, a node not yet in the cache)
    std::uint64_t last_seq;   // as of the entries checked so far
    std::uint64_t first_seq;  // its first event in the batch (0: none)
    bool is_new;
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

  // A read: the batches not in LMDB, then an LMDB read transaction, and the
  // databases of the halls asked for that the transaction may use.
  struct View {
    PendingList overlay;
    std::vector<std::optional<lmdb::Dbi>> events;  // per hall asked: its database if in LMDB
    std::optional<lmdb::Dbi> audit;
    std::optional<ReadTxn> txn;
    MDB_txn* get() const { return txn->get(); }
  };
  void open_view(View& v, const std::vector<const HallState*>& halls) const;
  // Read-only: the log's records after the state of `txn`.
  PendingList tail(MDB_txn* txn) const;

  struct EntryView {
    bool is_event;  // else a snapshot
    std::string_view hall;
    std::uint64_t seq;
    std::string_view bytes;
  };
  // Calls fn(EntryView) for the entries of `list`, in order, until fn returns false.
  template <typename Fn>
  static void each_entry(const PendingList& list, Fn&& fn) {
    for (const auto& record : list) {
      const Batch& b = record->batch;
      for (const Batch::Entry& e : b.entries_)
        if (!fn(EntryView{e.kind == Batch::Kind::kEvent, b.hall(e), e.seq, b.bytes(e)})) return;
    }
  }
  // Calls fn(seq, bytes) for the events of `hall` in `list`, in order, until fn returns false.
  template <typename Fn>
  static void overlay_events(const PendingList& list, std::string_view hall, Fn&& fn) {
    each_entry(list, [&](const EntryView& e) { return !e.is_event || e.hall != hall || fn(e.seq, e.bytes); });
  }

  // The reads of this store open on the calling thread (they nest).
  void enter_read() const;
  void leave_read() const;
  bool reading_here() const;

  lmdb::Txn begin(unsigned flags) const;
  void open_databases();
  void load_cache();
  void recover();
  // The hall's cache entry; nullptr if it has nothing stored (read-only: in
  // LMDB). A read-only store opens the hall's database on first use, in a
  // transaction of its own (LMDB: a transaction that opens a database must
  // end before another may open one, and a database opened later is
  // invisible to transactions begun earlier), so call this before beginning
  // the read that needs it.
  const HallState* find(std::string_view hall) const;
  std::uint64_t stored_last_seq(MDB_txn* txn, lmdb::Dbi events) const;
  // Checks `batch` against the cache (sequences, the hall limit) and returns
  // it as a pending batch, new halls' cache nodes in `fresh`; throws as
  // commit() does, changing nothing.
  std::shared_ptr<Pending> check(const Batch& batch, HallCache& fresh);
  // The index in touched_ of `hall`, adding it (and for a new hall, its
  // number and cache node in `fresh`) on first sight.
  std::size_t touch(std::string_view hall, HallCache& fresh);
  // An event of a touched hall already in LMDB (another writer): StoreError.
  void check_not_written_behind_our_back();
  // The checked batch is stored (logged or written): the cache takes it.
  void take(const Pending& pending, HallCache& fresh);
  bool fits_map(std::size_t bytes) const;
  // Writes `records` into LMDB in one durable transaction; the caller holds
  // apply_mutex_. From the pending
  // list (from_pending): records the last LSN in meta, takes them off the
  // list, and on failure keeps them and remembers the error for commit().
  // `force`: write the meta even with nothing to apply (records a grown map).
  void apply(const PendingList& records, bool from_pending, bool force = false);
  void apply_pending(bool force = false);
  void run_applier();
  void write(MDB_txn* txn, const PendingList& records, std::vector<std::pair<HallState*, lmdb::Dbi>>& created,
             std::optional<lmdb::Dbi>& audit_db);
  void trim_snapshots(MDB_txn* txn, std::uint32_t hall_no);

  StoreOptions options_;
  UniqueFd writer_lock_;  // declared before env_: released after the environment closes
  lmdb::Env env_;
  std::size_t page_size_ = 4096;
  lmdb::Dbi meta_db_, halls_db_, snapshots_db_;
  std::optional<lmdb::Dbi> audit_db_;  // created by the first commit with an audit record
  std::uint64_t last_audit_ = 0;       // including pending records
  std::uint64_t commits_ = 0;          // batches committed
  // Held shared by each thread's outermost read and by LMDB write
  // transactions, exclusively by grow_map().
  mutable std::shared_mutex map_gate_;

  // Writable stores: every hall, loaded at open. Read-only stores: the halls
  // asked for so far. Nodes never move or go; cache_mutex_ guards the map's
  // structure (lookups from reading threads, inserts), not the nodes' fields.
  mutable HallCache cache_;
  mutable std::shared_mutex cache_mutex_;
  std::uint32_t next_hall_no_ = 1;  // writable stores only

  std::unique_ptr<CommitLog> log_;
  // Writable: the pending batches, in commit order. pending_mutex_ guards
  // them, the applier's state, audit_db_ and the cache nodes' in_db/events
  // (written by apply() under both apply_mutex_ and pending_mutex_).
  mutable std::mutex pending_mutex_;
  std::condition_variable applier_wake_;
  PendingList pending_;
  std::atomic<std::size_t> pending_bytes_{0};
  std::chrono::steady_clock::time_point oldest_pending_{};
  std::chrono::steady_clock::duration apply_delay_ = kApplyDelay;  // see kApplyShare
  std::optional<StoreError> apply_error_;  // the last apply failed: commit() retries it first
  bool stopping_ = false;
  std::mutex apply_mutex_;  // one LMDB write transaction at a time
  std::atomic<std::uint64_t> applied_lsn_{0};
  std::thread applier_;
  // Read-only: the log's records after the LMDB state last read, decoded.
  mutable std::mutex tail_mutex_;
  mutable PendingList tail_;

  // commit() scratch, kept to reuse its memory.
  std::vector<Touched> touched_;
  std::unordered_map<std::string_view, std::size_t> touched_index_;
  std::string payload_;
};

namespace {

// A commit-log record's payload: a batch's events and audit records.
//   events: count (4) | per event: hall size (1), hall, seq (8), size (4), bytes
//   audit:  first record's number (8) | count (4) | per record: size (4), bytes
// (integers big-endian)
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view in) : in_(in) {}
  std::uint64_t number(int bytes) {
    need(static_cast<std::size_t>(bytes));
    const std::uint64_t v = get_be(in_.data() + at_, bytes);
    at_ += static_cast<std::size_t>(bytes);
    return v;
  }
  std::string_view bytes(std::size_t size) {
    need(size);
    const std::string_view v = in_.substr(at_, size);
    at_ += size;
    return v;
  }
  bool done() const { return at_ == in_.size(); }

 private:
  void need(std::size_t size) const {
    if (in_.size() - at_ < size) corrupt("a commit-log record is cut short");
  }
  std::string_view in_;
  std::size_t at_ = 0;
};

// Decodes a record's payload into `batch`; returns the number of its first audit record.
std::uint64_t decode_record(std::string_view payload, EventStore::Batch& batch) {
  PayloadReader in(payload);
  for (std::uint64_t n = in.number(4); n > 0; --n) {
    const std::string_view hall = in.bytes(in.number(1));
    const std::uint64_t seq = in.number(8);
    batch.add_event(hall, seq, in.bytes(in.number(4)));
  }
  const std::uint64_t first_audit = in.number(8);
  for (std::uint64_t n = in.number(4); n > 0; --n) batch.add_audit(in.bytes(in.number(4)));
  if (!in.done()) corrupt("a commit-log record has bytes after its batch");
  return first_audit;
}

void append_be(std::string& out, std::uint64_t value, int bytes) {
  char buf[8];
  put_be(buf, value, bytes);
  out.append(buf, static_cast<std::size_t>(bytes));
}

}  // namespace

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
    MDB_stat st{};
    if (::mdb_env_stat(env_.handle(), &st) == MDB_SUCCESS) page_size_ = st.ms_psize;
    open_databases();
    log_ = std::make_unique<CommitLog>(options_.dir, !options_.read_only, options_.durable);
    if (!options_.read_only) {
      load_cache();
      recover();
      applier_ = std::thread([this] { run_applier(); });
    }
  } catch (const StoreError& e) {
    rethrow_in(options_.dir, e);
  }
}

EventStore::Impl::~Impl() {
  if (!applier_.joinable()) return;
  {
    std::lock_guard lock(pending_mutex_);
    stopping_ = true;
  }
  applier_wake_.notify_one();
  applier_.join();
  try {
    apply_pending();  // what stays pending is replayed from the log at the next open
  } catch (const std::exception&) {
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
  if (const auto applied = meta_db_.get(t, kAppliedKey)) {
    if (applied->size() != 8) corrupt("the applied LSN is not 8 bytes");
    applied_lsn_ = get_be(applied->data(), 8);
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

void EventStore::Impl::recover() {
  // The log's records after the applied LSN, checked like commits, then
  // written into LMDB (durably) before the store is used.
  HallCache fresh;
  std::string failure;
  const std::uint64_t highest = log_->scan(applied_lsn_, [&](std::uint64_t lsn, std::string_view payload) {
    if (!failure.empty()) return;
    Batch batch;
    try {
      const std::uint64_t first_audit = decode_record(payload, batch);
      if (!batch.audits_.empty() && first_audit != last_audit_ + 1)
        corrupt(fmt::format("commit-log record {} numbers its audit records from {}, the store from {}", lsn,
                            first_audit, last_audit_ + 1));
      std::shared_ptr<Pending> pending = check(batch, fresh);
      pending->lsn = lsn;
      pending->first_audit = first_audit;
      take(*pending, fresh);
      pending_.push_back(std::move(pending));
    } catch (const std::logic_error& e) {
      failure = fmt::format("commit-log record {} does not continue the store: {}", lsn, e.what());
    } catch (const std::exception& e) {
      failure = fmt::format("commit-log record {}: {}", lsn, e.what());
    }
  });
  if (!failure.empty()) corrupt(failure);
  commits_ = 0;
  // The map may be too small for what the log holds (the engine stopped at
  // its map limit): grow it as far as needed, the operator chose the limit
  // when the batches were acknowledged.
  for (int attempt = 0;; ++attempt) {
    try {
      apply_pending(/*force=*/false);
      break;
    } catch (const StoreError& e) {
      if (!e.map_full() || attempt >= 16) throw;
      env_.set_mapsize(env_.info().me_mapsize * 2);
    }
  }
  log_->start(std::max(highest, applied_lsn_.load()) + 1);
}

void EventStore::Impl::commit(const Batch& batch) {
  if (options_.read_only) {
    throw std::logic_error(fmt::format("store {}: commit on a store opened read-only", options_.dir));
  }
  if (batch.empty()) return;
  {
    std::unique_lock lock(pending_mutex_);
    const bool failed = apply_error_.has_value();
    lock.unlock();
    if (failed) apply_pending();  // throws if it fails again: nothing of the batch written
  }

  // 1. Check the whole batch against the cache; nothing is written yet.
  HallCache fresh;  // cache nodes of new halls, spliced into cache_ once stored
  std::shared_ptr<Pending> pending = check(batch, fresh);
  check_not_written_behind_our_back();
  pending->first_audit = last_audit_ + 1;

  // 2. Its events and audit records as one log record, flushed once. A
  // batch too large for a segment, or for the room left in the map (so that
  // a full map refuses it here, as before, instead of failing its apply),
  // goes straight into LMDB after what is pending.
  const bool logged = batch.size() > 0 || !batch.audits_.empty();
  std::size_t events = 0;
  if (logged) {
    payload_.clear();
    const std::size_t count_at = payload_.size();
    append_be(payload_, 0, 4);
    for (std::size_t i = 0; i < batch.entries_.size(); ++i) {
      const Batch::Entry& e = batch.entries_[i];
      if (e.kind != Batch::Kind::kEvent) continue;
      const std::string_view hall = batch.hall(e), bytes = batch.bytes(e);
      append_be(payload_, hall.size(), 1);
      payload_.append(hall);
      append_be(payload_, e.seq, 8);
      append_be(payload_, bytes.size(), 4);
      payload_.append(bytes);
      ++events;
    }
    put_be(payload_.data() + count_at, events, 4);
    append_be(payload_, pending->first_audit, 8);
    append_be(payload_, batch.audits_.size(), 4);
    for (const Batch::Span& record : batch.audits_) {
      append_be(payload_, record.size, 4);
      payload_.append(batch.bytes(record));
    }
  }
  if (logged && (payload_.size() > log_->capacity() || !fits_map(batch.arena_.size()))) {
    apply_pending();
    {
      std::lock_guard apply_lock(apply_mutex_);
      apply({pending}, /*from_pending=*/false);
    }
    take(*pending, fresh);
    ++commits_;
    return;
  }
  if (logged) {
    if (!log_->fits(payload_.size())) {
      if (log_->next_segment_last_lsn() > applied_lsn_) apply_pending();
      log_->next_segment();
    }
    pending->lsn = log_->next_lsn();
    try {
      log_->append(payload_);
    } catch (const StoreError& e) {
      rethrow_in(options_.dir, e);
    }
  }

  // 3. Stored: the cache and the pending list take it.
  take(*pending, fresh);
  ++commits_;
  bool wake = false;
  {
    std::lock_guard lock(pending_mutex_);
    if (pending_.empty()) oldest_pending_ = std::chrono::steady_clock::now();
    pending_.push_back(std::move(pending));
    pending_bytes_ += batch.arena_.size();
    wake = pending_.size() == 1 || pending_bytes_ >= kApplyBytes;
  }
  if (wake) applier_wake_.notify_one();
}

std::shared_ptr<EventStore::Impl::Pending> EventStore::Impl::check(const Batch& batch, HallCache& fresh) {
  touched_.clear();
  touched_index_.clear();
  auto pending = std::make_shared<Pending>();
  pending->states.reserve(batch.entries_.size());
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
      if (t.first_seq == 0) t.first_seq = entry.seq;
      t.last_seq = entry.seq;
    } else if (entry.seq > t.last_seq) {
      throw std::logic_error(
          fmt::format("store: hall '{}': snapshot at seq {} is ahead of its last event {}; nothing written",
                      hall, entry.seq, t.last_seq));
    }
    pending->states.push_back(t.state);
  }
  pending->batch = batch;
  return pending;
}

std::size_t EventStore::Impl::touch(std::string_view hall, HallCache& fresh) {
  if (auto it = touched_index_.find(hall); it != touched_index_.end()) return it->second;
  Touched t{hall, nullptr, 0, 0, false};
  if (auto it = cache_.find(hall); it != cache_.end()) {
    t.state = &it->second;
    t.last_seq = it->second.last_seq;
  } else if (auto f = fresh.find(hall); f != fresh.end()) {  // replay: added by an earlier record
    t.state = &f->second;
    t.last_seq = f->second.last_seq;
  } else {
    if (cache_.size() + fresh.size() >= kMaxHalls) {
      throw StoreError(MDB_DBS_FULL, "commit",
                       fmt::format("store {}: hall '{}' would be its hall number {}, beyond the limit of {} "
                                   "halls per store; nothing written",
                                   options_.dir, hall, cache_.size() + fresh.size() + 1, kMaxHalls));
    }
    const std::uint32_t number = next_hall_no_ + static_cast<std::uint32_t>(fresh.size());
    t.state = &fresh.emplace(std::string(hall), HallState{number, 0, {}, false}).first->second;
    t.is_new = true;
  }
  touched_.push_back(t);
  touched_index_.emplace(hall, touched_.size() - 1);
  return touched_.size() - 1;
}

void EventStore::Impl::check_not_written_behind_our_back() {
  // The cache says where each hall's events end; an event already in LMDB at
  // or after the batch's first one was written by someone else (a rogue
  // writer skipping the writer lock). MDB_APPEND would refuse it when the
  // batch is applied, too late: the batch would be acknowledged.
  std::vector<std::pair<const Touched*, lmdb::Dbi>> halls;
  {
    std::lock_guard lock(pending_mutex_);
    for (const Touched& t : touched_)
      if (!t.is_new && t.first_seq != 0 && t.state->in_db) halls.emplace_back(&t, t.state->events);
  }
  if (halls.empty()) return;
  ReadTxn txn(*this);
  for (const auto& [t, events] : halls) {
    if (stored_last_seq(txn.get(), events) >= t->first_seq) {
      throw StoreError(
          MDB_KEYEXIST, "commit",
          fmt::format("store {}: hall '{}': event {} is not after the last stored one (written by "
                      "another process?); nothing written",
                      options_.dir, t->hall, t->first_seq));
    }
  }
}

void EventStore::Impl::take(const Pending& pending, HallCache& fresh) {
  // Nothing here allocates or throws (map::merge moves nodes), so cache and
  // store cannot part.
  {
    std::unique_lock lock(cache_mutex_);
    cache_.merge(fresh);
  }
  for (const Touched& t : touched_) {
    t.state->last_seq = t.last_seq;
    if (t.is_new) next_hall_no_ = std::max(next_hall_no_, t.state->number + 1);
  }
  last_audit_ += pending.batch.audits_.size();
}

bool EventStore::Impl::fits_map(std::size_t bytes) const {
  // LMDB needs about the bytes plus page overhead; twice what is pending
  // and the batch, and some pages for new tree levels, stays on the safe side.
  const MDB_envinfo info = env_.info();
  const std::size_t used = (info.me_last_pgno + 1) * page_size_;
  const std::size_t need = 2 * (pending_bytes_.load() + bytes) + 64 * page_size_;
  return info.me_mapsize > used && info.me_mapsize - used >= need;
}

// ---------------------------------------------------------------- apply

void EventStore::Impl::apply_pending(bool force) {
  std::lock_guard apply_lock(apply_mutex_);
  PendingList records;
  {
    std::lock_guard lock(pending_mutex_);
    records = pending_;
  }
  if (records.empty() && !force) return;
  apply(records, /*from_pending=*/true, force);
}

void EventStore::Impl::apply(const PendingList& records, bool from_pending, bool force) {
  std::uint64_t last_lsn = applied_lsn_;
  std::size_t bytes = 0;
  for (const auto& r : records) {
    last_lsn = std::max(last_lsn, r->lsn);
    bytes += r->batch.arena_.size();
  }
  std::vector<std::pair<HallState*, lmdb::Dbi>> created;
  std::optional<lmdb::Dbi> audit_db;
  {
    std::lock_guard lock(pending_mutex_);
    audit_db = audit_db_;
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    std::shared_lock gate(map_gate_);  // no remap under the transaction
    lmdb::Txn txn = begin(0);
    write(txn.handle(), records, created, audit_db);
    if (from_pending && (last_lsn != applied_lsn_ || force)) {
      char lsn[8];
      put_be(lsn, last_lsn, 8);
      meta_db_.put(txn.handle(), kAppliedKey, std::string_view(lsn, 8));
    }
    txn.commit();
  } catch (const StoreError& e) {
    const StoreError error(e.code(), e.call(), fmt::format("store {}: {}", options_.dir, e.what()));
    if (from_pending) {
      std::lock_guard lock(pending_mutex_);
      apply_error_ = error;
    }
    throw error;
  }
  applied_lsn_ = last_lsn;
  std::lock_guard lock(pending_mutex_);
  for (auto& [state, events] : created) {
    state->events = events;
    state->in_db = true;
  }
  audit_db_ = audit_db;
  if (from_pending) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(records.size()));
    pending_bytes_ -= bytes;
    oldest_pending_ = std::chrono::steady_clock::now();
    apply_delay_ = std::clamp<std::chrono::steady_clock::duration>((oldest_pending_ - start) * kApplyShare,
                                                                   kApplyDelay, kMaxApplyDelay);
    apply_error_.reset();
  }
}

void EventStore::Impl::run_applier() {
  std::unique_lock lock(pending_mutex_);
  for (;;) {
    applier_wake_.wait(lock, [&] { return stopping_ || (!pending_.empty() && !apply_error_); });
    if (stopping_) return;
    applier_wake_.wait_until(lock, oldest_pending_ + apply_delay_,
                             [&] { return stopping_ || pending_bytes_ >= kApplyBytes; });
    if (stopping_) return;
    lock.unlock();
    try {
      apply_pending();
    } catch (const std::exception&) {
      // Remembered in apply_error_: the next commit retries and reports it.
    }
    lock.lock();
  }
}

void EventStore::Impl::write(MDB_txn* txn, const PendingList& records,
                             std::vector<std::pair<HallState*, lmdb::Dbi>>& created,
                             std::optional<lmdb::Dbi>& audit_db) {
  std::unordered_map<const HallState*, lmdb::Cursor> cursors;  // closed before the transaction ends
  std::vector<std::uint32_t> trim;
  char number[4];
  for (const auto& record : records) {
    const Batch& batch = record->batch;
    for (std::size_t i = 0; i < batch.entries_.size(); ++i) {
      const Batch::Entry& entry = batch.entries_[i];
      HallState* state = record->states[i];
      if (entry.kind == Batch::Kind::kSnapshot) {
        snapshots_db_.put(txn, view(snapshot_key(state->number, entry.seq)), batch.bytes(entry));
        trim.push_back(state->number);
        continue;
      }
      auto cursor = cursors.find(state);
      if (cursor == cursors.end()) {
        lmdb::Dbi events = state->events;
        if (!state->in_db) {
          auto made =
              std::find_if(created.begin(), created.end(), [&](const auto& c) { return c.first == state; });
          if (made == created.end()) {
            put_be(number, state->number, 4);
            halls_db_.put(txn, batch.hall(entry), std::string_view(number, 4), MDB_NOOVERWRITE);
            // Its handle is valid once the transaction commits.
            created.emplace_back(state, *open_events_db(txn, batch.hall(entry), MDB_CREATE));
            made = created.end() - 1;
          }
          events = made->second;
        }
        cursor = cursors.emplace(state, lmdb::Cursor::open(txn, events)).first;
      }
      // MDB_APPEND refuses (MDB_KEYEXIST) any key not greater than the
      // database's last, so besides skipping the search it guards like
      // MDB_NOOVERWRITE: a stale cache (a second writer) is an error, never
      // an overwritten or misplaced event.
      try {
        cursor->second.put(view(seq_key(entry.seq)), batch.bytes(entry), MDB_APPEND | MDB_NOOVERWRITE);
      } catch (const StoreError& e) {
        if (e.code() != MDB_KEYEXIST) throw;
        throw StoreError(e.code(), e.call(),
                         fmt::format("hall '{}': event {} is not after the last stored one (written by "
                                     "another process?); nothing written: {}",
                                     batch.hall(entry), entry.seq, e.what()));
      }
    }
    if (!batch.audits_.empty()) {
      // A handle opened (created) here is valid once the transaction commits.
      if (!audit_db) audit_db = *lmdb::Dbi::open(txn, "audit", MDB_CREATE);
      lmdb::Cursor cursor = lmdb::Cursor::open(txn, *audit_db);
      std::uint64_t n = record->first_audit;
      for (const Batch::Span& span : batch.audits_)
        cursor.put(view(seq_key(n++)), batch.bytes(span), MDB_APPEND | MDB_NOOVERWRITE);
    }
  }
  cursors.clear();
  std::sort(trim.begin(), trim.end());
  trim.erase(std::unique(trim.begin(), trim.end()), trim.end());
  for (const std::uint32_t hall_no : trim) trim_snapshots(txn, hall_no);
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

// ---------------------------------------------------------------- reads

void EventStore::Impl::open_view(View& v, const std::vector<const HallState*>& halls) const {
  if (!options_.read_only) {
    std::lock_guard lock(pending_mutex_);
    v.overlay = pending_;
    for (const HallState* s : halls)
      v.events.push_back(s != nullptr && s->in_db ? std::optional(s->events) : std::nullopt);
    v.audit = audit_db_;
  }
  v.txn.emplace(*this);
  if (options_.read_only) {
    for (const HallState* s : halls)
      v.events.push_back(s != nullptr ? std::optional(s->events) : std::nullopt);
    v.audit = audit_db_ ? audit_db_ : lmdb::Dbi::open(v.get(), "audit");  // written since it opened?
    v.overlay = tail(v.get());
  }
}

EventStore::Impl::PendingList EventStore::Impl::tail(MDB_txn* txn) const {
  std::uint64_t applied = 0;
  if (const auto value = meta_db_.get(txn, kAppliedKey); value && value->size() == 8)
    applied = get_be(value->data(), 8);
  std::lock_guard lock(tail_mutex_);
  tail_.erase(tail_.begin(),
              std::find_if(tail_.begin(), tail_.end(), [&](const auto& r) { return r->lsn > applied; }));
  if (!tail_.empty() && tail_.front()->lsn != applied + 1) tail_.clear();
  log_->scan(tail_.empty() ? applied : tail_.back()->lsn, [&](std::uint64_t lsn, std::string_view payload) {
    auto record = std::make_shared<Pending>();
    record->lsn = lsn;
    record->first_audit = decode_record(payload, record->batch);
    tail_.push_back(std::move(record));
  });
  return tail_;
}

namespace {

// Calls fn(key, value) for the entries of `db` (8-byte big-endian keys) from
// key `from` on, until fn returns false; returns false if it did. `last`: the
// database's last key (0: empty).
bool walk(MDB_txn* txn, lmdb::Dbi db, std::uint64_t from,
          const std::function<bool(std::uint64_t, std::string_view)>& fn, std::uint64_t& last) {
  lmdb::Cursor cursor = lmdb::Cursor::open(txn, db);
  MDB_val key{}, data{};
  if (cursor.get(&key, &data, MDB_LAST)) last = event_seq(key);
  const SeqKey start = seq_key(from);
  key = lmdb::to_val(view(start));
  for (bool more = cursor.get(&key, &data, MDB_SET_RANGE); more; more = cursor.get(&key, &data, MDB_NEXT)) {
    if (!fn(event_seq(key), lmdb::to_view(data))) return false;
  }
  return true;
}

}  // namespace

std::uint64_t EventStore::Impl::last_seq(std::string_view hall) const {
  const HallState* state = find(hall);
  if (!options_.read_only) return state == nullptr ? 0 : state->last_seq;
  // Read-only: another process writes, so ask the store.
  View v;
  open_view(v, {state});
  std::uint64_t last = v.events[0] ? stored_last_seq(v.get(), *v.events[0]) : 0;
  overlay_events(v.overlay, hall, [&](std::uint64_t seq, std::string_view) {
    last = std::max(last, seq);
    return true;
  });
  return last;
}

std::optional<StoredSnapshot> EventStore::Impl::latest_snapshot(std::string_view hall) const {
  const HallState* state = find(hall);
  View v;
  open_view(v, {state});
  std::optional<StoredSnapshot> latest;
  if (state != nullptr) {
    lmdb::Cursor cursor = lmdb::Cursor::open(v.get(), snapshots_db_);
    MDB_val key{}, data{};
    if (seek_last_snapshot(cursor, state->number, &key, &data))
      latest = StoredSnapshot{snapshot_seq(key), std::string(lmdb::to_view(data))};
  }
  each_entry(v.overlay, [&](const EntryView& entry) {
    if (!entry.is_event && entry.hall == hall && (!latest || entry.seq >= latest->seq))
      latest = StoredSnapshot{entry.seq, std::string(entry.bytes)};
    return true;
  });
  return latest;
}

void EventStore::Impl::for_each_event(std::string_view hall, std::uint64_t from,
                                      const std::function<bool(std::uint64_t, std::string_view)>& fn) const {
  const HallState* state = find(hall);
  View v;
  open_view(v, {state});
  std::uint64_t last = 0;  // LMDB's: the overlay continues after it
  if (v.events[0] && !walk(v.get(), *v.events[0], from, fn, last)) return;
  overlay_events(v.overlay, hall, [&](std::uint64_t seq, std::string_view bytes) {
    return seq <= last || seq < from || fn(seq, bytes);
  });
}

std::optional<std::string> EventStore::Impl::read_event(std::string_view hall, std::uint64_t seq) const {
  const HallState* state = find(hall);
  View v;
  open_view(v, {state});
  std::optional<std::string> found;
  overlay_events(v.overlay, hall, [&](std::uint64_t s, std::string_view bytes) {
    if (s == seq) found.emplace(bytes);
    return !found;
  });
  if (found || !v.events[0]) return found;
  const auto bytes = v.events[0]->get(v.get(), view(seq_key(seq)));
  if (!bytes) return std::nullopt;
  return std::string(*bytes);
}

std::vector<std::string> EventStore::Impl::halls() const {
  std::vector<std::string> result;
  if (!options_.read_only) {
    // Every hall in the cache has events committed.
    std::shared_lock lock(cache_mutex_);
    for (const auto& [hall, state] : cache_) result.push_back(hall);
    return result;
  }
  View v;
  open_view(v, {});
  lmdb::Cursor cursor = lmdb::Cursor::open(v.get(), halls_db_);
  MDB_val key{}, data{};
  for (bool more = cursor.get(&key, &data, MDB_FIRST); more; more = cursor.get(&key, &data, MDB_NEXT)) {
    result.emplace_back(lmdb::to_view(key));
  }
  each_entry(v.overlay, [&](const EntryView& entry) {
    result.emplace_back(entry.hall);
    return true;
  });
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

void EventStore::Impl::for_each_audit(std::uint64_t from,
                                      const std::function<bool(std::uint64_t, std::string_view)>& fn) const {
  View v;
  open_view(v, {});
  std::uint64_t last = 0;
  if (v.audit && !walk(v.get(), *v.audit, from, fn, last)) return;
  for (const auto& record : v.overlay) {
    std::uint64_t number = record->first_audit;
    for (const Batch::Span& span : record->batch.audits_) {
      if (number > last && number >= from && !fn(number, record->batch.bytes(span))) return;
      ++number;
    }
  }
}

// ---------------------------------------------------------------- maintenance

void EventStore::Impl::apply_log() {
  if (options_.read_only) {
    throw std::logic_error(fmt::format("store {}: apply_log on a store opened read-only", options_.dir));
  }
  apply_pending();
}

void EventStore::Impl::backup(const std::string& dest_dir, bool compact) const {
  // Writable: everything committed goes into LMDB first, so the copy holds it.
  if (!options_.read_only) const_cast<Impl*>(this)->apply_pending();
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
    // Read-only (another process writes): the log, copied after LMDB, holds
    // the batches committed after the copied state (those still there: a
    // record overwritten meanwhile was applied after the copy began, and the
    // copy then ends before it, a consistent earlier state).
    if (options_.read_only) {
      std::lock_guard lock(tail_mutex_);
      log_->copy_to(dest_dir);
    }
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
  {
    std::unique_lock gate(map_gate_);  // reads on other threads and the applier's writes end first
    try {
      if (new_size <= env_.info().me_mapsize) return;
      env_.set_mapsize(new_size);
    } catch (const StoreError& e) {
      rethrow_in(options_.dir, e);
    }
  }
  // A write transaction records the new size (readers in other processes
  // follow it); it also retries what a full map stopped.
  try {
    apply_pending(/*force=*/true);
  } catch (const StoreError&) {
    // Remembered: the next commit retries it.
  }
}

EventStore::Stats EventStore::Impl::stats() const {
  if (!options_.read_only && !reading_here()) {
    try {
      const_cast<Impl*>(this)->apply_pending();  // exact counts from LMDB
    } catch (const StoreError&) {
    }
  }
  if (options_.read_only && !reading_here()) {
    // Follow a map the writer grew (LMDB adopts it by itself only once the
    // data outgrows this process's mapping); no transaction may be open.
    std::unique_lock gate(map_gate_);
    lmdb::env_set_mapsize(env_.handle(), 0);
  }
  std::vector<const HallState*> states;
  for (const std::string& hall : halls()) states.push_back(find(hall));  // before the read below
  View v;
  open_view(v, states);
  std::uint64_t events = 0, snapshots = 0;
  for (const auto& db : v.events)
    if (db) events += db->stat(v.get()).ms_entries;
  each_entry(v.overlay, [&](const EntryView& entry) {
    ++(entry.is_event ? events : snapshots);
    return true;
  });
  const MDB_stat stored = snapshots_db_.stat(v.get());
  const MDB_envinfo info = env_.info();
  return {events, snapshots + stored.ms_entries, info.me_mapsize, (info.me_last_pgno + 1) * stored.ms_psize,
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
void EventStore::apply_log() { impl_->apply_log(); }
EventStore::Stats EventStore::stats() const { return impl_->stats(); }

}  // namespace hallq::store
