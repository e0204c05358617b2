// The ticket life of DESIGN.md, accepted paths: each command's exact events,
// their sequence numbers and times, and the state they leave behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using TicketTest = HallFixture;

TEST_F(TicketTest, IssueEmitsTicketIssuedAndQueuesByClass) {
  // No window open during opening hours: one social service (6 min) on the one
  // window the config gives social first.
  auto ev = ok(IssueTicket{"social"}, at(0));
  ASSERT_TRUE(bodies_are(ev, {TicketIssued{1, kSocial, 1, Priority::kNormal, 0, 360}}));
  EXPECT_EQ(ev[0].seq, 1u);
  EXPECT_EQ(ev[0].time, at(0));

  const Ticket& a1 = ticket("A001");
  EXPECT_EQ(a1.id, 1u);
  EXPECT_EQ(a1.number, 1u);
  EXPECT_EQ(a1.issued_service, kSocial);
  EXPECT_EQ(a1.service, kSocial);
  EXPECT_EQ(a1.state, TicketState::kWaiting);
  EXPECT_EQ(a1.queue_class, QueueClass::kNormal);
  EXPECT_EQ(a1.issued_at, at(0));
  EXPECT_EQ(a1.queue_key, at(0));
  EXPECT_EQ(a1.window, kNoWindow);
  EXPECT_EQ(a1.staff, kNoStaff);
  EXPECT_EQ(a1.ahead_at_issue, 0u);
  EXPECT_EQ(a1.predicted_wait_s, 360);
  EXPECT_EQ(a1.first_called_at, 0);

  // Still no window: (people ahead + its own turn) x the service's time.
  ev = ok(IssueTicket{"social"}, at(1));
  EXPECT_TRUE(bodies_are(ev, {TicketIssued{2, kSocial, 2, Priority::kNormal, 1, 720}}));
  ev = ok(IssueTicket{"social", Priority::kPriority}, at(2));
  EXPECT_TRUE(bodies_are(ev, {TicketIssued{3, kSocial, 3, Priority::kPriority, 0, 360}}));
  ev = ok(IssueTicket{"civil", Priority::kAppointment}, at(3));
  EXPECT_TRUE(bodies_are(ev, {TicketIssued{4, kCivil, 1, Priority::kAppointment, 0, 600}}));
  EXPECT_EQ(ev[0].seq, 4u);
  EXPECT_EQ(ev[0].time, at(3));

  EXPECT_EQ(ticket("A003").queue_class, QueueClass::kPriority);
  EXPECT_EQ(ticket("B001").queue_class, QueueClass::kPriority);
  EXPECT_THAT(queue_numbers(kSocial), ElementsAre("A003", "A001", "A002"));
  EXPECT_THAT(queue_numbers(kCivil), ElementsAre("B001"));
  EXPECT_EQ(hall_->waiting_total(), 4u);

  const HallState s = hall_->export_state();
  EXPECT_EQ(s.seq, 4u);
  EXPECT_EQ(s.clock, at(3));
  EXPECT_EQ(s.day, kDay);
  EXPECT_EQ(s.next_ticket, 5u);
  EXPECT_THAT(s.last_number, ElementsAre(3u, 1u, 0u));
}

