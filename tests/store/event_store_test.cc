// The event store against real LMDB files: round trips across reopening,
// all-or-nothing commits (sequence errors, a full map, the hall limit),
// snapshot trimming, many halls interleaved, the per-hall layout and its
// append order, backups of a live store (also from another process), format
// checks and read-only use.
#include "engine/store/event_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/store/lmdb.h"
#include "tests/support/temp_dir.h"

namespace hallq::store {
namespace {

using ::testing::HasSubstr;

// The payload of event `seq` of `hall`, recognisable and of varying length.
std::string payload(std::string_view hall, std::uint64_t seq) {
  return fmt::format("{}#{}:{}", hall, seq, std::string(seq % 37, 'x'));
}

// Adds events from+1 .. to of `hall` to `batch`.
void add_events(EventStore::Batch& batch, std::string_view hall, std::uint64_t from, std::uint64_t to) {
  for (std::uint64_t seq = from + 1; seq <= to; ++seq) batch.add_event(hall, seq, payload(hall, seq));
}

std::vector<std::pair<std::uint64_t, std::string>> events_of(const EventStore& store, std::string_view hall,
                                                             std::uint64_t from = 1) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  store.for_each_event(hall, from, [&](std::uint64_t seq, std::string_view bytes) {
    out.emplace_back(seq, std::string(bytes));
    return true;
  });
  return out;
}

// Events 1..n of `hall` as add_events writes them.
std::vector<std::pair<std::uint64_t, std::string>> expected_events(std::string_view hall, std::uint64_t n) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (std::uint64_t seq = 1; seq <= n; ++seq) out.emplace_back(seq, payload(hall, seq));
  return out;
}

class EventStoreTest : public ::testing::Test {
 protected:
  StoreOptions options(bool durable = false) const {
    StoreOptions o;
    o.dir = dir_.sub("store");
    o.map_size = 64ull << 20;
    o.durable = durable;
    return o;
  }
  // A 1 MiB map: a few MB of batch fill it.
  StoreOptions small_options() const {
    StoreOptions o = options();
    o.map_size = 1ull << 20;
    return o;
  }
  StoreOptions read_only_options() const {
    StoreOptions o = options();
    o.read_only = true;
    return o;
  }

  testing::TempDir dir_;
};

TEST_F(EventStoreTest, RoundTripSurvivesReopen) {
  {
    EventStore store(options(/*durable=*/true));
    EXPECT_TRUE(store.halls().empty());
    EventStore::Batch batch;
    EXPECT_TRUE(batch.empty());
    add_events(batch, "town", 0, 5);
    add_events(batch, "city-2", 0, 3);
    batch.put_snapshot("town", 4, "town@4");
    add_events(batch, "a", 0, 1);
    EXPECT_EQ(batch.size(), 10u);
    store.commit(batch);

    batch.clear();
    EXPECT_TRUE(batch.empty());
    add_events(batch, "town", 5, 8);
    batch.put_snapshot("city-2", 3, "city@3");
    store.commit(batch);
    EXPECT_EQ(store.last_seq("town"), 8u);
  }
  EventStore store(options(/*durable=*/true));
  EXPECT_EQ(store.halls(), (std::vector<std::string>{"a", "city-2", "town"}));
  EXPECT_EQ(store.last_seq("town"), 8u);
  EXPECT_EQ(store.last_seq("city-2"), 3u);
  EXPECT_EQ(store.last_seq("a"), 1u);
  EXPECT_EQ(store.last_seq("nowhere"), 0u);
  EXPECT_EQ(store.last_seq(""), 0u);
  EXPECT_EQ(events_of(store, "town"), expected_events("town", 8));
  EXPECT_EQ(events_of(store, "city-2"), expected_events("city-2", 3));
  EXPECT_EQ(store.read_event("a", 1), payload("a", 1));
  EXPECT_EQ(store.read_event("a", 2), std::nullopt);
  EXPECT_EQ(store.read_event("nowhere", 1), std::nullopt);

  auto snapshot = store.latest_snapshot("town");
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->seq, 4u);
  EXPECT_EQ(snapshot->bytes, "town@4");
  EXPECT_EQ(store.latest_snapshot("city-2")->bytes, "city@3");
  EXPECT_EQ(store.latest_snapshot("a"), std::nullopt);

  const EventStore::Stats stats = store.stats();
  EXPECT_EQ(stats.events, 12u);
  EXPECT_EQ(stats.snapshots, 2u);
  EXPECT_GE(stats.map_size, 64ull << 20);
  EXPECT_GT(stats.used_bytes, 0u);

  // The reloaded cache continues every hall's sequence, and a new hall gets
  // a number of its own.
  EventStore::Batch batch;
  add_events(batch, "a", 1, 3);
  add_events(batch, "b", 0, 2);
  add_events(batch, "town", 8, 9);
  store.commit(batch);
  EXPECT_EQ(events_of(store, "a"), expected_events("a", 3));
  EXPECT_EQ(events_of(store, "b"), expected_events("b", 2));
  EXPECT_EQ(events_of(store, "town"), expected_events("town", 9));
}

TEST_F(EventStoreTest, EmptyBatchWritesNothing) {
  EventStore store(options());
  store.commit(EventStore::Batch{});
  EXPECT_TRUE(store.halls().empty());
  EXPECT_EQ(store.stats().events, 0u);
}

