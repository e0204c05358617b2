// Hall-wide behaviour: the sequence and the clock, the daily number reset, and
// remembered request ids.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using HallTest = HallFixture;

// ------------------------------------------------------------ sequence and clock

TEST_F(HallTest, SequenceIsGapFreeAcrossRefusals) {
  ok(OpenWindow{"w1", ""}, at(0));
  EXPECT_FALSE(apply(CallNext{"w1"}, at(1)).ok());
  ok(IssueTicket{"social"}, at(2));
  EXPECT_FALSE(apply(IssueTicket{"nope"}, at(3)).ok());
  ok(CallNext{"w1"}, at(4));
  ASSERT_EQ(log_.size(), 3u);
  EXPECT_EQ(log_[0].seq, 1u);
  EXPECT_EQ(log_[1].seq, 2u);
  EXPECT_EQ(log_[2].seq, 3u);
  EXPECT_EQ(log_[0].time, at(0));
  EXPECT_EQ(log_[1].time, at(2));
  EXPECT_EQ(log_[2].time, at(4));
  EXPECT_EQ(hall_->seq(), 3u);
  EXPECT_EQ(hall_->clock(), at(4));
}

TEST_F(HallTest, ClockNeverGoesBackwards) {
  ok(OpenWindow{"w1", "s1"}, at(10));
  auto ev = ok(IssueTicket{"social"}, at(5));
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].time, at(10)) << "an earlier now counts as the last event's time";
  EXPECT_EQ(ticket("A001").issued_at, at(10));
  EXPECT_EQ(hall_->clock(), at(10));
  call_next("w1", at(12));
  ok(StartService{"w1"}, at(13));
  ev = ok(Finish{"w1"}, at(11));
  EXPECT_EQ(ev[0].time, at(13));
  EXPECT_DOUBLE_EQ(hall_->stats(kSocial).sum_handle_s, 0.0) << "no negative handling time";
  // A skip at a clamped time: reactivate measures from the clamped time.
  ok(IssueTicket{"social"}, at(14));
  call_next("w1", at(14));
  ok(SkipTicket{"w1"}, at(0));
  EXPECT_EQ(ticket("A002").ended_at, at(14));
  ok(Reactivate{"A002"}, at(14 + 30));
}

TEST_F(HallTest, ClockDoesNotGoBackAcrossMidnight) {
  ok(IssueTicket{"social"}, at(0));
  const TimeUs midnight = config_->day_start(kDay + 1);
  ok(Tick{}, midnight + minutes(1));
  EXPECT_EQ(hall_->day(), kDay + 1);
  // A command stamped on the old day happens at the new day's clock: no roll back, no second roll.
  auto ev = ok(IssueTicket{"social"}, at(60));
  // 00:01 with no window open: the wait runs to the 08:30 opening.
  EXPECT_TRUE(bodies_are(ev, {TicketIssued{2, kSocial, 1, Priority::kNormal, 0, 8 * 3600 + 29 * 60}}));
  EXPECT_EQ(ev[0].time, midnight + minutes(1));
  EXPECT_EQ(hall_->day(), kDay + 1);
}

// ------------------------------------------------------------ daily reset

// Sets up, on the test day:
//   C001 left; A001 serving at w1; A002 waiting; B001 held; B002 done at w2;
//   C002 no-show; C003 called at w3.
class DayRollTest : public HallFixture {
 protected:
  void SetUp() override {
    HallFixture::SetUp();
    ok(OpenWindow{"w1", "s1"}, at(0));
    ok(OpenWindow{"w2", "s2"}, at(0));
    ok(OpenWindow{"w3", "s3"}, at(0));
    ok(IssueTicket{"tax"}, at(1));  // C001, id 1
    ok(Cancel{"C001"}, at(1));
    ok(IssueTicket{"social"}, at(2));  // A001, id 2
    ok(IssueTicket{"social"}, at(2));  // A002, id 3
    ok(IssueTicket{"civil"}, at(2));   // B001, id 4
    ok(IssueTicket{"civil"}, at(2));   // B002, id 5
    ok(IssueTicket{"tax"}, at(2));     // C002, id 6
    ok(IssueTicket{"tax"}, at(2));     // C003, id 7
    ASSERT_EQ(serve_until_started("w1", at(3)), "A001");
    ASSERT_EQ(serve_until_started("w2", at(3)), "B001");
    ok(HoldTicket{"w2"}, at(4));
    ASSERT_EQ(serve_until_started("w2", at(4)), "B002");
    ok(Finish{"w2"}, at(5));
    ASSERT_EQ(call_next("w3", at(5)), "C002");
    ok(SkipTicket{"w3"}, at(6));
    ASSERT_EQ(call_next("w3", at(6)), "C003");
    midnight_ = config_->day_start(kDay + 1);
  }

