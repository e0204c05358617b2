// The commit log (engine/store/commit_log.h) and the event store built on
// it, on real files: records round-trip; a torn last record (the file cut at
// every byte of it) and a corrupted one end the log exactly before it;
// segments are reused; a process killed between the log's flush and the
// apply to LMDB loses nothing, and a read-only open sees that tail before any
// writer replays it; a failed apply refuses further commits until it works.
#include "engine/store/commit_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "engine/store/event_store.h"
#include "engine/store/lmdb.h"
#include "tests/support/temp_dir.h"

namespace hallq::store {
namespace {

using Records = std::vector<std::pair<std::uint64_t, std::string>>;

Records scan_all(CommitLog& log, std::uint64_t after = 0) {
  Records out;
  log.scan(after,
           [&](std::uint64_t lsn, std::string_view payload) { out.emplace_back(lsn, std::string(payload)); });
  return out;
}

std::string record_payload(int i) { return fmt::format("record {} {}", i, std::string(i * 7 % 300, 'p')); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(CommitLogTest, RecordsRoundTripAndContinueAfterReopen) {
  testing::TempDir dir("hallq-log");
  {
    CommitLog log(dir.path(), /*writable=*/true, /*durable=*/true);
    EXPECT_EQ(scan_all(log), Records{});
    log.start(1);
    for (int i = 1; i <= 50; ++i) log.append(record_payload(i));
    EXPECT_EQ(log.next_lsn(), 51u);
  }
  CommitLog reader(dir.path(), /*writable=*/false, false);
  const Records all = scan_all(reader);
  ASSERT_EQ(all.size(), 50u);
  for (int i = 1; i <= 50; ++i) EXPECT_EQ(all[i - 1], std::make_pair(std::uint64_t(i), record_payload(i)));
  EXPECT_EQ(scan_all(reader, 47).size(), 3u);
  EXPECT_EQ(scan_all(reader, 47).front().first, 48u);
  EXPECT_EQ(reader.scan(50, [](std::uint64_t, std::string_view) { FAIL(); }), 50u);
}

// The file as if the writer stopped at any byte of the last record: the
// complete records are kept, exactly.
TEST(CommitLogTest, ATornLastRecordEndsTheLogBeforeIt) {
  testing::TempDir dir("hallq-log");
  {
    CommitLog log(dir.path(), true, false);
    log.start(1);
    for (int i = 1; i <= 5; ++i) log.append(record_payload(i));
  }
  const std::string whole = read_file(dir.sub("log.0"));
  std::size_t last_start = 0;
  for (std::size_t at = whole.find("HQL1"); at != std::string::npos; at = whole.find("HQL1", at + 1))
    last_start = at;
  const std::size_t last_end = last_start + CommitLog::kHeaderSize + record_payload(5).size();
  ASSERT_LT(last_end, whole.size());
  testing::TempDir cut_dir("hallq-log-cut");
  for (std::size_t cut = last_start; cut <= last_end; ++cut) {
    std::string torn = whole;
    std::fill(torn.begin() + static_cast<std::ptrdiff_t>(cut),
              torn.begin() + static_cast<std::ptrdiff_t>(last_end), '\0');
    write_file(cut_dir.sub("log.0"), torn);
    CommitLog log(cut_dir.path(), false, false);
    const Records kept = scan_all(log);
    ASSERT_EQ(kept.size(), cut == last_end ? 5u : 4u) << "cut at byte " << cut - last_start;
    EXPECT_EQ(kept.back().second, record_payload(static_cast<int>(kept.size())));
  }
}

TEST(CommitLogTest, ACorruptedRecordEndsTheLogBeforeIt) {
  testing::TempDir dir("hallq-log");
  {
    CommitLog log(dir.path(), true, false);
    log.start(1);
    for (int i = 1; i <= 6; ++i) log.append(record_payload(i));
  }
  std::string bytes = read_file(dir.sub("log.0"));
  const std::size_t third = bytes.find(record_payload(3));
  ASSERT_NE(third, std::string::npos);
  bytes[third + 3] ^= 0x20;
  write_file(dir.sub("log.0"), bytes);
  CommitLog log(dir.path(), false, false);
  const Records kept = scan_all(log);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept.back().second, record_payload(2));
}

// An append the file system refuses (here a file-size limit: the write
// fails before a byte is written) refuses the record and leaves the log
// usable: the next append goes where it would have, and the log holds
// exactly the records appended.
TEST(CommitLogTest, ARefusedAppendLeavesTheLogUsable) {
  testing::TempDir dir("hallq-log");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int code = 0;
    try {
      std::signal(SIGXFSZ, SIG_IGN);
      CommitLog log(dir.path(), true, true);
      log.start(1);
      log.append(record_payload(1));
      log.append(std::string(4000, 'x'));  // the log now ends past 4 KiB
      rlimit original{};
      ::getrlimit(RLIMIT_FSIZE, &original);
      const rlimit tight{4096, original.rlim_max};
      ::setrlimit(RLIMIT_FSIZE, &tight);
      try {
        log.append(record_payload(3));
        code = 10;
      } catch (const StoreError& e) {
        if (e.code() != EFBIG) code = 11;
      }
      ::setrlimit(RLIMIT_FSIZE, &original);
      log.append(record_payload(4));
      if (log.next_lsn() != 4) code = 12;
    } catch (...) {
      code = 13;
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  CommitLog log(dir.path(), false, false);
  const Records kept = scan_all(log);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[2], std::make_pair(std::uint64_t{3}, record_payload(4)));
}

class StoreLogTest : public ::testing::Test {
 protected:
  StoreOptions options(bool durable = false) const {
    StoreOptions o;
    o.dir = dir_.sub("store");
    o.map_size = 256ull << 20;
    o.durable = durable;
    return o;
  }
  StoreOptions read_only() const {
    StoreOptions o = options();
    o.read_only = true;
    return o;
  }
  // The applied LSN recorded in data.mdb (raw LMDB, read-only).
  std::uint64_t applied_in_lmdb() const {
    lmdb::Env env = lmdb::Env::create();
    env.set_maxdbs(8);
    env.open(options().dir.c_str(), MDB_RDONLY, 0644);
    lmdb::Txn txn = lmdb::Txn::begin(env.handle(), MDB_RDONLY);
    const lmdb::Dbi meta = *lmdb::Dbi::open(txn.handle(), "meta");
    const auto v = meta.get(txn.handle(), "applied");
    std::uint64_t lsn = 0;
    if (v)
      for (char c : *v) lsn = (lsn << 8) | static_cast<unsigned char>(c);
    return lsn;
  }
  testing::TempDir dir_;
};

std::string event(std::uint64_t seq) { return fmt::format("event {} {}", seq, std::string(seq % 50, 'e')); }

void expect_events(const EventStore& store, std::string_view hall, std::uint64_t n) {
  std::uint64_t expect = 1;
  store.for_each_event(hall, 1, [&](std::uint64_t seq, std::string_view bytes) {
    EXPECT_EQ(seq, expect);
    EXPECT_EQ(bytes, event(seq));
    ++expect;
    return true;
  });
  EXPECT_EQ(expect - 1, n) << hall;
}

// Batches of ~64 KiB, over 40 MiB in all: the log wraps around its two
// segments twice, each reused once the store applied what it held.
TEST_F(StoreLogTest, SegmentsAreReusedOnceApplied) {
  {
    EventStore store(options());
    EventStore::Batch batch;
    const std::string big(64u << 10, 'b');
    for (std::uint64_t seq = 1; seq <= 650; ++seq) {
      batch.clear();
      batch.add_event("town", seq, seq % 10 == 0 ? event(seq) + big : event(seq));
      batch.add_event("city", seq, big);
      store.commit(batch);
    }
    EXPECT_EQ(store.last_seq("town"), 650u);
    EXPECT_EQ(store.read_event("town", 640)->substr(0, event(640).size()), event(640));
    EXPECT_EQ(std::filesystem::file_size(options().dir + "/log.0"), CommitLog::kSegmentSize);
  }
  EventStore reopened(options());
  EXPECT_EQ(reopened.last_seq("town"), 650u);
  EXPECT_EQ(reopened.last_seq("city"), 650u);
  EXPECT_EQ(reopened.stats().events, 1300u);
}

// A process killed right after commits returned (before the store applied
// them): a read-only open sees them from the log without writing, and the
// next writable open replays them into LMDB.
TEST_F(StoreLogTest, KilledBetweenTheLogsFlushAndTheApplyLosesNothing) {
  {
    EventStore store(options(true));
    EventStore::Batch batch;
    for (std::uint64_t seq = 1; seq <= 10; ++seq) batch.add_event("town", seq, event(seq));
    batch.add_audit("first");
    store.commit(batch);
  }  // closed: applied
  const std::uint64_t applied_before = applied_in_lmdb();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Not durable, so that 20 commits take well under the applier's delay:
    // the kill does not lose what the page cache holds.
    EventStore store(options());
    EventStore::Batch batch;
    for (std::uint64_t seq = 11; seq <= 30; ++seq) {
      batch.clear();
      batch.add_event("town", seq, event(seq));
      batch.add_event("newcomer", seq - 10, event(seq - 10));
      if (seq % 5 == 0) batch.add_audit(fmt::format("audit {}", seq));
      store.commit(batch);
    }
    ::raise(SIGKILL);  // before the applier's first pass (it waits 15 ms)
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(applied_in_lmdb(), applied_before) << "the child applied before it was killed: no test";
  {
    const EventStore reader(read_only());
    EXPECT_EQ(reader.last_seq("town"), 30u);
    EXPECT_EQ(reader.last_seq("newcomer"), 20u);
    EXPECT_EQ(reader.halls(), (std::vector<std::string>{"newcomer", "town"}));
    expect_events(reader, "town", 30);
    expect_events(reader, "newcomer", 20);
    std::vector<std::string> audit;
    reader.for_each_audit(1, [&](std::uint64_t, std::string_view r) {
      audit.emplace_back(r);
      return true;
    });
    EXPECT_EQ(audit, (std::vector<std::string>{"first", "audit 15", "audit 20", "audit 25", "audit 30"}));
    EXPECT_EQ(reader.stats().events, 50u);
  }
  EXPECT_EQ(applied_in_lmdb(), applied_before) << "a read-only open wrote";
  EventStore store(options(true));
  EXPECT_GT(applied_in_lmdb(), applied_before);
  expect_events(store, "town", 30);
  expect_events(store, "newcomer", 20);
  EventStore::Batch batch;
  batch.add_event("town", 31, event(31));
  batch.add_audit("after");
  store.commit(batch);
  std::uint64_t last_audit = 0;
  store.for_each_audit(1, [&](std::uint64_t n, std::string_view) {
    last_audit = n;
    return true;
  });
  EXPECT_EQ(last_audit, 6u);
}

TEST_F(StoreLogTest, AReadOnlyStoreSeesCommitsNotYetApplied) {
  EventStore store(options());
  EventStore::Batch batch;
  for (std::uint64_t seq = 1; seq <= 5; ++seq) batch.add_event("town", seq, event(seq));
  store.commit(batch);
  store.apply_log();
  const EventStore reader(read_only());
  EXPECT_EQ(reader.last_seq("town"), 5u);
  batch.clear();
  for (std::uint64_t seq = 6; seq <= 9; ++seq) batch.add_event("town", seq, event(seq));
  batch.add_event("late", 1, event(1));
  store.commit(batch);
  EXPECT_EQ(reader.last_seq("town"), 9u);
  EXPECT_EQ(reader.read_event("late", 1), event(1));
  expect_events(reader, "town", 9);
  store.apply_log();
  EXPECT_EQ(reader.last_seq("town"), 9u);
  expect_events(reader, "town", 9);
}

// An apply that fails (here: LMDB's map is full, which the commit's own
// estimate did not foresee) keeps the batches, which stay readable; commit()
// refuses new batches with that error and writes nothing, until the cause is
// cured and a retry works. Nothing is lost across a reopen either.
TEST_F(StoreLogTest, AFailedApplyRefusesCommitsUntilItWorks) {
  StoreOptions small = options();
  small.map_size = 1ull << 20;
  std::optional<EventStore> opened(std::in_place, small);
  EventStore& store = *opened;
  EventStore::Batch batch;
  // 60,000 empty events: 60 KB of batch, ~1.1 MB of LMDB nodes.
  for (std::uint64_t seq = 1; seq <= 60000; ++seq) batch.add_event("a", seq, "");
  store.commit(batch);
  try {
    store.apply_log();
    FAIL() << "60,000 events fit a 1 MiB map";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.map_full()) << e.what();
  }
  EXPECT_EQ(store.last_seq("a"), 60000u);  // durable in the log, readable
  EXPECT_EQ(store.read_event("a", 60000), "");
  batch.clear();
  batch.add_event("a", 60001, "refused");
  batch.add_event("b", 1, "refused");
  try {
    store.commit(batch);
    FAIL() << "committed while the apply fails";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.map_full()) << e.what();
  }
  EXPECT_EQ(store.last_seq("a"), 60000u);
  EXPECT_EQ(store.last_seq("b"), 0u);
  EXPECT_EQ(store.halls(), std::vector<std::string>{"a"});

  store.grow_map(16ull << 20);  // records the size and retries the apply
  store.commit(batch);
  EXPECT_EQ(store.read_event("b", 1), "refused");
  opened.reset();
  EventStore reopened(small);
  EXPECT_EQ(reopened.last_seq("a"), 60001u);
  EXPECT_EQ(reopened.last_seq("b"), 1u);
}

// The same failure with the process killed before the map grew: the next
// open replays the log into LMDB, growing the map as far as it needs.
TEST_F(StoreLogTest, ReplayGrowsAMapTooSmallForTheLog) {
  StoreOptions small = options();
  small.map_size = 1ull << 20;
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    EventStore store(small);
    EventStore::Batch batch;
    for (std::uint64_t seq = 1; seq <= 60000; ++seq) batch.add_event("a", seq, "");
    store.commit(batch);
    ::raise(SIGKILL);
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EventStore store(small);
  EXPECT_EQ(store.last_seq("a"), 60000u);
  EXPECT_GT(store.stats().map_size, 1ull << 20);
}

}  // namespace
}  // namespace hallq::store