TEST_F(EventStoreTest, InvalidHallIdIsRefusedByTheBatch) {
  EventStore::Batch batch;
  EXPECT_THROW(batch.add_event("Town", 1, "x"), std::invalid_argument);
  EXPECT_THROW(batch.add_event("", 1, "x"), std::invalid_argument);
  EXPECT_THROW(batch.put_snapshot("a/b", 1, "x"), std::invalid_argument);
  EXPECT_THROW(batch.add_event(std::string(65, 'a'), 1, "x"), std::invalid_argument);
  EXPECT_NO_THROW(batch.add_event(std::string(64, 'a'), 1, "x"));
  EXPECT_EQ(batch.size(), 1u);
}

TEST_F(EventStoreTest, SequenceErrorsWriteNothing) {
  std::optional<EventStore> opened(std::in_place, options());
  EventStore& store = *opened;
  {
    EventStore::Batch batch;
    add_events(batch, "town", 0, 3);
    store.commit(batch);
  }
  const auto refuse = [&](const EventStore::Batch& batch, std::string_view why) {
    SCOPED_TRACE(why);
    EXPECT_THROW(store.commit(batch), std::logic_error);
    EXPECT_EQ(store.halls(), std::vector<std::string>{"town"});
    EXPECT_EQ(store.last_seq("town"), 3u);
    EXPECT_EQ(store.last_seq("city"), 0u);
    EXPECT_EQ(store.stats().events, 3u);
    EXPECT_EQ(store.stats().snapshots, 0u);
  };
  {
    // Other halls' valid events before and after the gap are not written either.
    EventStore::Batch batch;
    add_events(batch, "city", 0, 2);
    batch.add_event("town", 4, "ok");
    batch.add_event("town", 6, "gap");
    add_events(batch, "city", 2, 4);
    refuse(batch, "gap within the batch");
  }
  {
    EventStore::Batch batch;
    add_events(batch, "city", 0, 1);
    batch.add_event("town", 3, "duplicate of a stored event");
    refuse(batch, "duplicate of a stored seq");
  }
  {
    EventStore::Batch batch;
    batch.add_event("town", 4, "first");
    batch.add_event("town", 4, "again");
    refuse(batch, "duplicate within the batch");
  }
  {
    EventStore::Batch batch;
    batch.add_event("city", 0, "zero");
    refuse(batch, "a new hall starting at 0");
  }
  {
    EventStore::Batch batch;
    batch.add_event("city", 2, "two");
    refuse(batch, "a new hall starting at 2");
  }
  {
    EventStore::Batch batch;
    add_events(batch, "city", 0, 1);
    batch.put_snapshot("town", 4, "ahead of the events");
    batch.add_event("town", 4, "too late for the snapshot");
    refuse(batch, "snapshot ahead of its hall's events");
  }
  // The failed batches left the cache as it was: the sequence continues at 4,
  // and the new hall's number is consistent with the store after reopening.
  {
    EventStore::Batch batch;
    add_events(batch, "city", 0, 2);
    add_events(batch, "town", 3, 4);
    batch.put_snapshot("town", 4, "town@4");
    store.commit(batch);
  }
  opened.reset();  // one open at a time per process (LMDB's rule, and the writer lock)
  EventStore reopened(options());
  EXPECT_EQ(reopened.halls(), (std::vector<std::string>{"city", "town"}));
  EXPECT_EQ(events_of(reopened, "city"), expected_events("city", 2));
  EXPECT_EQ(events_of(reopened, "town"), expected_events("town", 4));
  EXPECT_EQ(reopened.latest_snapshot("town")->seq, 4u);
}

TEST_F(EventStoreTest, KeepsOnlyTheTwoLatestSnapshotsPerHall) {
  std::optional<EventStore> opened(std::in_place, options());
  EventStore& store = *opened;
  EventStore::Batch batch;
  // Hall numbers 1, 2, 3: trimming the middle one must not reach its neighbours.
  add_events(batch, "first", 0, 10);
  add_events(batch, "middle", 0, 10);
  add_events(batch, "last", 0, 10);
  batch.put_snapshot("first", 1, "first@1");
  batch.put_snapshot("first", 2, "first@2");
  batch.put_snapshot("last", 1, "last@1");
  batch.put_snapshot("last", 2, "last@2");
  store.commit(batch);
  EXPECT_EQ(store.stats().snapshots, 4u);

  for (std::uint64_t seq = 1; seq <= 5; ++seq) {
    batch.clear();
    batch.put_snapshot("middle", seq, fmt::format("middle@{}", seq));
    store.commit(batch);
    EXPECT_EQ(store.latest_snapshot("middle")->seq, seq);
    EXPECT_EQ(store.stats().snapshots, 4u + std::min<std::uint64_t>(seq, 2));
  }
  // Several in one batch: still the two latest.
  batch.clear();
  batch.put_snapshot("middle", 7, "middle@7");
  batch.put_snapshot("middle", 6, "middle@6");
  batch.put_snapshot("middle", 8, "middle@8");
  store.commit(batch);
  EXPECT_EQ(store.stats().snapshots, 6u);
  EXPECT_EQ(store.latest_snapshot("middle")->bytes, "middle@8");
  EXPECT_EQ(store.latest_snapshot("first")->bytes, "first@2");
  EXPECT_EQ(store.latest_snapshot("last")->bytes, "last@2");

  // Exactly the two latest of each hall are left: look at the raw keys
  // (4-byte hall number, 8-byte seq; halls numbered in order of first write).
  opened.reset();
  lmdb::Env env = lmdb::Env::create();
  env.set_maxdbs(8);
  env.open(options().dir.c_str(), MDB_RDONLY, 0644);
  lmdb::Txn txn = lmdb::Txn::begin(env.handle(), MDB_RDONLY);
  lmdb::Dbi snapshots = *lmdb::Dbi::open(txn.handle(), "snapshots");
  lmdb::Cursor cursor = lmdb::Cursor::open(txn.handle(), snapshots);
  std::vector<std::pair<int, int>> kept;  // (hall number, seq)
  MDB_val key{}, data{};
  for (bool more = cursor.get(&key, &data, MDB_FIRST); more; more = cursor.get(&key, &data, MDB_NEXT)) {
    ASSERT_EQ(key.mv_size, 12u);
    const auto* k = static_cast<const unsigned char*>(key.mv_data);
    kept.emplace_back(k[3], k[11]);
  }
  EXPECT_EQ(kept, (std::vector<std::pair<int, int>>{{1, 1}, {1, 2}, {2, 7}, {2, 8}, {3, 1}, {3, 2}}));
}

