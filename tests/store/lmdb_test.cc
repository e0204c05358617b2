// The LMDB wrapper's contracts: a transaction aborts unless committed, errors
// carry the MDB code and the failing call, and "not found" is an answer.
#include "engine/store/lmdb.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace hallq::store::lmdb {
namespace {

class LmdbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = Env::create();
    env_.set_maxdbs(2);
    env_.open(dir_.path().c_str(), MDB_NOTLS | MDB_NOSYNC, 0644);
    Txn txn = Txn::begin(env_.handle());
    dbi_ = *Dbi::open(txn.handle(), "test", MDB_CREATE);
    txn.commit();
  }

  std::optional<std::string> read(std::string_view key) {
    Txn txn = Txn::begin(env_.handle(), MDB_RDONLY);
    auto value = dbi_.get(txn.handle(), key);
    return value ? std::optional<std::string>(*value) : std::nullopt;
  }

  testing::TempDir dir_;
  Env env_;
  Dbi dbi_;
};

TEST_F(LmdbTest, TransactionAbortsUnlessCommitted) {
  {
    Txn txn = Txn::begin(env_.handle());
    dbi_.put(txn.handle(), "a", "1");
  }
  EXPECT_EQ(read("a"), std::nullopt);
  {
    Txn txn = Txn::begin(env_.handle());
    dbi_.put(txn.handle(), "a", "1");
    Txn moved = std::move(txn);  // the moved-from one must not abort it
    EXPECT_EQ(txn.handle(), nullptr);
    moved.commit();
    EXPECT_EQ(moved.handle(), nullptr);
  }
  EXPECT_EQ(read("a"), "1");
}

TEST_F(LmdbTest, ErrorsCarryCodeAndCall) {
  Txn txn = Txn::begin(env_.handle());
  try {
    dbi_.put(txn.handle(), "", "empty keys are refused");
    FAIL() << "no error";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.code(), MDB_BAD_VALSIZE);
    EXPECT_EQ(e.call(), "mdb_put");
    EXPECT_NE(std::string(e.what()).find("mdb_put"), std::string::npos) << e.what();
    EXPECT_FALSE(e.map_full());
  }
}

TEST_F(LmdbTest, NotFoundIsAnAnswer) {
  Txn txn = Txn::begin(env_.handle());
  EXPECT_EQ(dbi_.get(txn.handle(), "missing"), std::nullopt);
  EXPECT_FALSE(dbi_.del(txn.handle(), "missing"));
  EXPECT_EQ(Dbi::open(txn.handle(), "no-such-db"), std::nullopt);

  dbi_.put(txn.handle(), "k1", "v1");
  dbi_.put(txn.handle(), "k2", "v2");
  {
    Cursor cursor = Cursor::open(txn.handle(), dbi_);
    MDB_val key{}, data{};
    ASSERT_TRUE(cursor.get(&key, &data, MDB_FIRST));
    EXPECT_EQ(to_view(key), "k1");
    ASSERT_TRUE(cursor.get(&key, &data, MDB_NEXT));
    EXPECT_EQ(to_view(data), "v2");
    EXPECT_FALSE(cursor.get(&key, &data, MDB_NEXT));
  }  // closed before the transaction ends
  txn.commit();
  EXPECT_EQ(read("k2"), "v2");
}

}  // namespace
}  // namespace hallq::store::lmdb
