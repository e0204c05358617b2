// MoveStaff: a staff member changes windows in one command. Accepted, it
// emits exactly what CloseWindow(from) and OpenWindow(to, staff) emit; refused,
// it emits nothing and changes nothing (HallFixture::refused compares the
// whole state before and after).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using ::testing::ElementsAre;

// A hall with a staff list: w1 open (zhang, idle), w2 open (li, idle), w3 closed.
class MoveStaffTest : public HallFixture {
 protected:
  void SetUp() override {
    build(with_staff_list);
    ok(OpenWindow{"w1", "zhang"}, at(0));
    ok(OpenWindow{"w2", "li"}, at(0));
  }
};

TEST_F(MoveStaffTest, ToAClosedWindowClosesTheOldOneAndOpensTheNew) {
  auto ev = ok(MoveStaff{"zhang", "w3"}, at(5), "mgr-1");
  ASSERT_TRUE(bodies_are(ev, {WindowClosed{kW1}, WindowOpened{kW3, "zhang"}}));
  EXPECT_EQ(ev[0].seq, 3u);
  EXPECT_EQ(ev[1].seq, 4u);
  EXPECT_EQ(ev[1].time, at(5));
  EXPECT_EQ(hall_->window(kW1).state, WindowState::kClosed);
  EXPECT_EQ(hall_->window(kW1).staff, kNoStaff);
  EXPECT_EQ(hall_->window(kW3).state, WindowState::kOpen);
  EXPECT_EQ(hall_->staff_id(hall_->window(kW3).staff), "zhang");
  const RequestRecord* r = hall_->find_request("mgr-1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(*r, (RequestRecord{3, 2})) << "one request, both events";
}

TEST_F(MoveStaffTest, ToAnOpenWindowHandsItOver) {
  ok(IssueTicket{"civil"}, at(1));
  ASSERT_EQ(call_next("w2", at(2)), "B001");
  auto ev = ok(MoveStaff{"zhang", "w2"}, at(3));
  ASSERT_TRUE(bodies_are(ev, {WindowClosed{kW1}, StaffChanged{kW2, "zhang"}}));
  EXPECT_EQ(hall_->window(kW2).current, ticket("B001").id) << "the new window's ticket stays";
  EXPECT_EQ(hall_->staff_id(hall_->window(kW2).staff), "zhang");
  // li is no longer on duty and may open a window.
  EXPECT_TRUE(bodies_are(ok(OpenWindow{"w1", "li"}, at(4)), {WindowOpened{kW1, "li"}}));
}

TEST_F(MoveStaffTest, FromAPausedWindow) {
  ok(PauseWindow{"w1"}, at(1));
  auto ev = ok(MoveStaff{"zhang", "w3"}, at(2));
  EXPECT_TRUE(bodies_are(ev, {WindowClosed{kW1}, WindowOpened{kW3, "zhang"}}));
}

TEST_F(MoveStaffTest, StaffNotOnDutyOnlyOpens) {
  auto ev = ok(MoveStaff{"wang", "w3"}, at(1));
  EXPECT_TRUE(bodies_are(ev, {WindowOpened{kW3, "wang"}}));
  ok(CloseWindow{"w3"}, at(2));
  ev = ok(MoveStaff{"wang", "w1"}, at(3));
  EXPECT_TRUE(bodies_are(ev, {StaffChanged{kW1, "wang"}}));
}

TEST_F(MoveStaffTest, HallWithoutAStaffListTakesAnyId) {
  build();
  ok(OpenWindow{"w1", "s1"}, at(0));
  auto ev = ok(MoveStaff{"s1", "w2"}, at(1));
  EXPECT_TRUE(bodies_are(ev, {WindowClosed{kW1}, WindowOpened{kW2, "s1"}}));
  EXPECT_THAT(hall_->staff_names(), ElementsAre("s1"));
}

// The same events and the same state as the two commands it replaces.
TEST_F(MoveStaffTest, SameAsCloseThenOpen) {
  struct Case {
    std::string staff, to, from;
  };
  for (const Case& c : {Case{"zhang", "w3", "w1"}, Case{"zhang", "w2", "w1"}, Case{"wang", "w3", ""}}) {
    SCOPED_TRACE(c.staff + " to " + c.to);
    Hall two(config_, policy_, predictor_);
    two.import_state(hall_->export_state());
    std::vector<Event> want;
    if (!c.from.empty()) {
      ASSERT_TRUE(two.apply(Command{{}, CloseWindow{c.from}}, at(5), want).ok());
    }
    ASSERT_TRUE(two.apply(Command{{}, OpenWindow{c.to, c.staff}}, at(5), want).ok());

    Hall one(config_, policy_, predictor_);
    one.import_state(hall_->export_state());
    std::vector<Event> got;
    ASSERT_TRUE(one.apply(Command{{}, MoveStaff{c.staff, c.to}}, at(5), got).ok());
    EXPECT_EQ(got, want);
    EXPECT_TRUE(same_state(one.export_state(), two.export_state()));
  }
}

// ------------------------------------------------------------ refusals

TEST_F(MoveStaffTest, UnknownWindow) {
  EXPECT_TRUE(refused(MoveStaff{"zhang", "w9"}, ErrorCode::kUnknownWindow, at(5), "mgr-1"));
  EXPECT_TRUE(refused(MoveStaff{"zhang", ""}, ErrorCode::kUnknownWindow, at(5)));
}

TEST_F(MoveStaffTest, MissingOrUnprintableStaffId) {
  EXPECT_TRUE(refused(MoveStaff{"", "w3"}, ErrorCode::kBadArgument, at(5), "mgr-1"));
  EXPECT_TRUE(refused(MoveStaff{"zh\x01", "w3"}, ErrorCode::kBadArgument, at(5)));
  const std::string long_id(kMaxStaffIdBytes + 1, 'x');
  EXPECT_TRUE(refused(MoveStaff{long_id, "w3"}, ErrorCode::kBadArgument, at(5)));
}

TEST_F(MoveStaffTest, UnknownStaff) {
  EXPECT_TRUE(refused(MoveStaff{"zhao", "w3"}, ErrorCode::kUnknownStaff, at(5), "mgr-1"));
}

TEST_F(MoveStaffTest, AlreadyThere) {
  EXPECT_TRUE(refused(MoveStaff{"zhang", "w1"}, ErrorCode::kAlreadyThere, at(5), "mgr-1"));
  ok(PauseWindow{"w2"}, at(5));
  EXPECT_TRUE(refused(MoveStaff{"li", "w2"}, ErrorCode::kAlreadyThere, at(6)));
}

TEST_F(MoveStaffTest, SourceWindowWithACurrentTicket) {
  ok(IssueTicket{"social"}, at(1));
  ok(IssueTicket{"civil"}, at(1));
  ASSERT_EQ(call_next("w1", at(2)), "A001");
  EXPECT_TRUE(refused(MoveStaff{"zhang", "w3"}, ErrorCode::kWindowBusy, at(5), "mgr-1"));
  ASSERT_EQ(call_next("w2", at(5)), "B001");
  ok(StartService{"w2"}, at(5));
  EXPECT_TRUE(refused(MoveStaff{"li", "w3"}, ErrorCode::kWindowBusy, at(6)));
  // ... even to a window that would take it over: nothing half done.
  EXPECT_TRUE(refused(MoveStaff{"zhang", "w2"}, ErrorCode::kWindowBusy, at(6)));
}

}  // namespace
}  // namespace hallq::test