TEST_F(EventStoreTest, ForEachEventFromTheMiddleWithEarlyStop) {
  EventStore store(options());
  EventStore::Batch batch;
  for (std::uint64_t seq = 1; seq <= 10; ++seq) {
    // Interleaved halls, so a range that ran over its hall would show it.
    batch.add_event("b", seq, payload("b", seq));
    batch.add_event("a", seq, payload("a", seq));
    batch.add_event("c", seq, payload("c", seq));
  }
  store.commit(batch);

  auto from4 = events_of(store, "b", 4);
  ASSERT_EQ(from4.size(), 7u);
  EXPECT_EQ(from4.front(), std::make_pair(std::uint64_t{4}, payload("b", 4)));
  EXPECT_EQ(from4.back(), std::make_pair(std::uint64_t{10}, payload("b", 10)));

  std::vector<std::uint64_t> seen;
  store.for_each_event("b", 4, [&](std::uint64_t seq, std::string_view) {
    seen.push_back(seq);
    return seen.size() < 3;
  });
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{4, 5, 6}));

  EXPECT_EQ(events_of(store, "b", 0), expected_events("b", 10));
  EXPECT_TRUE(events_of(store, "b", 11).empty());
  EXPECT_TRUE(events_of(store, "nowhere", 1).empty());
  EXPECT_EQ(events_of(store, "c", 10),
            (std::vector<std::pair<std::uint64_t, std::string>>{{10, payload("c", 10)}}));

  // The callback may read the store (nested read transactions).
  int nested = 0;
  store.for_each_event("a", 9, [&](std::uint64_t seq, std::string_view bytes) {
    EXPECT_EQ(store.read_event("a", seq), std::string(bytes));
    EXPECT_EQ(store.last_seq("c"), 10u);
    EXPECT_THROW(store.grow_map(1ull << 30), std::logic_error);
    ++nested;
    return true;
  });
  EXPECT_EQ(nested, 2);
  store.grow_map(1ull << 30);  // fine outside the callback
  EXPECT_EQ(store.stats().map_size, 1ull << 30);
}

TEST_F(EventStoreTest, MapFullWritesNothingAndTheStoreStaysUsable) {
  const StoreOptions small = small_options();
  std::optional<EventStore> opened(std::in_place, small);
  EventStore& store = *opened;
  EventStore::Batch batch;
  add_events(batch, "town", 0, 10);
  store.commit(batch);
  const EventStore::Stats before = store.stats();

  const std::string kilobyte(1024, 'k');
  EventStore::Batch big;
  for (std::uint64_t seq = 11; seq <= 2010; ++seq) big.add_event("town", seq, kilobyte);
  big.add_event("newcomer", 1, "new hall in the failing batch");
  big.put_snapshot("town", 2010, "snapshot in the failing batch");
  try {
    store.commit(big);
    FAIL() << "a 2 MB batch fit a 1 MiB map";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.map_full()) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("MDB_MAP_FULL"));
  }
  EXPECT_EQ(store.last_seq("town"), 10u);
  EXPECT_EQ(store.last_seq("newcomer"), 0u);
  EXPECT_EQ(store.halls(), std::vector<std::string>{"town"});
  EXPECT_EQ(store.read_event("town", 11), std::nullopt);
  EXPECT_EQ(store.latest_snapshot("town"), std::nullopt);
  EXPECT_EQ(store.stats().events, before.events);

  // A small batch still fits, a new hall included.
  batch.clear();
  add_events(batch, "town", 10, 12);
  add_events(batch, "other", 0, 1);
  store.commit(batch);
  EXPECT_EQ(store.last_seq("town"), 12u);

  // After growing the map the big batch goes in (renumbered after the small one).
  store.grow_map(16ull << 20);
  big.clear();
  for (std::uint64_t seq = 13; seq <= 2012; ++seq) big.add_event("town", seq, kilobyte);
  big.add_event("newcomer", 1, "now it fits");
  store.commit(big);
  EXPECT_EQ(store.last_seq("town"), 2012u);
  EXPECT_EQ(store.read_event("newcomer", 1), "now it fits");

  // The grown size is recorded in the store and outlives the smaller option.
  opened.reset();
  EventStore reopened(small);
  EXPECT_EQ(reopened.stats().map_size, 16ull << 20);
  EXPECT_EQ(reopened.last_seq("town"), 2012u);
  EXPECT_EQ(reopened.halls(), (std::vector<std::string>{"newcomer", "other", "town"}));
}

std::vector<std::pair<std::uint64_t, std::string>> audit_of(const EventStore& store) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  store.for_each_audit(1, [&](std::uint64_t number, std::string_view bytes) {
    out.emplace_back(number, std::string(bytes));
    return true;
  });
  return out;
}

