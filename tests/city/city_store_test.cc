// The city view's store without a cluster: each hall's events kept in order
// after its snapshot (sequence order, not byte order of the decimal), a
// snapshot dropping only its own hall's events (a hall id that begins
// another's included), everything there again after a reopen, and a store
// written before events were kept (two databases, by LMDB's own API) opening
// as it is.
#include "displays/city/city_store.h"

#include <gtest/gtest.h>
#include <lmdb.h>

#include <filesystem>
#include <map>

#include "tests/support/temp_dir.h"

namespace hallq::city {
namespace {

using Events = std::vector<std::string>;

std::map<std::string, CityStore::Saved> by_hall(const CityStore& store) {
  std::map<std::string, CityStore::Saved> out;
  for (CityStore::Saved& s : store.load()) out[s.hall] = std::move(s);
  return out;
}

TEST(CityStoreTest, EventsInSequenceOrderPerHallAndASnapshotDropsOnlyItsOwn) {
  testing::TempDir dir("hallq-city-store");
  {
    CityStore store(dir.sub("s"));
    store.save({}, {{"town", "snap-town-0", 7, {}}, {"town2", "snap-town2-0", 9, {}}});
    // Out of order, across byte boundaries of the sequence (255, 256, 65536), two halls interleaved.
    store.save({{"town", 256, "t256"}, {"town2", 1, "u1"}, {"town", 255, "t255"}}, {});
    store.save({{"town", 65536, "t65536"}, {"town2", 2, "u2"}}, {});
    EXPECT_EQ(store.event_count(), 5u);
    auto halls = by_hall(store);
    ASSERT_EQ(halls.size(), 2u);
    EXPECT_EQ(halls["town"].snapshot, "snap-town-0");
    EXPECT_EQ(halls["town"].revision, 7u);
    EXPECT_EQ(halls["town"].events, (Events{"t255", "t256", "t65536"}));
    EXPECT_EQ(halls["town2"].events, (Events{"u1", "u2"}));

    // town's snapshot (with an event of the same batch): its events go, town2's stay.
    store.save({{"town", 65537, "t65537"}}, {{"town", "snap-town-65537", 8, {}}});
    halls = by_hall(store);
    EXPECT_EQ(halls["town"].snapshot, "snap-town-65537");
    EXPECT_EQ(halls["town"].revision, 8u);
    EXPECT_TRUE(halls["town"].events.empty());
    EXPECT_EQ(halls["town2"].events, (Events{"u1", "u2"}));
    EXPECT_EQ(store.event_count(), 2u);
  }
  CityStore again(dir.sub("s"));
  auto halls = by_hall(again);
  EXPECT_EQ(halls["town"].snapshot, "snap-town-65537");
  EXPECT_TRUE(halls["town"].events.empty());
  EXPECT_EQ(halls["town2"].snapshot, "snap-town2-0");
  EXPECT_EQ(halls["town2"].events, (Events{"u1", "u2"}));
}

TEST(CityStoreTest, AStoreWrittenBeforeEventsWereKeptOpensAsItIs) {
  testing::TempDir dir("hallq-city-store");
  const std::string path = dir.sub("old");
  std::filesystem::create_directories(path);
  // The earlier layout, written with LMDB's C API: halls and revisions only.
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  ASSERT_EQ(mdb_env_set_maxdbs(env, 2), 0);
  ASSERT_EQ(mdb_env_open(env, path.c_str(), 0, 0640), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi halls, revisions;
  ASSERT_EQ(mdb_dbi_open(txn, "halls", MDB_CREATE, &halls), 0);
  ASSERT_EQ(mdb_dbi_open(txn, "revisions", MDB_CREATE, &revisions), 0);
  auto put = [&](MDB_dbi dbi, std::string k, std::string v) {
    MDB_val key{k.size(), k.data()}, val{v.size(), v.data()};
    ASSERT_EQ(mdb_put(txn, dbi, &key, &val, 0), 0);
  };
  put(halls, "bank", "snap-bank");
  put(revisions, "bank", "42");
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);

  CityStore store(path);
  auto loaded = by_hall(store);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded["bank"].snapshot, "snap-bank");
  EXPECT_EQ(loaded["bank"].revision, 42u);
  EXPECT_TRUE(loaded["bank"].events.empty());
  store.save({{"bank", 1, "b1"}}, {});
  EXPECT_EQ(by_hall(store)["bank"].events, (Events{"b1"}));
}

}  // namespace
}  // namespace hallq::city