TEST_F(TicketTest, CallRecallStartFinishEvaluate) {
  auto ev = ok(OpenWindow{"w1", "s1"}, at(0));
  EXPECT_TRUE(bodies_are(ev, {WindowOpened{kW1, "s1"}}));
  // One idle window serving A: nobody ahead, no wait.
  ev = ok(IssueTicket{"social"}, at(1));
  EXPECT_TRUE(bodies_are(ev, {TicketIssued{1, kSocial, 1, Priority::kNormal, 0, 0}}));

  ev = ok(CallNext{"w1"}, at(2));
  ASSERT_TRUE(bodies_are(ev, {TicketCalled{1, kW1}}));
  EXPECT_EQ(ev[0].seq, 3u);
  EXPECT_EQ(ev[0].time, at(2));
  EXPECT_EQ(ticket("A001").state, TicketState::kCalled);
  EXPECT_EQ(ticket("A001").window, kW1);
  EXPECT_EQ(ticket("A001").called_at, at(2));
  EXPECT_EQ(ticket("A001").first_called_at, at(2));
  EXPECT_EQ(hall_->window(kW1).current, 1u);
  EXPECT_EQ(hall_->waiting(kSocial), 0u);

  ev = ok(Recall{"w1"}, at(3));
  EXPECT_TRUE(bodies_are(ev, {TicketRecalled{1, kW1}}));
  EXPECT_EQ(ticket("A001").recalls, 1);
  EXPECT_EQ(ticket("A001").state, TicketState::kCalled);

  ev = ok(StartService{"w1"}, at(4));
  EXPECT_TRUE(bodies_are(ev, {ServiceStarted{1, kW1}}));
  EXPECT_EQ(ticket("A001").state, TicketState::kServing);
  EXPECT_EQ(ticket("A001").started_at, at(4));
  EXPECT_EQ(hall_->window(kW1).current, 1u);

  ev = ok(Finish{"w1"}, at(10));
  EXPECT_TRUE(bodies_are(ev, {TicketFinished{1, kW1}}));
  EXPECT_EQ(ev[0].seq, 6u);
  const Ticket& t = ticket("A001");
  EXPECT_EQ(t.state, TicketState::kDone);
  EXPECT_EQ(t.finished_at, at(10));
  EXPECT_EQ(hall_->staff_id(t.staff), "s1");
  const Window& w = hall_->window(kW1);
  EXPECT_EQ(w.current, 0u);
  EXPECT_EQ(w.idle_since, at(10));
  EXPECT_EQ(w.served, 1u);
  EXPECT_EQ(hall_->stats(kSocial).finished, 1u);
  EXPECT_DOUBLE_EQ(hall_->stats(kSocial).sum_handle_s, 360.0);
  EXPECT_EQ(hall_->stats(kCivil).finished, 0u);

  ev = ok(Evaluate{"A001", 4, "w1"}, at(11));
  EXPECT_TRUE(bodies_are(ev, {TicketEvaluated{1, 4}}));
  EXPECT_EQ(ticket("A001").state, TicketState::kRated);
  EXPECT_EQ(ticket("A001").rating, 4);
  EXPECT_EQ(hall_->seq(), 7u);
}

TEST_F(TicketTest, EvaluateWithoutWindowAndEveryLevel) {
  ok(OpenWindow{"w1", ""}, at(0));
  for (int level = 1; level <= 5; ++level) {
    ok(IssueTicket{"social"}, at(level));
    serve_next("w1", at(level));
    const std::string n = format_number("A", static_cast<std::uint32_t>(level), 3);
    auto ev = ok(Evaluate{n, level, ""}, at(level + 0.5));
    const TicketId id = ticket(n).id;
    if (level <= 2) {  // 差评: a work order (work_order_test.cc), due Monday 2024-03-11
      EXPECT_TRUE(bodies_are(
          ev, {TicketEvaluated{id, static_cast<std::uint8_t>(level)}, WorkOrderOpened{id, kDay + 7}}));
    } else {
      EXPECT_TRUE(bodies_are(ev, {TicketEvaluated{id, static_cast<std::uint8_t>(level)}}));
    }
    EXPECT_EQ(ticket(n).rating, level);
  }
}

// The keypad's time ran out: "not rated" (level 0) is recorded; a second
// "not rated" is refused and changes nothing (a later 1..5 from the phone
// page is evaluation_test.cc's).
TEST_F(TicketTest, NotRatedIsRecordedOnce) {
  ok(OpenWindow{"w1", ""}, at(0));
  ok(IssueTicket{"social"}, at(1));
  serve_next("w1", at(2));
  auto ev = ok(Evaluate{"A001", 0, "w1"}, at(3));
  EXPECT_TRUE(bodies_are(ev, {TicketEvaluated{ticket("A001").id, 0}}));
  EXPECT_EQ(ticket("A001").state, TicketState::kRated);
  EXPECT_EQ(ticket("A001").rating, 0);
  EXPECT_TRUE(refused(Evaluate{"A001", 0, "w1"}, ErrorCode::kAlreadyRated, at(4)));
  EXPECT_EQ(ticket("A001").rating, 0);
}