// An action's events and its audit record are one transaction: a commit that
// fails after writing the events (the record does not fit the map) leaves
// neither, as a fresh read-only open sees; the next commit numbers its
// records on from the last stored one; a batch may carry records only.
TEST_F(EventStoreTest, AuditRecordsCommitWithTheEventsOrNotAtAll) {
  std::optional<EventStore> opened(std::in_place, small_options());
  EventStore& store = *opened;
  EventStore::Batch batch;
  batch.add_audit("first action");  // the record may come before its events in the batch
  add_events(batch, "town", 0, 2);
  store.commit(batch);
  EXPECT_EQ(store.stats().commits, 1u);

  // Events first, then a record too large for the map: nothing of it is stored.
  EventStore::Batch failing;
  add_events(failing, "town", 2, 5);
  add_events(failing, "newcomer", 0, 1);
  failing.add_audit("second action");
  failing.add_audit(std::string(2u << 20, 'r'));
  EXPECT_EQ(failing.size(), 4u);
  EXPECT_EQ(failing.audit_records(), 2u);
  try {
    store.commit(failing);
    FAIL() << "a 2 MiB audit record fit a 1 MiB map";
  } catch (const StoreError& e) {
    EXPECT_TRUE(e.map_full()) << e.what();
  }
  EXPECT_EQ(store.stats().commits, 1u);
  {
    const EventStore reader(read_only_options());
    EXPECT_EQ(reader.last_seq("town"), 2u);
    EXPECT_EQ(reader.last_seq("newcomer"), 0u);
    EXPECT_EQ(audit_of(reader), (std::vector<std::pair<std::uint64_t, std::string>>{{1, "first action"}}));
  }

  // Records alone (a refusal's, a login's), then events with records again.
  batch.clear();
  batch.add_audit("refused action");
  batch.add_audit("login");
  EXPECT_FALSE(batch.empty());
  EXPECT_EQ(batch.size(), 0u);
  store.commit(batch);
  batch.clear();
  add_events(batch, "town", 2, 3);
  batch.add_audit("third action");
  store.commit(batch);
  EXPECT_EQ(store.stats().commits, 3u);
  const std::vector<std::pair<std::uint64_t, std::string>> expected = {
      {1, "first action"}, {2, "refused action"}, {3, "login"}, {4, "third action"}};
  {
    const EventStore reader(read_only_options());
    EXPECT_EQ(reader.last_seq("town"), 3u);
    EXPECT_EQ(audit_of(reader), expected);
  }
  // Numbering goes on after a reopen.
  opened.reset();
  EventStore reopened(small_options());
  batch.clear();
  batch.add_audit("after restart");
  reopened.commit(batch);
  EXPECT_EQ(audit_of(reopened).back(), (std::pair<std::uint64_t, std::string>{5, "after restart"}));
  EXPECT_EQ(reopened.stats().commits, 1u);
}

// A batch's audit records need a writable store, like its events.
TEST_F(EventStoreTest, AuditRecordsNeedAWritableStore) {
  { EventStore created(options()); }
  EventStore reader(read_only_options());
  EventStore::Batch batch;
  batch.add_audit("x");
  EXPECT_THROW(reader.commit(batch), std::logic_error);
  EXPECT_TRUE(audit_of(reader).empty());
}

void expect_same_content(const EventStore& a, const EventStore& b) {
  ASSERT_EQ(a.halls(), b.halls());
  for (const std::string& hall : a.halls()) {
    SCOPED_TRACE(hall);
    EXPECT_EQ(a.last_seq(hall), b.last_seq(hall));
    EXPECT_EQ(events_of(a, hall), events_of(b, hall));
    const auto sa = a.latest_snapshot(hall), sb = b.latest_snapshot(hall);
    ASSERT_EQ(sa.has_value(), sb.has_value());
    if (sa) {
      EXPECT_EQ(sa->seq, sb->seq);
      EXPECT_EQ(sa->bytes, sb->bytes);
    }
  }
  EXPECT_EQ(a.stats().events, b.stats().events);
  EXPECT_EQ(a.stats().snapshots, b.stats().snapshots);
}

// Many halls, their events interleaved within each batch (in no hall order,
// each hall's own events ascending), with snapshots: all of it reads back
// after reopening, writable and read-only, and through a compact backup.
TEST_F(EventStoreTest, ManyHallsInterleavedInBatchesSurviveReopen) {
  constexpr int kHalls = 120;
  constexpr int kBatches = 6;
  std::vector<std::string> ids;
  for (int h = 0; h < kHalls; ++h) ids.push_back(fmt::format("hall-{}", h * 7 % kHalls));  // not in id order
  std::vector<std::uint64_t> last(kHalls, 0);
  std::mt19937 rng(42);
  {
    EventStore store(options());
    EventStore::Batch batch;
    for (int b = 0; b < kBatches; ++b) {
      // Each hall gets 0..9 events in this batch; draw the halls in random order.
      std::vector<int> draws;
      for (int h = 0; h < kHalls; ++h) draws.insert(draws.end(), static_cast<std::size_t>(rng() % 10), h);
      std::shuffle(draws.begin(), draws.end(), rng);
      batch.clear();
      for (int h : draws) {
        ++last[h];
        batch.add_event(ids[h], last[h], payload(ids[h], last[h]));
      }
      for (int h = b; h < kHalls; h += 17) {
        if (last[h] > 0) batch.put_snapshot(ids[h], last[h], fmt::format("{}@{}", ids[h], last[h]));
      }
      store.commit(batch);
    }
    for (int h = 0; h < kHalls; ++h) EXPECT_EQ(store.last_seq(ids[h]), last[h]) << ids[h];
  }
  const auto check = [&](const EventStore& store) {
    std::uint64_t total = 0;
    for (int h = 0; h < kHalls; ++h) {
      SCOPED_TRACE(ids[h]);
      EXPECT_EQ(store.last_seq(ids[h]), last[h]);
      EXPECT_EQ(events_of(store, ids[h]), expected_events(ids[h], last[h]));
      total += last[h];
    }
    EXPECT_EQ(store.stats().events, total);
    std::vector<std::string> sorted = ids;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(store.halls(), sorted);
  };
  {
    EventStore reopened(options());
    check(reopened);
    // The reloaded cache continues every hall's sequence.
    EventStore::Batch batch;
    for (int h = kHalls - 1; h >= 0; --h) {
      ++last[h];
      batch.add_event(ids[h], last[h], payload(ids[h], last[h]));
    }
    reopened.commit(batch);
    check(reopened);
    reopened.backup(dir_.sub("copy"));
  }
  EventStore reader(read_only_options());
  check(reader);
  StoreOptions copy_options;
  copy_options.dir = dir_.sub("copy");
  copy_options.read_only = true;
  EventStore copy(copy_options);
  expect_same_content(reader, copy);
}