  std::string serve_until_started(std::string_view w, TimeUs now) {
    std::string n = call_next(w, now);
    ok(StartService{w}, now);
    return n;
  }

  TimeUs midnight_ = 0;
};

TEST_F(DayRollTest, FirstCommandOfTheNextDayRollsFirst) {
  ASSERT_EQ(hall_->window(kW2).served, 1u);
  auto ev = ok(IssueTicket{"social"}, midnight_);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].body, EventBody(DayRolled{kDay + 1}));
  EXPECT_EQ(ev[0].time, midnight_);
  EXPECT_EQ(ev[1].seq, ev[0].seq + 1);
  // Numbering restarts: A001 again, with a new hall-wide id.
  EXPECT_EQ(ev[1].body, EventBody(TicketIssued{8, kSocial, 1, Priority::kNormal, 0, 90}))
      << "w1 and w3 busy: half a service over two windows";
  EXPECT_EQ(hall_->day(), kDay + 1);
  EXPECT_EQ(ticket("A001").id, 8u);
  EXPECT_EQ(hall_->find_number("A002"), nullptr);
  EXPECT_EQ(hall_->find_number("B001"), nullptr);
  EXPECT_EQ(hall_->find_number("C003"), nullptr);
  EXPECT_THAT(hall_->export_state().last_number, ElementsAre(1u, 0u, 0u));

  // Open tickets that were not at a window expired at midnight.
  for (TicketId id : {3u, 4u, 6u}) {
    const Ticket* t = hall_->find_ticket(id);
    ASSERT_NE(t, nullptr) << id;
    EXPECT_EQ(t->state, TicketState::kExpired) << id;
    EXPECT_EQ(t->ended_at, midnight_) << id;
  }
  EXPECT_EQ(hall_->find_ticket(5)->state, TicketState::kDone);
  // Tickets before the first one still at a window are dropped; ids stay contiguous.
  EXPECT_EQ(hall_->find_ticket(1), nullptr);
  ASSERT_EQ(hall_->tickets().front().id, 2u);
  EXPECT_EQ(hall_->tickets().back().id, 8u);
  EXPECT_THAT(queue_numbers(kSocial), ElementsAre("A001"));
  EXPECT_THAT(queue_numbers(kCivil), IsEmpty());
  EXPECT_THAT(queue_numbers(kTax), IsEmpty());
  for (const Window& w : hall_->windows()) EXPECT_EQ(w.served, 0u);
  EXPECT_EQ(hall_->window(kW1).state, WindowState::kOpen) << "windows stay open";
}

TEST_F(DayRollTest, TicketsAtAWindowAcrossMidnightCanBeFinished) {
  ok(Tick{}, midnight_ + minutes(1));
  const Ticket* a = hall_->find_ticket(2);  // yesterday's A001
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->state, TicketState::kServing);
  EXPECT_EQ(hall_->window(kW1).current, 2u);
  EXPECT_EQ(hall_->find_ticket(7)->state, TicketState::kCalled);
  EXPECT_EQ(hall_->window(kW3).current, 7u);

  auto ev = ok(Finish{"w1"}, midnight_ + minutes(5));
  EXPECT_TRUE(bodies_are(ev, {TicketFinished{2, kW1}}));
  EXPECT_EQ(hall_->find_ticket(2)->state, TicketState::kDone);
  EXPECT_EQ(hall_->window(kW1).served, 1u);
  // Started at 09:03 yesterday: the handling time spans the night.
  EXPECT_DOUBLE_EQ(hall_->stats(kSocial).sum_handle_s,
                   static_cast<double>(midnight_ + minutes(5) - at(3)) / kUsPerSecond);
  ok(StartService{"w3"}, midnight_ + minutes(6));
  ok(Finish{"w3"}, midnight_ + minutes(7));
  EXPECT_EQ(hall_->find_ticket(7)->state, TicketState::kDone);
}