TEST_F(TicketTest, SkipThenReactivateRejoinsTheQueue) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(IssueTicket{"social"}, at(1));
  ok(IssueTicket{"social"}, at(1.5));
  EXPECT_EQ(call_next("w1", at(2)), "A001");
  ok(Recall{"w1"}, at(2.5));

  auto ev = ok(SkipTicket{"w1"}, at(3));
  EXPECT_TRUE(bodies_are(ev, {TicketSkipped{1, kW1}}));
  EXPECT_EQ(ticket("A001").state, TicketState::kNoShow);
  EXPECT_EQ(ticket("A001").ended_at, at(3));
  EXPECT_EQ(hall_->window(kW1).current, 0u);
  EXPECT_EQ(hall_->window(kW1).idle_since, at(3));
  EXPECT_THAT(queue_numbers(kSocial), ElementsAre("A002"));

  // One waiting (fewer than reactivate_behind = 3): it rejoins at the end, keyed now.
  ev = ok(Reactivate{"A001"}, at(5));
  EXPECT_TRUE(bodies_are(ev, {TicketRequeued{1, at(5), false}}));
  EXPECT_EQ(ticket("A001").state, TicketState::kWaiting);
  EXPECT_EQ(ticket("A001").queue_class, QueueClass::kNormal);
  EXPECT_EQ(ticket("A001").queue_key, at(5));
  EXPECT_EQ(ticket("A001").ended_at, 0);
  EXPECT_THAT(queue_numbers(kSocial), ElementsAre("A002", "A001"));

  EXPECT_EQ(serve_next("w1", at(6)), "A002");
  EXPECT_EQ(call_next("w1", at(7)), "A001");
  // A new call starts a fresh recall count; the first call time is kept.
  EXPECT_EQ(ticket("A001").recalls, 0);
  EXPECT_EQ(ticket("A001").first_called_at, at(2));
  EXPECT_EQ(ticket("A001").called_at, at(7));
}

TEST_F(TicketTest, HoldThenUnholdReturnsFirst) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(IssueTicket{"social"}, at(1));
  ok(IssueTicket{"social"}, at(1));
  ok(IssueTicket{"social", Priority::kPriority}, at(2));
  EXPECT_EQ(call_next("w1", at(3)), "A003");
  ok(StartService{"w1"}, at(3));
  EXPECT_EQ(call_next("w1", at(3)), "");  // busy

  auto ev = ok(HoldTicket{"w1"}, at(5));
  EXPECT_TRUE(bodies_are(ev, {TicketHeld{3, kW1}}));
  EXPECT_EQ(ticket("A003").state, TicketState::kHeld);
  EXPECT_EQ(hall_->window(kW1).current, 0u);
  EXPECT_EQ(hall_->window(kW1).idle_since, at(5));
  EXPECT_THAT(queue_numbers(kSocial), ElementsAre("A001", "A002"));

  ev = ok(UnholdTicket{"A003"}, at(7));
  EXPECT_TRUE(bodies_are(ev, {TicketRequeued{3, at(7), true}}));
  EXPECT_EQ(ticket("A003").state, TicketState::kWaiting);
  EXPECT_EQ(ticket("A003").queue_class, QueueClass::kReturning);
  EXPECT_EQ(ticket("A003").queue_key, at(7));
  EXPECT_THAT(queue_numbers(kSocial), ElementsAre("A003", "A001", "A002"));
  EXPECT_EQ(call_next("w1", at(8)), "A003");
}

TEST_F(TicketTest, CallTicketCallsAHeldTicketDirectly) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(IssueTicket{"social"}, at(1));
  ok(IssueTicket{"social"}, at(1));
  call_next("w1", at(2));
  ok(StartService{"w1"}, at(2));
  ok(HoldTicket{"w1"}, at(3));

  auto ev = ok(CallTicket{"w1", "A001"}, at(4));
  EXPECT_TRUE(bodies_are(ev, {TicketCalled{1, kW1}}));
  EXPECT_EQ(ticket("A001").state, TicketState::kCalled);
  EXPECT_EQ(ticket("A001").called_at, at(4));
  EXPECT_THAT(queue_numbers(kSocial), ElementsAre("A002"));
}