// The layout as README.md describes it: a database "events:<hall id>" per
// hall, keyed by the 8-byte big-endian seq, so its byte order is seq order
// (also across 255 -> 256), each hall's events appended in order.
TEST_F(EventStoreTest, EachHallsEventsAreItsOwnDatabaseInSeqOrder) {
  {
    EventStore store(options());
    EventStore::Batch batch;
    for (std::uint64_t seq = 1; seq <= 300; ++seq) {
      batch.add_event("b", seq, payload("b", seq));
      if (seq <= 260) batch.add_event("a", seq, payload("a", seq));
      if (seq % 100 == 0) {
        store.commit(batch);
        batch.clear();
      }
    }
    store.commit(batch);
  }
  lmdb::Env env = lmdb::Env::create();
  env.set_maxdbs(8);
  env.open(options().dir.c_str(), MDB_RDONLY, 0644);
  lmdb::Txn txn = lmdb::Txn::begin(env.handle(), MDB_RDONLY);
  EXPECT_FALSE(lmdb::Dbi::open(txn.handle(), "events"));  // format 1's shared database is gone
  for (const auto& [hall, count] : {std::pair<std::string, std::uint64_t>{"a", 260}, {"b", 300}}) {
    SCOPED_TRACE(hall);
    const auto db = lmdb::Dbi::open(txn.handle(), ("events:" + hall).c_str());
    ASSERT_TRUE(db);
    lmdb::Cursor cursor = lmdb::Cursor::open(txn.handle(), *db);
    MDB_val key{}, data{};
    std::uint64_t expected = 0;
    for (bool more = cursor.get(&key, &data, MDB_FIRST); more; more = cursor.get(&key, &data, MDB_NEXT)) {
      ASSERT_EQ(key.mv_size, 8u);
      std::uint64_t seq = 0;
      for (std::size_t i = 0; i < 8; ++i)
        seq = (seq << 8) | static_cast<const unsigned char*>(key.mv_data)[i];
      ASSERT_EQ(seq, ++expected);
      EXPECT_EQ(lmdb::to_view(data), payload(hall, seq));
    }
    EXPECT_EQ(expected, count);
  }
}

// MDB_APPEND doubles as MDB_NOOVERWRITE: an event that someone else stored
// behind the writer's back (its cache says the seq is free) is an error and
// the whole batch is refused; nothing is overwritten.
TEST_F(EventStoreTest, AnEventStoredBehindTheWritersBackIsNotOverwritten) {
  EventStore store(options());
  EventStore::Batch batch;
  add_events(batch, "town", 0, 3);
  add_events(batch, "city", 0, 1);
  store.commit(batch);
  store.apply_log();  // the rogue writes where LMDB already holds the hall

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: a rogue writer with raw LMDB (it skips the store's writer lock).
    int code = 0;
    try {
      lmdb::Env env = lmdb::Env::create();
      env.set_maxdbs(8);
      env.open(options().dir.c_str(), 0, 0644);
      lmdb::Txn txn = lmdb::Txn::begin(env.handle());
      const lmdb::Dbi events = *lmdb::Dbi::open(txn.handle(), "events:town");
      const char key[8] = {0, 0, 0, 0, 0, 0, 0, 4};
      events.put(txn.handle(), std::string_view(key, 8), "rogue");
      txn.commit();
    } catch (...) {
      code = 1;
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  batch.clear();
  add_events(batch, "city", 1, 2);
  add_events(batch, "town", 3, 4);
  try {
    store.commit(batch);
    FAIL() << "overwrote an event";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), MDB_KEYEXIST);
    EXPECT_THAT(e.what(), HasSubstr("hall 'town': event 4 is not after the last stored one"));
  }
  EXPECT_EQ(store.read_event("town", 4), "rogue");
  EXPECT_EQ(store.read_event("city", 2), std::nullopt);
  EXPECT_EQ(store.last_seq("city"), 1u);
}

