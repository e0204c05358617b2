// Call-next policies (engine/policy) driven through the hall: which ticket a
// free window calls under dedicated, oldest and balanced, and the class rules
// they share (returning first, priority ratio, reactivated no-shows).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/policy/policy_registry.h"
#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using ::testing::ElementsAre;

TEST(PolicyRegistry, FindsTheBuiltInPolicies) {
  EXPECT_THAT(policy::policy_names(), ElementsAre("balanced", "dedicated", "oldest"));
  EXPECT_EQ(policy::policy_names().front(), policy::kDefaultPolicy);
  for (std::string_view name : policy::policy_names()) {
    const CallPolicy* p = policy::find_policy(name);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->name(), name);
  }
  EXPECT_EQ(policy::find_policy("fifo"), nullptr);
  EXPECT_EQ(policy::find_policy(""), nullptr);
}

// Calls and serves at `window` until the queue is empty; the numbers in order.
std::vector<std::string> drain(HallFixture& f, std::string_view window, TimeUs now);

// ------------------------------------------------------------ levels

// B001 waits since 09:00; A001 since 09:05; C001 since 09:06.
class LevelTest : public HallFixture {
 protected:
  void issue_mixed() {
    ok(OpenWindow{"w1", "s1"}, at(0));
    ok(OpenWindow{"w3", "s3"}, at(0));
    ok(IssueTicket{"civil"}, at(0));
    ok(IssueTicket{"social"}, at(5));
    ok(IssueTicket{"tax"}, at(6));
  }
};

TEST_F(LevelTest, DedicatedCallsOnlyLevelOne) {
  build({}, "dedicated");
  issue_mixed();
  EXPECT_EQ(serve_next("w1", at(7)), "A001") << "B001 is older but level 2 at w1";
  EXPECT_TRUE(refused(CallNext{"w1"}, ErrorCode::kQueueEmpty, at(8)));
  EXPECT_EQ(serve_next("w3", at(8)), "C001");
  EXPECT_TRUE(refused(CallNext{"w3"}, ErrorCode::kQueueEmpty, at(9)));
  EXPECT_EQ(ticket("B001").state, TicketState::kWaiting);
}

TEST_F(LevelTest, OldestCallsTheOldestAcrossLevels) {
  build({}, "oldest");
  issue_mixed();
  EXPECT_EQ(serve_next("w3", at(30)), "B001");
  EXPECT_EQ(serve_next("w3", at(30)), "A001") << "level 2, older than C001 (level 1)";
  EXPECT_EQ(serve_next("w3", at(30)), "C001");
}

TEST_F(LevelTest, BalancedServesItsOwnServicesFirst) {
  build({}, "balanced");
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(IssueTicket{"civil"}, at(0));
  ok(IssueTicket{"social"}, at(60));
  EXPECT_EQ(call_next("w1", at(61)), "A001") << "B001 is older by an hour, but civil is not w1's own";
}

TEST_F(LevelTest, BalancedOwnServicesByWaitPerRootOfHandlingTime) {
  // w3 with two own services: tax (4 min) and social (6 min).
  build([](HallConfig& c) { c.windows[kW3].serves = {{kSocial, 1}, {kTax, 1}}; }, "balanced");
  ok(OpenWindow{"w3", ""}, at(0));
  ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"tax"}, at(1));
  // At 09:09: social waited 9 min (9/sqrt(6) = 3.67), tax 8 min (8/sqrt(4) = 4): tax first.
  EXPECT_EQ(serve_next("w3", at(9)), "C001");
  EXPECT_EQ(serve_next("w3", at(9)), "A001");
  // With equal waits the shorter business goes first; older business still wins in the end.
  ok(IssueTicket{"tax"}, at(10));
  ok(IssueTicket{"social"}, at(0) + 1);  // clamped: issued at 09:10 too
  EXPECT_EQ(serve_next("w3", at(10)), "C002");
}

TEST_F(LevelTest, BalancedHelpsWhenItsOwnLineIsEmptyAndQuiet) {
  build({}, "balanced");
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(IssueTicket{"civil"}, at(0));
  EXPECT_EQ(call_next("w1", at(0)), "B001") << "no social citizen waits or is arriving";
}