TEST_F(TicketTest, CallTicketCallsOutOfOrder) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(IssueTicket{"social"}, at(1));
  ok(IssueTicket{"social"}, at(2));
  auto ev = ok(CallTicket{"w1", "A002"}, at(3));
  EXPECT_TRUE(bodies_are(ev, {TicketCalled{2, kW1}}));
  EXPECT_THAT(queue_numbers(kSocial), ElementsAre("A001"));
  EXPECT_EQ(hall_->window(kW1).current, 2u);
}

TEST_F(TicketTest, TransferKeepsTheNumberAndReturnsFirst) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  ok(OpenWindow{"w2", "s2"}, at(0));
  ok(IssueTicket{"civil"}, at(0));   // B001
  ok(IssueTicket{"social"}, at(1));  // A001
  EXPECT_EQ(call_next("w2", at(1)), "B001");
  EXPECT_EQ(call_next("w1", at(2)), "A001");
  ok(StartService{"w1"}, at(2));

  auto ev = ok(Transfer{"w1", "civil"}, at(5));
  EXPECT_TRUE(bodies_are(ev, {TicketTransferred{2, kW1, kCivil}}));
  const Ticket& t = ticket("A001");
  EXPECT_EQ(t.id, 2u);
  EXPECT_EQ(t.state, TicketState::kWaiting);
  EXPECT_EQ(t.service, kCivil);
  EXPECT_EQ(t.issued_service, kSocial);
  EXPECT_EQ(t.transfers, 1);
  EXPECT_EQ(t.queue_class, QueueClass::kReturning);
  EXPECT_EQ(t.queue_key, at(5));
  EXPECT_EQ(hall_->number_of(t), "A001");
  EXPECT_EQ(hall_->window(kW1).current, 0u);
  EXPECT_EQ(hall_->waiting(kSocial), 0u);
  // The transfer uses no civil number.
  EXPECT_EQ(hall_->export_state().last_number[kCivil], 1u);
  ev = ok(IssueTicket{"civil"}, at(6));
  EXPECT_TRUE(bodies_are(ev, {TicketIssued{3, kCivil, 2, Priority::kNormal, 1, 600}}))
      << "B002: w1 (its social line quiet) takes the returning A001 at once; w2 is still calling "
         "B001 (10 min expected); the newcomer goes when either is free, at 10 min";
  EXPECT_THAT(queue_numbers(kCivil), ElementsAre("A001", "B002"));

  // w2 serves civil at level 1: the returning ticket goes before B002.
  ok(StartService{"w2"}, at(6));
  ok(Finish{"w2"}, at(7));
  EXPECT_EQ(call_next("w2", at(8)), "A001");
  ok(StartService{"w2"}, at(9));
  ok(Finish{"w2"}, at(19));
  EXPECT_EQ(ticket("A001").window, kW2);
  EXPECT_EQ(ticket("A001").state, TicketState::kDone);
  // Handling time counts for the service it was finished under, from its last start.
  EXPECT_EQ(hall_->stats(kCivil).finished, 2u);
  EXPECT_DOUBLE_EQ(hall_->stats(kCivil).sum_handle_s, 60.0 + 600.0);
  EXPECT_EQ(hall_->stats(kSocial).finished, 0u);
  ok(Evaluate{"A001", 5, "w2"}, at(20));
}

TEST_F(TicketTest, TransferTwiceCountsTransfers) {
  ok(OpenWindow{"w3", "s3"}, at(0));
  ok(IssueTicket{"tax"}, at(0));
  call_next("w3", at(1));
  ok(StartService{"w3"}, at(1));
  ok(Transfer{"w3", "social"}, at(2));
  EXPECT_EQ(call_next("w3", at(3)), "C001");
  ok(StartService{"w3"}, at(3));
  auto ev = ok(Transfer{"w3", "tax"}, at(4));
  EXPECT_TRUE(bodies_are(ev, {TicketTransferred{1, kW3, kTax}}));
  EXPECT_EQ(ticket("C001").transfers, 2);
  EXPECT_EQ(ticket("C001").service, kTax);
  EXPECT_EQ(ticket("C001").issued_service, kTax);
}

