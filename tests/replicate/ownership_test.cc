// Hall ownership in the owners bucket: claim, renew, a live lease respected,
// takeover after it lapsed, the lost compare-and-set of the old owner, and a
// graceful move (request, the owner's renewal finding it, hand-over or
// refusal, the new engine's claim), and renew_all over hundreds of halls.
// Time is given by the test (leases lapse without waiting).
#include "engine/replicate/ownership.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
  OwnerRecord moved = r;
  moved.move_to = "engine-b";
  moved.move_to_endpoint = "tcp://10.0.0.6:5555";
  moved.move_refused = "不行";
  moved.moved_from = "engine-c";
  moved.handed_over_seq = 42;
  EXPECT_EQ(owner_from_json(to_json(moved)), moved);
  // A plain entry carries none of the move's fields (readers of older entries see no change).
  EXPECT_EQ(to_json(r).find("move"), std::string::npos) << to_json(r);
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

// Hundreds of halls renewed in one go, read back entry by entry; a hall taken
// over meanwhile, one with a move asked for and one never held each get
// renew()'s outcome, and the others are renewed all the same.
TEST_F(Owners, RenewAllRenewsHundredsOfHallsAndTellsTheLostAndTheMoved) {
  Ownership a(engine(), "engine-a", "tcp://127.0.0.1:5001");
  Ownership b(engine(), "engine-b", "tcp://127.0.0.1:5002");
  Ownership cli(engine(), "hallq-move-hall", "");
  const std::int64_t t0 = 1'700'000'000'000;
  std::vector<std::string> halls;
  for (int i = 0; i < 300; ++i) {
    halls.push_back("many" + std::to_string(i));
    ASSERT_EQ(a.claim(halls.back(), t0, 3000).outcome, ClaimOutcome::kOwned) << halls.back();
  }
  // many7's lease lapses and engine-b takes it; many9 is asked to move.
  ASSERT_EQ(b.claim("many7", t0 + 3001, 3000).outcome, ClaimOutcome::kOwned);
  ASSERT_TRUE(cli.request_move("many9", "engine-b", "tcp://127.0.0.1:5002", t0 + 2000).ok);
  halls.push_back("never");

  const std::vector<Claim> claims = a.renew_all(halls, t0 + 2500, 3000);
  ASSERT_EQ(claims.size(), halls.size());
  for (std::size_t i = 0; i < halls.size(); ++i) {
    const std::string& hall = halls[i];
    std::uint64_t rev = 0;
    const std::optional<OwnerRecord> stored = cli.owner(hall, nullptr, &rev);
    if (hall == "many7") {
      EXPECT_EQ(claims[i].outcome, ClaimOutcome::kLost) << claims[i].detail;
      EXPECT_EQ(stored->engine, "engine-b");
    } else if (hall == "many9") {
      EXPECT_EQ(claims[i].outcome, ClaimOutcome::kMoveRequested) << claims[i].detail;
      EXPECT_EQ(stored->move_to, "engine-b");
    } else if (hall == "never") {
      EXPECT_EQ(claims[i].outcome, ClaimOutcome::kLost);
      EXPECT_FALSE(stored);
    } else {
      ASSERT_EQ(claims[i].outcome, ClaimOutcome::kOwned) << hall << ": " << claims[i].detail;
      EXPECT_EQ(claims[i].revision, rev) << hall;
      EXPECT_EQ(stored->engine, "engine-a") << hall;
      EXPECT_EQ(stored->lease_until_ms, t0 + 5500) << hall;
    }
  }
  // The revisions learnt are the ones a plain renewal continues from.
  EXPECT_EQ(a.renew("many0", t0 + 3000, 3000).outcome, ClaimOutcome::kOwned);
  const std::vector<Claim> again = a.renew_all({"many1", "many299"}, t0 + 3100, 3000);
  EXPECT_EQ(again[0].outcome, ClaimOutcome::kOwned) << again[0].detail;
  EXPECT_EQ(again[1].outcome, ClaimOutcome::kOwned) << again[1].detail;
  EXPECT_EQ(cli.owner("many299")->lease_until_ms, t0 + 6100);
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

// hallq move-hall's steps on the bucket, as the engines take them.
TEST_F(Owners, AMoveIsRequestedFoundByTheOwnersRenewalHandedOverAndClaimed) {
  Ownership a(engine(), "engine-a", "tcp://127.0.0.1:5001");
  Ownership b(engine(), "engine-b", "tcp://127.0.0.1:5002");
  Ownership cli(engine(), "hallq-move-hall", "");
  const std::int64_t t0 = 1'700'000'000'000;
  ASSERT_EQ(a.claim("move1", t0, 3000).outcome, ClaimOutcome::kOwned);

  // Refused: the owner itself, and (below) a second target while one is pending.
  const MoveRequest self = cli.request_move("move1", "engine-a", "tcp://127.0.0.1:5001", t0 + 100);
  EXPECT_FALSE(self.ok);
  EXPECT_NE(self.error.find("已由引擎 engine-a 服务"), std::string::npos) << self.error;
  const MoveRequest asked = cli.request_move("move1", "engine-b", "tcp://127.0.0.1:5002", t0 + 100);
  ASSERT_TRUE(asked.ok) << asked.error;
  EXPECT_EQ(asked.owner.engine, "engine-a");
  EXPECT_EQ(asked.owner.move_to, "engine-b");
  const MoveRequest other = cli.request_move("move1", "engine-c", "tcp://127.0.0.1:5003", t0 + 200);
  EXPECT_FALSE(other.ok);
  EXPECT_NE(other.error.find("已有一个移交请求（移交给引擎 engine-b）"), std::string::npos) << other.error;

  // The owner's renewal finds the request instead of a lost lease.
  const Claim found = a.renew("move1", t0 + 500, 3000);
  ASSERT_EQ(found.outcome, ClaimOutcome::kMoveRequested) << found.detail;
  EXPECT_EQ(found.record.move_to, "engine-b");
  EXPECT_EQ(found.record.move_to_endpoint, "tcp://127.0.0.1:5002");
  EXPECT_EQ(found.revision, asked.revision);

  // A standby's look meanwhile: still the owner's live lease.
  EXPECT_EQ(b.claim("move1", t0 + 600, 3000).outcome, ClaimOutcome::kOwnedByOther);

  const Claim handed = a.hand_over("move1", "engine-b", "tcp://127.0.0.1:5002", 17, t0 + 700, 3000);
  ASSERT_EQ(handed.outcome, ClaimOutcome::kOwnedByOther) << handed.detail;
  std::uint64_t rev = 0;
  const std::optional<OwnerRecord> now = cli.owner("move1", nullptr, &rev);
  ASSERT_TRUE(now);
  EXPECT_EQ(rev, asked.revision + 1);
  EXPECT_EQ(now->engine, "engine-b");
  EXPECT_EQ(now->moved_from, "engine-a");
  EXPECT_EQ(now->handed_over_seq, 17u);
  EXPECT_TRUE(now->move_to.empty());
  // The old owner holds it no more.
  EXPECT_EQ(a.renew("move1", t0 + 800, 3000).outcome, ClaimOutcome::kLost);

  // The new engine claims the entry naming it (the lease still live) and
  // keeps saying where the hall came from.
  const Claim claimed = b.claim("move1", t0 + 900, 3000);
  ASSERT_EQ(claimed.outcome, ClaimOutcome::kOwned) << claimed.detail;
  EXPECT_EQ(claimed.was.handed_over_seq, 17u);
  EXPECT_EQ(claimed.was.moved_from, "engine-a");
  EXPECT_EQ(claimed.record.handed_over_seq, 17u);
  ASSERT_EQ(b.renew("move1", t0 + 1000, 3000).outcome, ClaimOutcome::kOwned);
  EXPECT_EQ(cli.owner("move1")->moved_from, "engine-a");
  EXPECT_EQ(cli.owner("move1")->engine, "engine-b");
}

TEST_F(Owners, AnOwnerRefusesAMoveAndALapsedLeaseIsNotMoved) {
  Ownership a(engine(), "engine-a", "tcp://127.0.0.1:5001");
  Ownership cli(engine(), "hallq-move-hall", "");
  const std::int64_t t0 = 1'700'000'000'000;
  const MoveRequest none = cli.request_move("move2", "engine-b", "", t0);
  EXPECT_FALSE(none.ok);
  EXPECT_NE(none.error.find("没有服务引擎"), std::string::npos) << none.error;

  ASSERT_EQ(a.claim("move2", t0, 3000).outcome, ClaimOutcome::kOwned);
  ASSERT_TRUE(cli.request_move("move2", "engine-b", "tcp://127.0.0.1:5002", t0 + 100).ok);
  ASSERT_EQ(a.renew("move2", t0 + 500, 3000).outcome, ClaimOutcome::kMoveRequested);
  const Claim refused = a.refuse_move("move2", "the stream does not answer", t0 + 600, 3000);
  ASSERT_EQ(refused.outcome, ClaimOutcome::kOwned) << refused.detail;
  const std::optional<OwnerRecord> now = cli.owner("move2");
  ASSERT_TRUE(now);
  EXPECT_EQ(now->engine, "engine-a");
  EXPECT_TRUE(now->move_to.empty());
  EXPECT_EQ(now->move_refused, "the stream does not answer");
  // The next renewal is a plain one again.
  ASSERT_EQ(a.renew("move2", t0 + 700, 3000).outcome, ClaimOutcome::kOwned);
  EXPECT_TRUE(cli.owner("move2")->move_refused.empty());

  // Past the lease nothing is moved: a standby takes it over by itself.
  const MoveRequest lapsed = cli.request_move("move2", "engine-b", "tcp://127.0.0.1:5002", t0 + 3701);
  EXPECT_FALSE(lapsed.ok);
  EXPECT_NE(lapsed.error.find("租约已于"), std::string::npos) << lapsed.error;
}

}  // namespace
}  // namespace hallq::replicate::test