TEST_F(LevelTest, BalancedDoesNotHelpWhileItsOwnCitizensKeepArriving) {
  build({}, "balanced");
  ok(OpenWindow{"w1", "s1"}, at(0));
  // Twelve social citizens in the last half hour, all served: w1's line is empty.
  for (int i = 0; i < 12; ++i) {
    ok(IssueTicket{"social"}, at(2 * i));
    EXPECT_EQ(serve_next("w1", at(2 * i)), fmt::format("A{:03}", i + 1));
  }
  ok(IssueTicket{"civil"}, at(24));
  // About 0.27 social arrivals a minute on w1 alone (the decayed rate), a 10-minute civil
  // matter: between two and three would arrive meanwhile.
  EXPECT_NEAR(hall_->arrival_rate(kSocial, at(24)) * 60, 0.27, 0.02);
  EXPECT_TRUE(refused(CallNext{"w1"}, ErrorCode::kQueueEmpty, at(25)));
  // Once the arrivals have died down (an hour later) w1 helps.
  EXPECT_EQ(call_next("w1", at(120)), "B001");
}

TEST_F(LevelTest, BalancedHelpLoadIsConfigurable) {
  build([](HallConfig& c) { c.rules.help_load = 100; }, "balanced");
  ok(OpenWindow{"w1", "s1"}, at(0));
  for (int i = 0; i < 12; ++i) {
    ok(IssueTicket{"social"}, at(2 * i));
    serve_next("w1", at(2 * i));
  }
  ok(IssueTicket{"civil"}, at(24));
  EXPECT_EQ(call_next("w1", at(25)), "B001");
}

TEST_F(LevelTest, BalancedHelpsTheLongestWaitingAmongOthers) {
  // w3: tax is its own, social and civil later resorts.
  build({}, "balanced");
  ok(OpenWindow{"w3", "s3"}, at(0));
  ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"civil"}, at(1));
  EXPECT_EQ(serve_next("w3", at(5)), "A001");
  EXPECT_EQ(serve_next("w3", at(5)), "B001");
}

TEST_F(LevelTest, SameKeyBreaksTiesByIssueOrder) {
  build({}, "oldest");
  ok(OpenWindow{"w1", ""}, at(0));
  ok(IssueTicket{"social"}, at(1));
  ok(IssueTicket{"social"}, at(1));
  ok(IssueTicket{"social"}, at(1));
  EXPECT_EQ(serve_next("w1", at(2)), "A001");
  EXPECT_EQ(serve_next("w1", at(2)), "A002");
  EXPECT_EQ(serve_next("w1", at(2)), "A003");
}

// ------------------------------------------------------------ returning first

class ClassTest : public HallFixture, public ::testing::WithParamInterface<const char*> {
 protected:
  void SetUp() override { build({}, GetParam()); }
};

TEST_P(ClassTest, TransferredTicketGoesFirst) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(OpenWindow{"w2", "s2"}, at(0));
  ok(IssueTicket{"civil", Priority::kPriority}, at(0));  // B001
  ok(IssueTicket{"civil"}, at(0));                       // B002
  ok(IssueTicket{"social"}, at(1));                      // A001
  ok(CallTicket{"w1", "A001"}, at(1));  // call-next would take the priority B001 (priority beats levels)
  ok(StartService{"w1"}, at(1));
  ok(Transfer{"w1", "civil"}, at(3));
  EXPECT_EQ(serve_next("w2", at(4)), "A001") << "before the older priority B001";
  EXPECT_EQ(serve_next("w2", at(4)), "B001");
  EXPECT_EQ(serve_next("w2", at(4)), "B002");
}

TEST_P(ClassTest, UnheldTicketGoesFirst) {
  ok(OpenWindow{"w2", "s2"}, at(0));
  ok(IssueTicket{"civil"}, at(0));  // B001
  ok(IssueTicket{"civil"}, at(0));  // B002
  ASSERT_EQ(call_next("w2", at(1)), "B001");
  ok(StartService{"w2"}, at(1));
  ok(HoldTicket{"w2"}, at(2));
  ok(IssueTicket{"civil", Priority::kAppointment}, at(3));  // B003
  ok(UnholdTicket{"B001"}, at(5));
  EXPECT_EQ(serve_next("w2", at(6)), "B001");
  EXPECT_EQ(serve_next("w2", at(6)), "B003");
  EXPECT_EQ(serve_next("w2", at(6)), "B002");
}