TEST_F(DayRollTest, CalledTicketAcrossMidnightCanBeSkippedAndStarted) {
  ok(Tick{}, midnight_);
  auto ev = ok(StartService{"w3"}, midnight_ + minutes(1));
  EXPECT_TRUE(bodies_are(ev, {ServiceStarted{7, kW3}}));
  ev = ok(Transfer{"w3", "social"}, midnight_ + minutes(2));
  EXPECT_TRUE(bodies_are(ev, {TicketTransferred{7, kW3, kSocial}}));
  // Still callable by call-next although its old number is not today's.
  ok(Finish{"w1"}, midnight_ + minutes(3));
  ev = ok(CallNext{"w1"}, midnight_ + minutes(3));
  EXPECT_TRUE(bodies_are(ev, {TicketCalled{7, kW1}}));
}

TEST_F(DayRollTest, RollsExactlyAtLocalMidnight) {
  auto ev = ok(Tick{}, midnight_ - 1);
  EXPECT_THAT(ev, IsEmpty());
  EXPECT_EQ(hall_->day(), kDay);
  const Seq seq = hall_->seq();
  ev = ok(Tick{}, midnight_);
  ASSERT_TRUE(bodies_are(ev, {DayRolled{kDay + 1}}));
  EXPECT_EQ(ev[0].seq, seq + 1);
  EXPECT_EQ(ev[0].time, midnight_);
  // UTC+8: local midnight is 16:00 UTC of the day before.
  EXPECT_EQ(midnight_ % kUsPerDay, 16 * 60 * kUsPerMinute);
  ev = ok(Tick{}, midnight_ + minutes(60 * 23));
  EXPECT_THAT(ev, IsEmpty()) << "one roll per day";
}

TEST_F(DayRollTest, ARefusedCommandStillRollsTheDay) {
  const Seq seq = hall_->seq();
  last_.clear();
  Status st = apply(CallNext{"w9"}, midnight_ + minutes(1));
  EXPECT_EQ(st.code(), ErrorCode::kUnknownWindow);
  ASSERT_TRUE(bodies_are(last_, {DayRolled{kDay + 1}}));
  EXPECT_EQ(last_[0].seq, seq + 1);
  EXPECT_EQ(hall_->day(), kDay + 1);
  EXPECT_EQ(hall_->find_ticket(3)->state, TicketState::kExpired);
}

TEST_F(DayRollTest, SeveralIdleDaysRollOnce) {
  auto ev = ok(Tick{}, config_->day_start(kDay + 3) + minutes(8 * 60));
  ASSERT_TRUE(bodies_are(ev, {DayRolled{kDay + 3}}));
  EXPECT_EQ(hall_->day(), kDay + 3);
}

TEST_F(DayRollTest, ExpiredTicketsCannotBeReactivatedUnheldOrCancelled) {
  ok(Tick{}, midnight_ + minutes(1));
  // Their numbers are no longer today's.
  EXPECT_TRUE(refused(Reactivate{"C002"}, ErrorCode::kUnknownTicket, midnight_ + minutes(2)));
  EXPECT_TRUE(refused(UnholdTicket{"B001"}, ErrorCode::kUnknownTicket, midnight_ + minutes(2)));
  EXPECT_TRUE(refused(Cancel{"A002"}, ErrorCode::kUnknownTicket, midnight_ + minutes(2)));
  EXPECT_TRUE(refused(Evaluate{"B002", 5, ""}, ErrorCode::kUnknownTicket, midnight_ + minutes(2)));
}

