// The window life of DESIGN.md, accepted paths: open, pause, resume, close,
// and the A/B handover that keeps the window's ticket.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using WindowTest = HallFixture;

TEST_F(WindowTest, StartsClosedWithTheConfiguredSkills) {
  ASSERT_EQ(hall_->windows().size(), 3u);
  for (const Window& w : hall_->windows()) {
    EXPECT_EQ(w.state, WindowState::kClosed);
    EXPECT_EQ(w.staff, kNoStaff);
    EXPECT_EQ(w.current, 0u);
  }
  EXPECT_EQ(skill_level(hall_->window(kW1), kSocial), 1);
  EXPECT_EQ(skill_level(hall_->window(kW1), kCivil), 2);
  EXPECT_EQ(skill_level(hall_->window(kW1), kTax), 0);
  EXPECT_EQ(skill_level(hall_->window(kW3), kTax), 1);
  // Skills are sorted by (level, service) for the policies.
  const auto& skills = hall_->window(kW3).skills;
  ASSERT_EQ(skills.size(), 3u);
  EXPECT_EQ(skills[0].service, kTax);
  EXPECT_EQ(skills[1].service, kSocial);
  EXPECT_EQ(skills[2].service, kCivil);
  EXPECT_EQ(hall_->seq(), 0u);
  EXPECT_EQ(hall_->day(), 0);
}

TEST_F(WindowTest, OpenAndCloseWithoutStaff) {
  auto ev = ok(OpenWindow{"w2", ""}, at(0));
  ASSERT_TRUE(bodies_are(ev, {WindowOpened{kW2, ""}}));
  EXPECT_EQ(ev[0].seq, 1u);
  EXPECT_EQ(ev[0].time, at(0));
  const Window& w = hall_->window(kW2);
  EXPECT_EQ(w.state, WindowState::kOpen);
  EXPECT_EQ(w.staff, kNoStaff);
  EXPECT_EQ(w.state_since, at(0));
  EXPECT_EQ(w.idle_since, at(0));
  EXPECT_TRUE(is_idle(w));
  EXPECT_THAT(hall_->staff_names(), IsEmpty());
  EXPECT_EQ(hall_->day(), kDay) << "the first event sets the hall's day";

  ev = ok(CloseWindow{"w2"}, at(5));
  ASSERT_TRUE(bodies_are(ev, {WindowClosed{kW2}}));
  EXPECT_EQ(ev[0].seq, 2u);
  EXPECT_EQ(hall_->window(kW2).state, WindowState::kClosed);
  EXPECT_EQ(hall_->window(kW2).state_since, at(5));
  EXPECT_FALSE(is_idle(hall_->window(kW2)));
}

TEST_F(WindowTest, OpenWithStaffInternsTheStaffId) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(OpenWindow{"w2", "s2"}, at(0));
  EXPECT_THAT(hall_->staff_names(), ElementsAre("s1", "s2"));
  EXPECT_EQ(hall_->staff_id(hall_->window(kW1).staff), "s1");
  EXPECT_EQ(hall_->staff_id(hall_->window(kW2).staff), "s2");
  ok(CloseWindow{"w1"}, at(1));
  EXPECT_EQ(hall_->window(kW1).staff, kNoStaff);
  // Closing logs the staff out: s1 may open another window; the id is reused.
  auto ev = ok(OpenWindow{"w3", "s1"}, at(2));
  EXPECT_TRUE(bodies_are(ev, {WindowOpened{kW3, "s1"}}));
  EXPECT_THAT(hall_->staff_names(), ElementsAre("s1", "s2"));
  EXPECT_EQ(hall_->window(kW3).staff, 0u);
  EXPECT_EQ(hall_->staff_id(kNoStaff), "");
}

TEST_F(WindowTest, PauseAndResume) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  auto ev = ok(PauseWindow{"w1"}, at(1));
  EXPECT_TRUE(bodies_are(ev, {WindowPaused{kW1}}));
  EXPECT_EQ(hall_->window(kW1).state, WindowState::kPaused);
  EXPECT_EQ(hall_->window(kW1).state_since, at(1));
  EXPECT_FALSE(is_idle(hall_->window(kW1)));
  ev = ok(ResumeWindow{"w1"}, at(2));
  EXPECT_TRUE(bodies_are(ev, {WindowResumed{kW1}}));
  EXPECT_EQ(hall_->window(kW1).state, WindowState::kOpen);
  EXPECT_EQ(hall_->window(kW1).state_since, at(2));
  EXPECT_EQ(hall_->window(kW1).idle_since, at(0));
  EXPECT_EQ(hall_->staff_id(hall_->window(kW1).staff), "s1");
}

TEST_F(WindowTest, PauseWithATicketKeepsItAndItCanBeFinished) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"social"}, at(0));
  call_next("w1", at(1));
  ok(StartService{"w1"}, at(1));
  ok(PauseWindow{"w1"}, at(2));
  EXPECT_EQ(hall_->window(kW1).current, 1u);
  auto ev = ok(Finish{"w1"}, at(3));
  EXPECT_TRUE(bodies_are(ev, {TicketFinished{1, kW1}}));
  EXPECT_EQ(hall_->window(kW1).state, WindowState::kPaused);
  EXPECT_EQ(hall_->window(kW1).current, 0u);
  EXPECT_EQ(ticket("A002").state, TicketState::kWaiting);  // a paused window calls nobody
  ok(ResumeWindow{"w1"}, at(4));
  EXPECT_EQ(call_next("w1", at(5)), "A002");
}