TEST_P(ClassTest, ReturningTicketsInOrderOfReturn) {
  ok(OpenWindow{"w2", "s2"}, at(0));
  for (int i = 0; i < 3; ++i) ok(IssueTicket{"civil"}, at(0));
  for (int i = 0; i < 2; ++i) {
    call_next("w2", at(1));
    ok(StartService{"w2"}, at(1));
    ok(HoldTicket{"w2"}, at(1));
  }
  ok(UnholdTicket{"B002"}, at(2));
  ok(UnholdTicket{"B001"}, at(3));
  EXPECT_THAT(drain(*this, "w2", at(4)), ElementsAre("B002", "B001", "B003"));
}

// ------------------------------------------------------------ priority ratio

TEST_P(ClassTest, PriorityAtMostRatioInARowWhileNormalWait) {
  ok(OpenWindow{"w2", "s2"}, at(0));
  ok(IssueTicket{"civil"}, at(0));                                                   // B001 normal
  ok(IssueTicket{"civil"}, at(0));                                                   // B002 normal
  for (int i = 0; i < 6; ++i) ok(IssueTicket{"civil", Priority::kPriority}, at(1));  // B003..B008
  // priority_ratio = 3.
  EXPECT_THAT(drain(*this, "w2", at(2)),
              ElementsAre("B003", "B004", "B005", "B001", "B006", "B007", "B008", "B002"));
}

TEST_P(ClassTest, PriorityBeyondTheRatioWhenNoNormalWaits) {
  ok(OpenWindow{"w2", "s2"}, at(0));
  for (int i = 0; i < 5; ++i) ok(IssueTicket{"civil", Priority::kPriority}, at(1));
  EXPECT_THAT(drain(*this, "w2", at(2)), ElementsAre("B001", "B002", "B003", "B004", "B005"));
  EXPECT_EQ(hall_->window(kW2).consecutive_priority, 5);
  // The run is already over the ratio, so a normal ticket now goes before the next priority one.
  ok(IssueTicket{"civil"}, at(3));
  ok(IssueTicket{"civil", Priority::kPriority}, at(3));
  EXPECT_THAT(drain(*this, "w2", at(4)), ElementsAre("B006", "B007"));
}

TEST_P(ClassTest, NormalTicketsOfOtherServicesDoNotCount) {
  // w2 serves only civil: waiting social tickets do not stop its priority run.
  ok(OpenWindow{"w2", "s2"}, at(0));
  for (int i = 0; i < 3; ++i) ok(IssueTicket{"social"}, at(0));
  for (int i = 0; i < 5; ++i) ok(IssueTicket{"civil", Priority::kPriority}, at(1));
  EXPECT_THAT(drain(*this, "w2", at(3)), ElementsAre("B001", "B002", "B003", "B004", "B005"));
  EXPECT_EQ(hall_->waiting(kSocial), 3u);
}

TEST_P(ClassTest, AppointmentCountsAsPriority) {
  ok(OpenWindow{"w2", "s2"}, at(0));
  ok(IssueTicket{"civil"}, at(0));                          // B001
  ok(IssueTicket{"civil", Priority::kAppointment}, at(1));  // B002
  ok(IssueTicket{"civil", Priority::kPriority}, at(2));     // B003
  ok(IssueTicket{"civil", Priority::kAppointment}, at(3));  // B004
  ok(IssueTicket{"civil", Priority::kPriority}, at(4));     // B005
  EXPECT_THAT(drain(*this, "w2", at(5)), ElementsAre("B002", "B003", "B004", "B001", "B005"));
}

TEST_P(ClassTest, RatioOneAlternates) {
  build([](HallConfig& c) { c.rules.priority_ratio = 1; }, GetParam());
  ok(OpenWindow{"w2", "s2"}, at(0));
  for (int i = 0; i < 3; ++i) ok(IssueTicket{"civil"}, at(0));                       // B001..B003
  for (int i = 0; i < 3; ++i) ok(IssueTicket{"civil", Priority::kPriority}, at(1));  // B004..B006
  EXPECT_THAT(drain(*this, "w2", at(2)), ElementsAre("B004", "B001", "B005", "B002", "B006", "B003"));
}