// The store holds at most EventStore::kMaxHalls halls: a batch that would
// add one more is refused with a StoreError naming the limit, nothing of it
// written, and the store stays usable (also after reopening).
TEST_F(EventStoreTest, HallsBeyondTheLimitAreRefused) {
  constexpr std::size_t kMax = EventStore::kMaxHalls;
  const auto id = [](std::size_t i) { return fmt::format("h{}", i); };
  std::optional<EventStore> opened(std::in_place, options());
  EventStore::Batch batch;
  for (std::size_t i = 1; i < kMax; ++i) batch.add_event(id(i), 1, payload(id(i), 1));
  opened->commit(batch);

  const auto refused = [&](EventStore& store, const EventStore::Batch& b, std::string_view why) {
    SCOPED_TRACE(why);
    try {
      store.commit(b);
      ADD_FAILURE() << "a hall beyond the limit";
    } catch (const StoreError& e) {
      EXPECT_EQ(e.code(), MDB_DBS_FULL);
      EXPECT_THAT(e.what(), HasSubstr(fmt::format("beyond the limit of {} halls", kMax)));
      EXPECT_THAT(e.what(), HasSubstr("nothing written"));
    }
  };
  // Hall kMax fits, kMax + 1 does not: neither is written, nor the old hall's event.
  batch.clear();
  batch.add_event(id(1), 2, payload(id(1), 2));
  batch.add_event(id(kMax), 1, "last that fits");
  batch.add_event(id(kMax + 1), 1, "one too many");
  refused(*opened, batch, "two new halls, one beyond");
  EXPECT_EQ(opened->last_seq(id(1)), 1u);
  EXPECT_EQ(opened->halls().size(), kMax - 1);

  batch.clear();
  batch.add_event(id(kMax), 1, "last that fits");
  batch.add_event(id(1), 2, payload(id(1), 2));
  opened->commit(batch);
  EXPECT_EQ(opened->halls().size(), kMax);

  batch.clear();
  batch.put_snapshot(id(kMax + 1), 0, "a snapshot would add the hall too");
  refused(*opened, batch, "a new hall by snapshot");

  opened.reset();
  EventStore reopened(options());
  batch.clear();
  batch.add_event(id(kMax + 1), 1, "still too many");
  refused(reopened, batch, "after reopening");
  batch.clear();
  add_events(batch, id(kMax), 1, 3);
  reopened.commit(batch);  // existing halls go on
  EXPECT_EQ(reopened.last_seq(id(kMax)), 3u);
  EXPECT_EQ(reopened.stats().events, kMax + 1 + 2);

  // A reader opens every hall's database.
  EventStore reader(read_only_options());
  EXPECT_EQ(reader.stats().events, kMax + 1 + 2);
  EXPECT_EQ(reader.read_event(id(kMax), 1), "last that fits");
}

// A read-only store opens a hall's database when first asked for it: halls
// the writer adds after the reader opened are found, also from inside a
// for_each_event callback (a database opened while a read is under way).
TEST_F(EventStoreTest, ReaderFindsHallsAddedAfterItOpened) {
  EventStore store(options());
  EventStore::Batch batch;
  add_events(batch, "town", 0, 5);
  store.commit(batch);

  int to_child[2], to_parent[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(to_parent), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int code = 0;
    try {
      EventStore reader(read_only_options());
      if (reader.last_seq("city") != 0 || reader.last_seq("town") != 5) ::_exit(10);
      char c = 'r';
      if (::write(to_parent[1], &c, 1) != 1) ::_exit(11);
      if (::read(to_child[0], &c, 1) != 1) ::_exit(12);
      int seen = 0;
      reader.for_each_event("town", 1, [&](std::uint64_t seq, std::string_view) {
        // First use of "village" and "city": their databases open now.
        if (seq == 1 && reader.read_event("village", 2) != payload("village", 2)) code = 13;
        if (reader.last_seq("city") != 3) code = 14;
        ++seen;
        return true;
      });
      if (seen != 5) code = 15;
      if (reader.halls() != std::vector<std::string>{"city", "town", "village"}) code = 16;
      if (reader.stats().events != 5 + 3 + 2) code = 17;
    } catch (...) {
      code = 18;
    }
    ::_exit(code);
  }
  char c = 0;
  ASSERT_EQ(::read(to_parent[0], &c, 1), 1);
  batch.clear();
  add_events(batch, "city", 0, 3);
  add_events(batch, "village", 0, 2);
  store.commit(batch);
  ASSERT_EQ(::write(to_child[1], &c, 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) ::close(fd);
}

// A thread reading while the owner commits (the engine's history worker):
// every read sees a gap-free prefix of each hall's events with the bytes
// written, halls created meanwhile included, and grow_map() on the owner
// waits for the reads instead of remapping under them.
TEST_F(EventStoreTest, AnotherThreadReadsWhileTheOwnerCommitsAndGrows) {
  EventStore store(options());
  EventStore::Batch batch;
  add_events(batch, "town", 0, 10);
  store.commit(batch);

  constexpr std::uint64_t kBatches = 300;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::string failure;
  std::thread reader([&] {
    std::uint64_t last_town = 0;
    while (!done.load() || reads.load() < 3) {
      for (const char* hall : {"town", "city"}) {
        std::uint64_t expect = 1;
        store.for_each_event(hall, 1, [&](std::uint64_t seq, std::string_view bytes) {
          if (seq != expect || bytes != payload(hall, seq)) failure = fmt::format("{} #{}", hall, seq);
          ++expect;
          return failure.empty();
        });
        if (std::string_view(hall) == "town") {
          if (expect - 1 < last_town) failure = "town went back";
          last_town = expect - 1;
        }
      }
      ++reads;
      if (!failure.empty()) return;
    }
  });
  for (std::uint64_t i = 0; i < kBatches; ++i) {
    batch.clear();
    add_events(batch, "town", 10 + i * 3, 10 + (i + 1) * 3);
    if (i >= kBatches / 2) add_events(batch, "city", (i - kBatches / 2) * 2, (i - kBatches / 2 + 1) * 2);
    store.commit(batch);
    if (i % 50 == 49) store.grow_map(options().map_size + (i + 1) * (1u << 20));
  }
  done = true;
  reader.join();
  EXPECT_EQ(failure, "");
  EXPECT_EQ(events_of(store, "town"), expected_events("town", 10 + kBatches * 3));
  EXPECT_EQ(events_of(store, "city"), expected_events("city", kBatches));
}

TEST_F(EventStoreTest, BackupOfAnOpenStoreOpensReadOnlyWithTheSameEvents) {
  EventStore store(options());
  EventStore::Batch batch;
  add_events(batch, "town", 0, 300);
  add_events(batch, "city", 0, 100);
  batch.put_snapshot("city", 50, "city@50");
  store.commit(batch);

  store.backup(dir_.sub("compact"));
  store.backup(dir_.sub("plain"), /*compact=*/false);
  // The source stays writable, and later commits do not reach the copies.
  batch.clear();
  add_events(batch, "town", 300, 301);
  store.commit(batch);

  for (const char* name : {"compact", "plain"}) {
    SCOPED_TRACE(name);
    StoreOptions copy_options;
    copy_options.dir = dir_.sub(name);
    copy_options.read_only = true;
    EventStore copy(copy_options);
    EXPECT_EQ(copy.last_seq("town"), 300u);
    EXPECT_EQ(events_of(copy, "town"), expected_events("town", 300));
    EXPECT_EQ(events_of(copy, "city"), expected_events("city", 100));
    EXPECT_EQ(copy.latest_snapshot("city")->bytes, "city@50");
  }
  try {
    store.backup(dir_.sub("compact"));
    FAIL() << "backup over an existing copy";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("already holds"));
  }
}

