// Hall ownership in the owners bucket: claim, renew, a live lease respected,
// takeover after it lapsed, and the lost compare-and-set of the old owner.
// Time is given by the test (leases lapse without waiting).
#include "engine/replicate/ownership.h"

#include <gtest/gtest.h>

#include "tests/replicate/replicate_fixture.h"

namespace hallq::replicate::test {
namespace {

using Owners = ReplicateTest;

TEST(OwnerRecordJson, RoundTripsAndRefusesOtherText) {
  const OwnerRecord r{"engine-a", "tcp://10.0.0.5:5555", 1'700'000'003'000};
  EXPECT_EQ(owner_from_json(to_json(r)), r);
  EXPECT_FALSE(owner_from_json("{}"));
  EXPECT_FALSE(owner_from_json("engine-a"));
  EXPECT_FALSE(owner_from_json(R"({"engine": "a", "lease_until_ms": "soon"})"));
}

TEST_F(Owners, ClaimRenewTakeoverAndTheLostCompareAndSet) {
  Ownership a(engine(), "engine-a", "tcp://127.0.0.1:5001");
  Ownership b(engine(), "engine-b", "tcp://127.0.0.1:5002");
  const std::int64_t t0 = 1'700'000'000'000;

  const Claim a1 = a.claim("own1", t0, 3000);
  ASSERT_EQ(a1.outcome, ClaimOutcome::kOwned) << a1.detail;
  EXPECT_EQ(a1.record.lease_until_ms, t0 + 3000);

  const Claim b1 = b.claim("own1", t0 + 1000, 3000);
  EXPECT_EQ(b1.outcome, ClaimOutcome::kOwnedByOther);
  EXPECT_EQ(b1.record.engine, "engine-a");
  EXPECT_EQ(b1.record.endpoint, "tcp://127.0.0.1:5001");
  EXPECT_EQ(b.owner("own1")->engine, "engine-a");

  const Claim a2 = a.renew("own1", t0 + 2000, 3000);
  ASSERT_EQ(a2.outcome, ClaimOutcome::kOwned) << a2.detail;
  EXPECT_GT(a2.revision, a1.revision);
  // Still live at t0 + 4500 (renewed to t0 + 5000).
  EXPECT_EQ(b.claim("own1", t0 + 4500, 3000).outcome, ClaimOutcome::kOwnedByOther);

  // engine-a stops renewing; its lease lapses; engine-b takes the hall.
  const Claim b2 = b.claim("own1", t0 + 5001, 3000);
  ASSERT_EQ(b2.outcome, ClaimOutcome::kOwned) << b2.detail;
  EXPECT_EQ(a.owner("own1")->engine, "engine-b");

  // engine-a comes back: its renewal's compare-and-set fails; nothing changes.
  const Claim a3 = a.renew("own1", t0 + 5500, 3000);
  EXPECT_EQ(a3.outcome, ClaimOutcome::kLost);
  EXPECT_EQ(a3.record.engine, "engine-b");
  EXPECT_NE(a3.detail.find("written by engine-b"), std::string::npos) << a3.detail;
  EXPECT_EQ(a.owner("own1")->engine, "engine-b");
  EXPECT_EQ(a.claim("own1", t0 + 5500, 3000).outcome, ClaimOutcome::kOwnedByOther);
  // And a renew of a hall never held is refused.
  EXPECT_EQ(a.renew("never", t0, 3000).outcome, ClaimOutcome::kLost);
}

TEST_F(Owners, AnEngineReclaimsItsOwnHallAfterARestart) {
  const std::int64_t t0 = 1'700'000'000'000;
  {
    Ownership a(engine(), "engine-a", "tcp://127.0.0.1:5001");
    ASSERT_EQ(a.claim("own2", t0, 3000).outcome, ClaimOutcome::kOwned);
  }
  Ownership again(engine(), "engine-a", "tcp://127.0.0.1:5001");
  const Claim c = again.claim("own2", t0 + 100, 3000);
  EXPECT_EQ(c.outcome, ClaimOutcome::kOwned) << c.detail;
  EXPECT_EQ(again.renew("own2", t0 + 1100, 3000).outcome, ClaimOutcome::kOwned);
}

}  // namespace
}  // namespace hallq::replicate::test