TEST_F(WindowTest, CloseAPausedIdleWindow) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(PauseWindow{"w1"}, at(1));
  auto ev = ok(CloseWindow{"w1"}, at(2));
  EXPECT_TRUE(bodies_are(ev, {WindowClosed{kW1}}));
  EXPECT_EQ(hall_->window(kW1).state, WindowState::kClosed);
  // Reopening starts open, not paused.
  ok(OpenWindow{"w1", "s1"}, at(3));
  EXPECT_EQ(hall_->window(kW1).state, WindowState::kOpen);
  EXPECT_EQ(hall_->window(kW1).state_since, at(3));
}

TEST_F(WindowTest, ReopeningResetsThePriorityRun) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(IssueTicket{"social", Priority::kPriority}, at(0));
  ok(IssueTicket{"social", Priority::kPriority}, at(0));
  ok(IssueTicket{"social"}, at(0));
  serve_next("w1", at(1));
  serve_next("w1", at(2));
  EXPECT_EQ(hall_->window(kW1).consecutive_priority, 2);
  ok(CloseWindow{"w1"}, at(3));
  ok(OpenWindow{"w1", "s1"}, at(4));
  EXPECT_EQ(hall_->window(kW1).consecutive_priority, 0);
  EXPECT_EQ(hall_->window(kW1).served, 2u) << "served counts the day, not the opening";
}

// A/B posts: B takes over an open window; its ticket stays and B finishes it.
TEST_F(WindowTest, HandoverKeepsTheTicketAndBFinishesIt) {
  build(with_staff_list);
  ok(OpenWindow{"w1", "zhang"}, at(0));
  ok(IssueTicket{"social"}, at(1));
  ok(IssueTicket{"social"}, at(1));
  EXPECT_EQ(call_next("w1", at(2)), "A001");
  ok(StartService{"w1"}, at(3));

  auto ev = ok(OpenWindow{"w1", "li"}, at(4));
  ASSERT_TRUE(bodies_are(ev, {StaffChanged{kW1, "li"}}));
  EXPECT_EQ(ev[0].seq, 6u);
  EXPECT_EQ(ev[0].time, at(4));
  const Window& w = hall_->window(kW1);
  EXPECT_EQ(w.state, WindowState::kOpen);
  EXPECT_EQ(w.current, 1u);
  EXPECT_EQ(w.state_since, at(0)) << "a handover does not reopen the window";
  EXPECT_EQ(hall_->staff_id(w.staff), "li");
  EXPECT_EQ(ticket("A001").state, TicketState::kServing);
  EXPECT_THAT(queue_numbers(kSocial), ElementsAre("A002")) << "the queue is kept";

  ev = ok(Finish{"w1"}, at(8));
  EXPECT_TRUE(bodies_are(ev, {TicketFinished{1, kW1}}));
  EXPECT_EQ(hall_->staff_id(ticket("A001").staff), "li") << "the finished ticket records staff B";
  EXPECT_EQ(hall_->window(kW1).served, 1u);

  // A is logged out of w1 by the handover and may open another window.
  ev = ok(OpenWindow{"w2", "zhang"}, at(9));
  EXPECT_TRUE(bodies_are(ev, {WindowOpened{kW2, "zhang"}}));
  // B calls the next one at w1.
  EXPECT_EQ(call_next("w1", at(10)), "A002");
  ok(StartService{"w1"}, at(10));
  // Back to a third post; staff ids are interned once.
  ev = ok(OpenWindow{"w1", "wang"}, at(11));
  EXPECT_TRUE(bodies_are(ev, {StaffChanged{kW1, "wang"}}));
  ok(Finish{"w1"}, at(12));
  EXPECT_EQ(hall_->staff_id(ticket("A002").staff), "wang");
  EXPECT_THAT(hall_->staff_names(), ElementsAre("zhang", "li", "wang"));
}

TEST_F(WindowTest, HandoverOnAPausedWindowKeepsItPaused) {
  ok(OpenWindow{"w2", "s1"}, at(0));
  ok(PauseWindow{"w2"}, at(1));
  auto ev = ok(OpenWindow{"w2", "s2"}, at(2));
  EXPECT_TRUE(bodies_are(ev, {StaffChanged{kW2, "s2"}}));
  EXPECT_EQ(hall_->window(kW2).state, WindowState::kPaused);
  EXPECT_EQ(hall_->window(kW2).state_since, at(1));
}

TEST_F(WindowTest, HandoverOfAnIdleWindowInAHallWithoutStaffList) {
  ok(OpenWindow{"w3", "a"}, at(0));
  auto ev = ok(OpenWindow{"w3", "b"}, at(1));
  EXPECT_TRUE(bodies_are(ev, {StaffChanged{kW3, "b"}}));
  EXPECT_EQ(hall_->staff_id(hall_->window(kW3).staff), "b");
  EXPECT_EQ(hall_->window(kW3).idle_since, at(0));
}

TEST_F(WindowTest, StaffListHallOpensWithKnownStaff) {
  build(with_staff_list);
  auto ev = ok(OpenWindow{"w1", "zhang"}, at(0));
  EXPECT_TRUE(bodies_are(ev, {WindowOpened{kW1, "zhang"}}));
  ev = ok(OpenWindow{"w2", "li"}, at(0));
  EXPECT_TRUE(bodies_are(ev, {WindowOpened{kW2, "li"}}));
  EXPECT_THAT(hall_->staff_names(), ElementsAre("zhang", "li"));
}

}  // namespace
}  // namespace hallq::test