// A separate process opens the live store read-only, sees the writer's
// commits, and backs it up while the writer goes on committing: the copy is
// a consistent prefix of the source.
TEST_F(EventStoreTest, BackupFromAnotherProcessWhileTheWriterCommits) {
  EventStore store(options());
  EventStore::Batch batch;
  add_events(batch, "town", 0, 100);
  store.commit(batch);

  int to_child[2], to_parent[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(to_parent), 0);
  const std::string dest = dir_.sub("copy");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: never touches the parent's store; exits without destructors.
    int code = 0;
    try {
      EventStore reader(read_only_options());
      char c = 'r';
      if (::write(to_parent[1], &c, 1) != 1) ::_exit(10);
      if (::read(to_child[0], &c, 1) != 1) ::_exit(11);
      if (reader.last_seq("town") < 200) ::_exit(12);  // sees commits made after it opened
      reader.backup(dest);
      try {
        EventStore::Batch b;
        b.add_event("town", 999, "x");
        reader.commit(b);
        code = 13;
      } catch (const std::logic_error&) {
      }
      try {
        EventStore second_writer(options());
        code = 14;
      } catch (const StoreError&) {
      }
    } catch (...) {
      code = 15;
    }
    ::_exit(code);
  }
  char c = 0;
  ASSERT_EQ(::read(to_parent[0], &c, 1), 1);  // the reader is open
  batch.clear();
  add_events(batch, "town", 100, 200);
  store.commit(batch);
  ASSERT_EQ(::write(to_child[1], &c, 1), 1);
  for (std::uint64_t last = 200; last < 1200; last += 50) {  // concurrent with the copy
    batch.clear();
    add_events(batch, "town", last, last + 50);
    store.commit(batch);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) ::close(fd);

  StoreOptions copy_options;
  copy_options.dir = dest;
  copy_options.read_only = true;
  EventStore copy(copy_options);
  const std::uint64_t copied = copy.last_seq("town");
  EXPECT_GE(copied, 200u);
  EXPECT_LE(copied, 1200u);
  EXPECT_EQ(copied % 50, 0u);  // whole batches only
  EXPECT_EQ(events_of(copy, "town"), expected_events("town", copied));
}