TEST_P(ClassTest, RatioIsCountedPerWindow) {
  build([](HallConfig& c) { c.windows[kW3].serves = {{kCivil, 1}}; }, GetParam());
  ok(OpenWindow{"w2", "s2"}, at(0));
  ok(OpenWindow{"w3", "s3"}, at(0));
  ok(IssueTicket{"civil"}, at(0));                                                   // B001
  for (int i = 0; i < 4; ++i) ok(IssueTicket{"civil", Priority::kPriority}, at(1));  // B002..B005
  EXPECT_EQ(serve_next("w2", at(2)), "B002");
  EXPECT_EQ(serve_next("w2", at(2)), "B003");
  EXPECT_EQ(serve_next("w2", at(2)), "B004");
  EXPECT_EQ(hall_->window(kW2).consecutive_priority, 3);
  EXPECT_EQ(serve_next("w3", at(3)), "B005") << "w3's own run is 0";
  EXPECT_EQ(serve_next("w2", at(3)), "B001");
  EXPECT_EQ(hall_->window(kW2).consecutive_priority, 0);
}

// ------------------------------------------------------------ reactivated no-shows

// Issues B001..B00n at distinct minutes, skips B001 and reactivates it.
std::vector<std::string> reactivate_among(HallFixture& f, int waiting_after_skip,
                                          Priority p = Priority::kNormal) {
  f.ok(OpenWindow{"w2", "s2"}, f.at(0));
  for (int i = 0; i <= waiting_after_skip; ++i) f.ok(IssueTicket{"civil", p}, f.at(i));
  EXPECT_EQ(f.call_next("w2", f.at(10)), "B001");
  f.ok(SkipTicket{"w2"}, f.at(11));
  f.ok(Reactivate{"B001"}, f.at(12));
  return f.queue_numbers(kCivil);
}

TEST_P(ClassTest, ReactivatedRejoinsBehindThree) {
  EXPECT_THAT(reactivate_among(*this, 5), ElementsAre("B002", "B003", "B004", "B001", "B005", "B006"));
  // Keyed like the third waiting ticket, so it sorts right after it.
  EXPECT_EQ(ticket("B001").queue_key, at(3));
  EXPECT_THAT(drain(*this, "w2", at(13)), ElementsAre("B002", "B003", "B004", "B001", "B005", "B006"));
}

TEST_P(ClassTest, ReactivatedGoesLastWhenThreeOrFewerWait) {
  EXPECT_THAT(reactivate_among(*this, 3), ElementsAre("B002", "B003", "B004", "B001"));
  EXPECT_EQ(ticket("B001").queue_key, at(12));
}

TEST_P(ClassTest, ReactivatedWithNobodyWaiting) {
  EXPECT_THAT(reactivate_among(*this, 0), ElementsAre("B001"));
}

TEST_P(ClassTest, ReactivateBehindZeroGoesFirst) {
  build([](HallConfig& c) { c.rules.reactivate_behind = 0; }, GetParam());
  EXPECT_THAT(reactivate_among(*this, 3), ElementsAre("B001", "B002", "B003", "B004"));
  EXPECT_EQ(serve_next("w2", at(13)), "B001");
}

TEST_P(ClassTest, ReactivateBehindOne) {
  build([](HallConfig& c) { c.rules.reactivate_behind = 1; }, GetParam());
  EXPECT_THAT(reactivate_among(*this, 3), ElementsAre("B002", "B001", "B003", "B004"));
}

TEST_P(ClassTest, ReactivatedPriorityRejoinsItsClass) {
  ok(IssueTicket{"civil"}, at(0));  // B001 normal, stays waiting behind the priority ones
  ok(OpenWindow{"w2", "s2"}, at(0));
  for (int i = 1; i <= 5; ++i) ok(IssueTicket{"civil", Priority::kPriority}, at(i));  // B002..B006
  EXPECT_EQ(call_next("w2", at(10)), "B002");
  ok(SkipTicket{"w2"}, at(11));
  ok(Reactivate{"B002"}, at(12));
  EXPECT_EQ(ticket("B002").queue_class, QueueClass::kPriority);
  EXPECT_THAT(queue_numbers(kCivil), ElementsAre("B003", "B004", "B005", "B002", "B006", "B001"));
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, ClassTest, ::testing::Values("balanced", "dedicated", "oldest"));

std::vector<std::string> drain(HallFixture& f, std::string_view window, TimeUs now) {
  std::vector<std::string> out;
  for (int guard = 0; guard < 100; ++guard) {
    std::string n = f.serve_next(window, now);
    if (n.empty()) break;
    out.push_back(n);
  }
  return out;
}

}  // namespace
}  // namespace hallq::test
