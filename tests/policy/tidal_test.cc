// Tidal windows in the core: a manager changes a window's skills live; the
// engine records advisories; a manager accepts one with one command.
#include <gtest/gtest.h>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using TidalTest = HallFixture;

TEST_F(TidalTest, SkillsChangeLiveAndTheNextCallFollowsThem) {
  ok(OpenWindow{"w2", "s2"}, at(0));  // civil only
  ok(IssueTicket{"social"}, at(0));
  EXPECT_TRUE(refused(CallNext{"w2"}, ErrorCode::kQueueEmpty, at(1)));
  auto ev = ok(SetWindowSkills{"w2", {{"social", 1}, {"civil", 1}}}, at(1));
  EXPECT_TRUE(bodies_are(ev, {WindowSkillsChanged{kW2, {{kSocial, 1}, {kCivil, 1}}, 0}}));
  EXPECT_EQ(hall_->open_windows(kSocial, 1), 1);
  EXPECT_EQ(call_next("w2", at(2)), "A001");
}

TEST_F(TidalTest, BadSkillChangesAreRefusedAndChangeNothing) {
  EXPECT_TRUE(refused(SetWindowSkills{"w9", {{"social", 1}}}, ErrorCode::kUnknownWindow, at(0)));
  EXPECT_TRUE(refused(SetWindowSkills{"w2", {}}, ErrorCode::kBadArgument, at(0)));
  EXPECT_TRUE(refused(SetWindowSkills{"w2", {{"socail", 1}}}, ErrorCode::kUnknownService, at(0)));
  EXPECT_TRUE(refused(SetWindowSkills{"w2", {{"social", 0}}}, ErrorCode::kBadArgument, at(0)));
  EXPECT_TRUE(refused(SetWindowSkills{"w2", {{"social", 10}}}, ErrorCode::kBadArgument, at(0)));
  EXPECT_TRUE(refused(SetWindowSkills{"w2", {{"social", 1}, {"social", 2}}}, ErrorCode::kBadArgument, at(0)));
  EXPECT_TRUE(refused(SetWindowSkills{"w2", {{"civil", 1}}}, ErrorCode::kBadArgument, at(0))) << "no change";
}

TEST_F(TidalTest, AdvisoriesAreRecordedOnePerServiceAndAcceptedOnce) {
  ok(OpenWindow{"w2", "s2"}, at(0));
  auto ev = ok(Advise{kSocial, kW2, AdvisoryAction::kLend, {{kSocial, 1}, {kCivil, 1}}, 1800, 600}, at(1));
  EXPECT_TRUE(bodies_are(
      ev, {AdvisoryIssued{1, kSocial, kW2, AdvisoryAction::kLend, {{kSocial, 1}, {kCivil, 1}}, 1800, 600}}));
  ASSERT_EQ(hall_->advisories().size(), 1u);
  EXPECT_EQ(hall_->advisories()[0].issued_at, at(1));
  // A newer advisory for the same service replaces it.
  ok(Advise{kSocial, kW3, AdvisoryAction::kOpen, {{kSocial, 1}, {kTax, 1}}, 1900, 500}, at(2));
  ASSERT_EQ(hall_->advisories().size(), 1u);
  EXPECT_EQ(hall_->advisories()[0].id, 2u);
  EXPECT_TRUE(refused(AcceptAdvisory{1, ""}, ErrorCode::kUnknownAdvisory, at(3)));
  // Accepting an "open" advisory opens the closed window and sets its skills.
  ev = ok(AcceptAdvisory{2, "s3"}, at(3));
  EXPECT_TRUE(
      bodies_are(ev, {WindowOpened{kW3, "s3"}, WindowSkillsChanged{kW3, {{kSocial, 1}, {kTax, 1}}, 2}}));
  EXPECT_TRUE(hall_->advisories().empty());
  EXPECT_TRUE(refused(AcceptAdvisory{2, "s3"}, ErrorCode::kUnknownAdvisory, at(4))) << "accepted once";
}

TEST_F(TidalTest, AdvisoriesExpireAndFollowTheWindow) {
  ok(OpenWindow{"w2", "s2"}, at(0));
  ok(Advise{kSocial, kW2, AdvisoryAction::kLend, {{kSocial, 1}, {kCivil, 1}}, 1800, 600}, at(0));
  EXPECT_TRUE(refused(AcceptAdvisory{1, ""}, ErrorCode::kUnknownAdvisory, at(16))) << "15 minutes to accept";
  ok(Advise{kSocial, kW2, AdvisoryAction::kLend, {{kSocial, 1}, {kCivil, 1}}, 1800, 600}, at(16));
  ok(CloseWindow{"w2"}, at(17));
  EXPECT_TRUE(refused(AcceptAdvisory{2, ""}, ErrorCode::kWindowClosed, at(17)))
      << "a lent window must be open";
  // The daily reset drops open advisories.
  ok(Tick{}, config_->day_start(kDay + 1));
  EXPECT_TRUE(hall_->advisories().empty());
}

TEST_F(TidalTest, AcceptingAnOpenAdvisoryChecksTheStaff) {
  build(with_staff_list);
  ok(OpenWindow{"w1", "zhang"}, at(0));
  ok(Advise{kSocial, kW3, AdvisoryAction::kOpen, {{kSocial, 1}}, 1800, 600}, at(0));
  EXPECT_TRUE(refused(AcceptAdvisory{1, ""}, ErrorCode::kBadArgument, at(1)));
  EXPECT_TRUE(refused(AcceptAdvisory{1, "zhang"}, ErrorCode::kStaffOnDuty, at(1)));
  EXPECT_TRUE(refused(AcceptAdvisory{1, "ghost"}, ErrorCode::kUnknownStaff, at(1)));
}

}  // namespace
}  // namespace hallq::test