// A reader in another process keeps working when the writer grows the map
// and fills it beyond the reader's mapping (LMDB's MDB_MAP_RESIZED).
TEST_F(EventStoreTest, ReaderInAnotherProcessFollowsAGrownMap) {
  const StoreOptions small = small_options();
  EventStore store(small);
  EventStore::Batch batch;
  add_events(batch, "town", 0, 10);
  store.commit(batch);

  int to_child[2], to_parent[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(to_parent), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int code = 0;
    try {
      EventStore reader(read_only_options());
      if (reader.stats().map_size != (1ull << 20)) ::_exit(10);
      char c = 'r';
      if (::write(to_parent[1], &c, 1) != 1) ::_exit(11);
      if (::read(to_child[0], &c, 1) != 1) ::_exit(12);
      if (reader.last_seq("town") != 2010) ::_exit(13);
      if (reader.read_event("town", 2010) != std::string(1024, 'k')) ::_exit(14);
      if (reader.stats().map_size != (16ull << 20)) ::_exit(15);
    } catch (...) {
      code = 16;
    }
    ::_exit(code);
  }
  char c = 0;
  ASSERT_EQ(::read(to_parent[0], &c, 1), 1);
  store.grow_map(16ull << 20);
  batch.clear();
  for (std::uint64_t seq = 11; seq <= 2010; ++seq) batch.add_event("town", seq, std::string(1024, 'k'));
  store.commit(batch);  // about 2 MB: past the reader's 1 MiB mapping
  ASSERT_EQ(::write(to_child[1], &c, 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  for (int fd : {to_child[0], to_child[1], to_parent[0], to_parent[1]}) ::close(fd);
}

// README.md names `mdb_copy -c` for backing up a live store: check it.
TEST_F(EventStoreTest, MdbCopyOfALiveStoreOpens) {
  if (std::system("command -v mdb_copy >/dev/null 2>&1") != 0) GTEST_SKIP() << "mdb_copy not installed";
  EventStore store(options());
  EventStore::Batch batch;
  add_events(batch, "town", 0, 50);
  batch.put_snapshot("town", 40, "town@40");
  store.commit(batch);
  store.apply_log();  // mdb_copy copies LMDB only, not the commit log (README.md)
  const std::string dest = dir_.sub("mdb-copy");
  ASSERT_EQ(
      std::system(fmt::format("mkdir -p '{}' && mdb_copy -c '{}' '{}'", dest, options().dir, dest).c_str()),
      0);
  StoreOptions copy_options;
  copy_options.dir = dest;
  copy_options.read_only = true;
  EventStore copy(copy_options);
  expect_same_content(store, copy);
}

// Rewrites the format version of the (closed) store in `dir`.
void set_format(const std::string& dir, std::string_view format) {
  lmdb::Env env = lmdb::Env::create();
  env.set_maxdbs(8);
  env.open(dir.c_str(), 0, 0644);
  lmdb::Txn txn = lmdb::Txn::begin(env.handle());
  lmdb::Dbi meta = *lmdb::Dbi::open(txn.handle(), "meta");
  meta.put(txn.handle(), "format", format);
  txn.commit();
}

TEST_F(EventStoreTest, UnknownFormatVersionIsRefused) {
  { EventStore store(options()); }
  set_format(options().dir, "hallq-store 99");  // as a future build would
  for (bool read_only : {false, true}) {
    StoreOptions o = options();
    o.read_only = read_only;
    try {
      EventStore store(o);
      FAIL() << "opened a store of an unknown format";
    } catch (const StoreError& e) {
      EXPECT_THAT(e.what(), HasSubstr("unknown store format 'hallq-store 99'"));
      EXPECT_THAT(e.what(), HasSubstr("'hallq-store 2'"));
      EXPECT_THAT(e.what(), HasSubstr(o.dir));
    }
  }
}

// Format 1 (all halls in one events database) is refused with a message
// that says what it is; there is no migration.
TEST_F(EventStoreTest, FormatOneIsRefusedAndNamed) {
  {
    EventStore store(options());
    EventStore::Batch batch;
    add_events(batch, "town", 0, 3);
    store.commit(batch);
  }
  set_format(options().dir, "hallq-store 1");
  for (bool read_only : {false, true}) {
    StoreOptions o = options();
    o.read_only = read_only;
    try {
      EventStore store(o);
      FAIL() << "opened a format 1 store";
    } catch (const StoreError& e) {
      EXPECT_EQ(e.code(), MDB_INCOMPATIBLE);
      EXPECT_THAT(e.what(), HasSubstr("store format 'hallq-store 1' (all halls' events in one database)"));
      EXPECT_THAT(e.what(), HasSubstr("'hallq-store 2'"));
      EXPECT_THAT(e.what(), HasSubstr("no migration"));
      EXPECT_THAT(e.what(), HasSubstr(o.dir));
    }
  }
}

TEST_F(EventStoreTest, ForeignLmdbDataIsRefused) {
  {
    lmdb::Env env = lmdb::Env::create();
    env.set_maxdbs(8);
    std::filesystem::create_directories(options().dir);
    env.open(options().dir.c_str(), 0, 0644);
    lmdb::Txn txn = lmdb::Txn::begin(env.handle());
    lmdb::Dbi other = *lmdb::Dbi::open(txn.handle(), "someone-else", MDB_CREATE);
    other.put(txn.handle(), "k", "v");
    txn.commit();
  }
  try {
    EventStore store(options());
    FAIL() << "opened foreign LMDB data";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a hallq store"));
  }
}

TEST_F(EventStoreTest, ReadOnlyOpenReadsAndRefusesWrites) {
  try {
    EventStore missing(read_only_options());
    FAIL() << "read-only open created a store";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr(options().dir));
  }
  {
    EventStore store(options());
    EventStore::Batch batch;
    add_events(batch, "town", 0, 20);
    batch.put_snapshot("town", 20, "town@20");
    store.commit(batch);
  }
  EventStore reader(read_only_options());
  EXPECT_EQ(reader.halls(), std::vector<std::string>{"town"});
  EXPECT_EQ(reader.last_seq("town"), 20u);
  const auto all = expected_events("town", 20);
  EXPECT_EQ(events_of(reader, "town", 15), std::vector(all.begin() + 14, all.end()));
  EXPECT_EQ(reader.latest_snapshot("town")->seq, 20u);
  EXPECT_EQ(reader.stats().events, 20u);

  EventStore::Batch batch;
  batch.add_event("town", 21, "x");
  EXPECT_THROW(reader.commit(batch), std::logic_error);
  EXPECT_THROW(reader.commit(EventStore::Batch{}), std::logic_error);
  EXPECT_THROW(reader.grow_map(1ull << 30), std::logic_error);
  EXPECT_EQ(reader.last_seq("town"), 20u);
}

TEST_F(EventStoreTest, OnlyOneWriterAtATime) {
  EventStore store(options());
  try {
    EventStore second(options());
    FAIL() << "two writers";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("already open for writing"));
  }
  // The refused second open left the first one intact.
  EventStore::Batch batch;
  add_events(batch, "town", 0, 1);
  store.commit(batch);
  EXPECT_EQ(store.last_seq("town"), 1u);
}

}  // namespace
}  // namespace hallq::store