TEST_F(TicketTest, CancelWaitingHeldAndNoShowTickets) {
  ok(OpenWindow{"w1", "s1"}, at(0));
  for (int i = 0; i < 4; ++i) ok(IssueTicket{"social"}, at(1));
  // A001 held, A002 no-show, A003 and A004 waiting.
  call_next("w1", at(2));
  ok(StartService{"w1"}, at(2));
  ok(HoldTicket{"w1"}, at(2));
  call_next("w1", at(3));
  ok(SkipTicket{"w1"}, at(3));

  auto ev = ok(Cancel{"A003"}, at(4));
  EXPECT_TRUE(bodies_are(ev, {TicketLeft{3, LeaveReason::kCancelled}}));
  EXPECT_EQ(ticket("A003").state, TicketState::kLeft);
  EXPECT_EQ(ticket("A003").ended_at, at(4));
  EXPECT_THAT(queue_numbers(kSocial), ElementsAre("A004"));

  ev = ok(Cancel{"A004", LeaveReason::kGaveUp}, at(5));
  EXPECT_TRUE(bodies_are(ev, {TicketLeft{4, LeaveReason::kGaveUp}}));
  EXPECT_THAT(queue_numbers(kSocial), IsEmpty());

  ev = ok(Cancel{"A001"}, at(6));
  EXPECT_TRUE(bodies_are(ev, {TicketLeft{1, LeaveReason::kCancelled}}));
  EXPECT_EQ(ticket("A001").state, TicketState::kLeft);
  ev = ok(Cancel{"A002"}, at(7));
  EXPECT_TRUE(bodies_are(ev, {TicketLeft{2, LeaveReason::kCancelled}}));
  EXPECT_EQ(ticket("A002").state, TicketState::kLeft);
  EXPECT_EQ(ticket("A002").ended_at, at(7));
}

TEST_F(TicketTest, TickEmitsNothingOnTheSameDay) {
  ok(IssueTicket{"social"}, at(0));
  const HallState before = hall_->export_state();
  auto ev = ok(Tick{}, at(30));
  EXPECT_THAT(ev, IsEmpty());
  EXPECT_TRUE(same_state(before, hall_->export_state())) << "a tick does not move the clock either";
}

TEST_F(TicketTest, TicketIdsAreHallWideAndNumbersPerPrefix) {
  const std::vector<std::pair<const char*, const char*>> issues = {
      {"social", "A001"}, {"civil", "B001"}, {"social", "A002"}, {"tax", "C001"}, {"social", "A003"}};
  TicketId id = 1;
  for (const auto& [service, number] : issues) {
    auto ev = ok(IssueTicket{service}, at(static_cast<double>(id)));
    ASSERT_EQ(ev.size(), 1u);
    const auto& issued = std::get<TicketIssued>(ev[0].body);
    EXPECT_EQ(issued.ticket, id);
    EXPECT_EQ(hall_->number_of(*hall_->find_ticket(id)), number);
    EXPECT_EQ(ticket(number).id, id);
    ++id;
  }
  EXPECT_EQ(hall_->find_number("A004"), nullptr);
  EXPECT_EQ(hall_->find_number("A000"), nullptr);
  EXPECT_EQ(hall_->find_number("D001"), nullptr);
  EXPECT_EQ(hall_->find_number("a001"), nullptr);
  EXPECT_EQ(hall_->find_number(""), nullptr);
  // A clerk may type the number without its zero padding.
  ASSERT_NE(hall_->find_number("A2"), nullptr);
  EXPECT_EQ(hall_->find_number("A2")->id, 3u);
}

TEST_F(TicketTest, NumberDigitsAndTwoLetterPrefixes) {
  build([](HallConfig& c) {
    c.rules.number_digits = 4;
    c.services[kTax].prefix = "CX";
  });
  ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"tax"}, at(0));
  ok(IssueTicket{"tax"}, at(0));
  EXPECT_EQ(hall_->number_of(*hall_->find_ticket(1)), "A0001");
  EXPECT_EQ(hall_->number_of(*hall_->find_ticket(3)), "CX0002");
  EXPECT_EQ(ticket("CX0002").id, 3u);
  EXPECT_EQ(hall_->find_number("C0001"), nullptr);
}

}  // namespace
}  // namespace hallq::test