TEST_F(DayRollTest, QueuesOfTheNewDayWork) {
  ok(IssueTicket{"civil"}, midnight_ + minutes(8 * 60));
  ok(IssueTicket{"civil"}, midnight_ + minutes(8 * 60));
  EXPECT_THAT(queue_numbers(kCivil), ElementsAre("B001", "B002"));
  EXPECT_EQ(call_next("w2", midnight_ + minutes(8 * 60 + 1)), "B001");
  EXPECT_EQ(ticket("B001").id, 8u);
}

// ------------------------------------------------------------ request ids

TEST_F(HallTest, AcceptedRequestIdsAreRemembered) {
  ok(IssueTicket{"social"}, at(0), "r1");
  ok(OpenWindow{"w1", "s1"}, at(0), "r2");
  const RequestRecord* r1 = hall_->find_request("r1");
  ASSERT_NE(r1, nullptr);
  EXPECT_EQ(r1->first_seq, 1u);
  EXPECT_EQ(r1->count, 1u);
  const RequestRecord* r2 = hall_->find_request("r2");
  ASSERT_NE(r2, nullptr);
  EXPECT_EQ(r2->first_seq, 2u);
  EXPECT_EQ(r2->count, 1u);
  EXPECT_EQ(hall_->find_request("r3"), nullptr);
  EXPECT_EQ(hall_->find_request(""), nullptr);

  // On a new day the DayRolled is not part of the command's outcome.
  auto ev = ok(IssueTicket{"civil"}, config_->day_start(kDay + 1) + minutes(9 * 60), "r3");
  ASSERT_EQ(ev.size(), 2u);
  const RequestRecord* r3 = hall_->find_request("r3");
  ASSERT_NE(r3, nullptr);
  EXPECT_EQ(r3->first_seq, ev[1].seq);
  EXPECT_EQ(r3->count, 1u);

  const HallState s = hall_->export_state();
  ASSERT_EQ(s.requests.size(), 3u);
  EXPECT_EQ(s.requests[0].first, "r1");
  EXPECT_EQ(s.requests[2].first, "r3");
}

TEST_F(HallTest, CommandsWithoutIdOrEventsAreNotRemembered) {
  ok(IssueTicket{"social"}, at(0));
  ok(Tick{}, at(1), "tick-1");
  EXPECT_EQ(hall_->find_request("tick-1"), nullptr);
  EXPECT_THAT(hall_->export_state().requests, IsEmpty());
}

TEST_F(HallTest, RememberRequestKeepsTheFirstRecord) {
  hall_->remember_request("x", {5, 2});
  hall_->remember_request("x", {9, 1});
  ASSERT_NE(hall_->find_request("x"), nullptr);
  EXPECT_EQ(hall_->find_request("x")->first_seq, 5u);
  EXPECT_EQ(hall_->find_request("x")->count, 2u);
  check_log_on_teardown_ = false;  // the records above point at no events
}

TEST_F(HallTest, RequestMemoryForgetsTheOldest) {
  ok(OpenWindow{"w1", ""}, at(0));
  const std::size_t n = Hall::kRequestMemory + 1;
  std::vector<Event> out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string id = fmt::format("q{}", i);
    out.clear();
    const CommandBody body = i % 2 == 0 ? CommandBody{PauseWindow{"w1"}} : CommandBody{ResumeWindow{"w1"}};
    ASSERT_TRUE(hall_->apply(Command{id, body}, at(1), out).ok()) << i;
  }
  EXPECT_EQ(hall_->find_request("q0"), nullptr);
  ASSERT_NE(hall_->find_request("q1"), nullptr);
  EXPECT_EQ(hall_->find_request("q1")->first_seq, 3u);
  const std::string last = fmt::format("q{}", n - 1);
  ASSERT_NE(hall_->find_request(last), nullptr);
  EXPECT_EQ(hall_->find_request(last)->first_seq, n + 1);
  const HallState s = hall_->export_state();
  ASSERT_EQ(s.requests.size(), Hall::kRequestMemory);
  EXPECT_EQ(s.requests.front().first, "q1");
  EXPECT_EQ(s.requests.back().first, last);
  check_log_on_teardown_ = false;  // events went past the fixture's log
}

}  // namespace
}  // namespace hallq::test
