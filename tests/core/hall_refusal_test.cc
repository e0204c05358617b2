// Every refusal of the hall: the exact ErrorCode, a message, no events, and a
// state identical field by field to the one before (HallFixture::refused).
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

// A busy hall to refuse things in:
//   w1 (s1) open, A001 called;  w2 (s2) open, B001 serving;  w3 closed.
//   Waiting: A002, A003, C001.
class RefusalTest : public HallFixture {
 protected:
  void SetUp() override {
    HallFixture::SetUp();
    populate();
  }

  void populate() {
    ok(OpenWindow{"w1", "s1"}, at(0));
    ok(OpenWindow{"w2", "s2"}, at(0));
    for (int i = 0; i < 3; ++i) ok(IssueTicket{"social"}, at(1));
    ok(IssueTicket{"civil"}, at(1));
    ok(IssueTicket{"tax"}, at(1));
    ASSERT_EQ(call_next("w1", at(2)), "A001");
    ASSERT_EQ(call_next("w2", at(2)), "B001");
    ok(StartService{"w2"}, at(3));
  }

  // Refusals happen later than the setup, so a moved clock would show.
  static constexpr double kLater = 10;
};

// ------------------------------------------------------------ issue

TEST_F(RefusalTest, IssueUnknownService) {
  EXPECT_TRUE(refused(IssueTicket{"nope"}, ErrorCode::kUnknownService, at(kLater)));
  EXPECT_TRUE(refused(IssueTicket{""}, ErrorCode::kUnknownService, at(kLater)));
  EXPECT_TRUE(refused(IssueTicket{"A"}, ErrorCode::kUnknownService, at(kLater))) << "a prefix is not an id";
  EXPECT_TRUE(refused(IssueTicket{"Social"}, ErrorCode::kUnknownService, at(kLater)));
}

TEST_F(RefusalTest, IssueBeyondMaxTicketsPerService) {
  build([](HallConfig& c) { c.rules.max_tickets_per_service = 3; });
  populate();
  EXPECT_TRUE(refused(IssueTicket{"social"}, ErrorCode::kLimitReached, at(kLater)));
  EXPECT_TRUE(refused(IssueTicket{"social", Priority::kPriority}, ErrorCode::kLimitReached, at(kLater)));
  // Other prefixes have their own count.
  ok(IssueTicket{"civil"}, at(kLater));
  ok(IssueTicket{"civil"}, at(kLater));
  EXPECT_TRUE(refused(IssueTicket{"civil"}, ErrorCode::kLimitReached, at(kLater)));
  // A new day resets the count.
  ok(IssueTicket{"social"}, config_->day_start(kDay + 1) + minutes(8 * 60));
  EXPECT_EQ(hall_->number_of(hall_->tickets().back()), "A001");
}

// ------------------------------------------------------------ open / close / pause / resume

TEST_F(RefusalTest, OpenUnknownWindow) {
  EXPECT_TRUE(refused(OpenWindow{"w9", "s3"}, ErrorCode::kUnknownWindow, at(kLater)));
  EXPECT_TRUE(refused(OpenWindow{"W1", "s3"}, ErrorCode::kUnknownWindow, at(kLater)));
}

TEST_F(RefusalTest, OpenAnOpenWindowWithTheSameStaff) {
  EXPECT_TRUE(refused(OpenWindow{"w1", "s1"}, ErrorCode::kWindowAlreadyOpen, at(kLater)));
  ok(PauseWindow{"w2"}, at(kLater));
  EXPECT_TRUE(refused(OpenWindow{"w2", "s2"}, ErrorCode::kWindowAlreadyOpen, at(kLater)));
  ok(OpenWindow{"w3", ""}, at(kLater));
  EXPECT_TRUE(refused(OpenWindow{"w3", ""}, ErrorCode::kWindowAlreadyOpen, at(kLater)));
}

TEST_F(RefusalTest, OpenWithStaffLoggedInAtAnotherWindow) {
  EXPECT_TRUE(refused(OpenWindow{"w3", "s1"}, ErrorCode::kStaffOnDuty, at(kLater)));
  EXPECT_TRUE(refused(OpenWindow{"w3", "s2"}, ErrorCode::kStaffOnDuty, at(kLater)));
  // Nor as the B post of another open window.
  EXPECT_TRUE(refused(OpenWindow{"w1", "s2"}, ErrorCode::kStaffOnDuty, at(kLater)));
  // A paused window still holds its staff.
  ok(PauseWindow{"w2"}, at(kLater));
  EXPECT_TRUE(refused(OpenWindow{"w3", "s2"}, ErrorCode::kStaffOnDuty, at(kLater)));
}

TEST_F(RefusalTest, StaffIdMustBeShortPrintableText) {
  // The hall lists no staff, so any id is taken, but only one that screens,
  // events and reports can carry.
  const core::Seq before = hall_->seq();
  EXPECT_TRUE(refused(OpenWindow{"w3", "\xff\xfe"}, ErrorCode::kBadArgument, at(kLater)));
  EXPECT_TRUE(refused(OpenWindow{"w3", "a\nb"}, ErrorCode::kBadArgument, at(kLater)));
  EXPECT_TRUE(
      refused(OpenWindow{"w3", std::string(kMaxStaffIdBytes + 1, 'x')}, ErrorCode::kBadArgument, at(kLater)));
  EXPECT_TRUE(refused(OpenWindow{"w1", "\xc3"}, ErrorCode::kBadArgument, at(kLater))) << "nor as a handover";
  EXPECT_EQ(hall_->seq(), before);
  ok(OpenWindow{"w3", std::string(kMaxStaffIdBytes, 'x')}, at(kLater));
  ok(OpenWindow{"w3", "王芳"}, at(kLater));  // handover
}

TEST_F(RefusalTest, StaffListHallRefusesMissingAndUnknownStaff) {
  build(with_staff_list);
  EXPECT_TRUE(refused(OpenWindow{"w1", ""}, ErrorCode::kBadArgument, at(0)));
  EXPECT_TRUE(refused(OpenWindow{"w1", "nobody"}, ErrorCode::kUnknownStaff, at(0)));
  EXPECT_TRUE(refused(OpenWindow{"w1", "Zhang"}, ErrorCode::kUnknownStaff, at(0)));
  EXPECT_TRUE(refused(OpenWindow{"w9", "zhang"}, ErrorCode::kUnknownWindow, at(0)));
  EXPECT_EQ(hall_->seq(), 0u);
  EXPECT_EQ(hall_->day(), 0) << "a refusal before any event sets no day";
  ok(OpenWindow{"w1", "zhang"}, at(1));
  // Handover to a missing or unknown post.
  EXPECT_TRUE(refused(OpenWindow{"w1", ""}, ErrorCode::kBadArgument, at(2)));
  EXPECT_TRUE(refused(OpenWindow{"w1", "ghost"}, ErrorCode::kUnknownStaff, at(2)));
  EXPECT_TRUE(refused(OpenWindow{"w1", "zhang"}, ErrorCode::kWindowAlreadyOpen, at(2)));
  EXPECT_TRUE(refused(OpenWindow{"w2", "zhang"}, ErrorCode::kStaffOnDuty, at(2)));
}

TEST_F(RefusalTest, CloseRefusals) {
  EXPECT_TRUE(refused(CloseWindow{"w9"}, ErrorCode::kUnknownWindow, at(kLater)));
  EXPECT_TRUE(refused(CloseWindow{"w3"}, ErrorCode::kWindowClosed, at(kLater)));
  EXPECT_TRUE(refused(CloseWindow{"w1"}, ErrorCode::kWindowBusy, at(kLater))) << "called ticket";
  EXPECT_TRUE(refused(CloseWindow{"w2"}, ErrorCode::kWindowBusy, at(kLater))) << "serving ticket";
  ok(PauseWindow{"w2"}, at(kLater));
  EXPECT_TRUE(refused(CloseWindow{"w2"}, ErrorCode::kWindowBusy, at(kLater))) << "paused but busy";
}

TEST_F(RefusalTest, PauseRefusals) {
  EXPECT_TRUE(refused(PauseWindow{"w9"}, ErrorCode::kUnknownWindow, at(kLater)));
  EXPECT_TRUE(refused(PauseWindow{"w3"}, ErrorCode::kWindowClosed, at(kLater)));
  ok(PauseWindow{"w1"}, at(kLater));
  EXPECT_TRUE(refused(PauseWindow{"w1"}, ErrorCode::kWindowPaused, at(kLater)));
}

TEST_F(RefusalTest, ResumeRefusals) {
  EXPECT_TRUE(refused(ResumeWindow{"w9"}, ErrorCode::kUnknownWindow, at(kLater)));
  EXPECT_TRUE(refused(ResumeWindow{"w3"}, ErrorCode::kWindowClosed, at(kLater)));
  EXPECT_TRUE(refused(ResumeWindow{"w1"}, ErrorCode::kWindowNotPaused, at(kLater)));
  ok(PauseWindow{"w1"}, at(kLater));
  ok(ResumeWindow{"w1"}, at(kLater));
  EXPECT_TRUE(refused(ResumeWindow{"w1"}, ErrorCode::kWindowNotPaused, at(kLater)));
}

// ------------------------------------------------------------ calling

TEST_F(RefusalTest, CallNextRefusals) {
  EXPECT_TRUE(refused(CallNext{"w9"}, ErrorCode::kUnknownWindow, at(kLater)));
  EXPECT_TRUE(refused(CallNext{"w3"}, ErrorCode::kWindowClosed, at(kLater)));
  EXPECT_TRUE(refused(CallNext{"w1"}, ErrorCode::kWindowBusy, at(kLater))) << "called";
  EXPECT_TRUE(refused(CallNext{"w2"}, ErrorCode::kWindowBusy, at(kLater))) << "serving";
  ok(OpenWindow{"w3", "s3"}, at(kLater));
  ok(PauseWindow{"w3"}, at(kLater));
  EXPECT_TRUE(refused(CallNext{"w3"}, ErrorCode::kWindowPaused, at(kLater)));
  // Paused and busy: paused is reported first.
  ok(PauseWindow{"w1"}, at(kLater));
  EXPECT_TRUE(refused(CallNext{"w1"}, ErrorCode::kWindowPaused, at(kLater)));
}

TEST_F(RefusalTest, CallNextWithNothingTheWindowServes) {
  build();
  ok(OpenWindow{"w2", ""}, at(0));
  EXPECT_TRUE(refused(CallNext{"w2"}, ErrorCode::kQueueEmpty, at(1)));
  // Tickets for services w2 does not serve do not count.
  ok(IssueTicket{"social"}, at(1));
  ok(IssueTicket{"tax", Priority::kPriority}, at(1));
  EXPECT_TRUE(refused(CallNext{"w2"}, ErrorCode::kQueueEmpty, at(2)));
  // Nor do called, held and no-show ones.
  ok(OpenWindow{"w1", ""}, at(2));
  ok(IssueTicket{"civil"}, at(2));
  ok(IssueTicket{"civil"}, at(2));
  ok(IssueTicket{"civil"}, at(2));
  EXPECT_EQ(call_next("w2", at(3)), "B001");
  ok(StartService{"w2"}, at(3));
  ok(HoldTicket{"w2"}, at(3));
  EXPECT_EQ(call_next("w2", at(4)), "B002");
  ok(SkipTicket{"w2"}, at(4));
  ok(CallTicket{"w1", "B003"}, at(4));
  EXPECT_TRUE(refused(CallNext{"w2"}, ErrorCode::kQueueEmpty, at(5)));
}

TEST_F(RefusalTest, CallTicketRefusals) {
  EXPECT_TRUE(refused(CallTicket{"w9", "A002"}, ErrorCode::kUnknownWindow, at(kLater)));
  EXPECT_TRUE(refused(CallTicket{"w3", "A002"}, ErrorCode::kWindowClosed, at(kLater)));
  EXPECT_TRUE(refused(CallTicket{"w1", "A002"}, ErrorCode::kWindowBusy, at(kLater)));
  ok(OpenWindow{"w3", "s3"}, at(kLater));
  for (const char* bad : {"A009", "A000", "X001", "a002", "", "A", "002", "A0O2", "A1234567890"})
    EXPECT_TRUE(refused(CallTicket{"w3", bad}, ErrorCode::kUnknownTicket, at(kLater))) << bad;
  EXPECT_TRUE(refused(CallTicket{"w3", "A001"}, ErrorCode::kWrongTicketState, at(kLater))) << "called at w1";
  EXPECT_TRUE(refused(CallTicket{"w3", "B001"}, ErrorCode::kWrongTicketState, at(kLater))) << "serving at w2";
  ok(Finish{"w2"}, at(kLater));
  EXPECT_TRUE(refused(CallTicket{"w3", "B001"}, ErrorCode::kWrongTicketState, at(kLater))) << "done";
  ok(Cancel{"A003"}, at(kLater));
  EXPECT_TRUE(refused(CallTicket{"w3", "A003"}, ErrorCode::kWrongTicketState, at(kLater))) << "left";
  ok(SkipTicket{"w1"}, at(kLater));
  EXPECT_TRUE(refused(CallTicket{"w3", "A001"}, ErrorCode::kWrongTicketState, at(kLater))) << "no-show";
  ok(PauseWindow{"w3"}, at(kLater));
  EXPECT_TRUE(refused(CallTicket{"w3", "A002"}, ErrorCode::kWindowPaused, at(kLater)));
}

TEST_F(RefusalTest, RecallRefusals) {
  EXPECT_TRUE(refused(Recall{"w9"}, ErrorCode::kUnknownWindow, at(kLater)));
  EXPECT_TRUE(refused(Recall{"w3"}, ErrorCode::kNoCurrentTicket, at(kLater)));
  EXPECT_TRUE(refused(Recall{"w2"}, ErrorCode::kWrongTicketState, at(kLater))) << "serving";
  // recall_limit = 2: two recalls, then refused.
  ok(Recall{"w1"}, at(kLater));
  ok(Recall{"w1"}, at(kLater));
  EXPECT_EQ(ticket("A001").recalls, 2);
  EXPECT_TRUE(refused(Recall{"w1"}, ErrorCode::kRecallLimit, at(kLater)));
  // Skipping remains possible.
  ok(SkipTicket{"w1"}, at(kLater));
}

TEST_F(RefusalTest, RecallLimitZero) {
  build([](HallConfig& c) { c.rules.recall_limit = 0; });
  populate();
  EXPECT_TRUE(refused(Recall{"w1"}, ErrorCode::kRecallLimit, at(kLater)));
}

TEST_F(RefusalTest, StartSkipHoldFinishWithoutTheRightTicket) {
  ok(OpenWindow{"w3", "s3"}, at(kLater));  // open, idle
  EXPECT_TRUE(refused(StartService{"w3"}, ErrorCode::kNoCurrentTicket, at(kLater)));
  EXPECT_TRUE(refused(SkipTicket{"w3"}, ErrorCode::kNoCurrentTicket, at(kLater)));
  EXPECT_TRUE(refused(HoldTicket{"w3"}, ErrorCode::kNoCurrentTicket, at(kLater)));
  EXPECT_TRUE(refused(Finish{"w3"}, ErrorCode::kNoCurrentTicket, at(kLater)));
  ok(CloseWindow{"w3"}, at(kLater));  // closed: no current ticket either
  EXPECT_TRUE(refused(StartService{"w3"}, ErrorCode::kNoCurrentTicket, at(kLater)));
  EXPECT_TRUE(refused(Finish{"w3"}, ErrorCode::kNoCurrentTicket, at(kLater)));
  for (const CommandBody& c :
       std::vector<CommandBody>{StartService{"w9"}, SkipTicket{"w9"}, HoldTicket{"w9"}, Finish{"w9"}})
    EXPECT_TRUE(refused(c, ErrorCode::kUnknownWindow, at(kLater))) << verb(c);
  // w1's ticket is called, not serving.
  EXPECT_TRUE(refused(HoldTicket{"w1"}, ErrorCode::kWrongTicketState, at(kLater)));
  EXPECT_TRUE(refused(Finish{"w1"}, ErrorCode::kWrongTicketState, at(kLater)));
  // w2's ticket is serving, not called.
  EXPECT_TRUE(refused(StartService{"w2"}, ErrorCode::kWrongTicketState, at(kLater)));
  EXPECT_TRUE(refused(SkipTicket{"w2"}, ErrorCode::kWrongTicketState, at(kLater)));
}

TEST_F(RefusalTest, TransferRefusals) {
  EXPECT_TRUE(refused(Transfer{"w9", "tax"}, ErrorCode::kUnknownWindow, at(kLater)));
  EXPECT_TRUE(refused(Transfer{"w2", "nope"}, ErrorCode::kUnknownService, at(kLater)));
  EXPECT_TRUE(refused(Transfer{"w3", "tax"}, ErrorCode::kNoCurrentTicket, at(kLater)));
  EXPECT_TRUE(refused(Transfer{"w1", "civil"}, ErrorCode::kWrongTicketState, at(kLater))) << "called";
  EXPECT_TRUE(refused(Transfer{"w2", "civil"}, ErrorCode::kSameService, at(kLater)));
  // After one transfer the ticket's service is the new one.
  ok(Transfer{"w2", "tax"}, at(kLater));
  ok(OpenWindow{"w3", "s3"}, at(kLater));
  ASSERT_EQ(call_next("w3", at(kLater)), "B001");
  ok(StartService{"w3"}, at(kLater));
  EXPECT_TRUE(refused(Transfer{"w3", "tax"}, ErrorCode::kSameService, at(kLater)));
}

// ------------------------------------------------------------ reactivate / unhold

TEST_F(RefusalTest, ReactivateRefusals) {
  EXPECT_TRUE(refused(Reactivate{"A009"}, ErrorCode::kUnknownTicket, at(kLater)));
  EXPECT_TRUE(refused(Reactivate{"A002"}, ErrorCode::kWrongTicketState, at(kLater))) << "waiting";
  EXPECT_TRUE(refused(Reactivate{"A001"}, ErrorCode::kWrongTicketState, at(kLater))) << "called";
  EXPECT_TRUE(refused(Reactivate{"B001"}, ErrorCode::kWrongTicketState, at(kLater))) << "serving";
  ok(HoldTicket{"w2"}, at(kLater));
  EXPECT_TRUE(refused(Reactivate{"B001"}, ErrorCode::kWrongTicketState, at(kLater))) << "held";
}

TEST_F(RefusalTest, ReactivateAfterTheLimitExpires) {
  ok(SkipTicket{"w1"}, at(kLater));  // A001 no-show at kLater; reactivate_min = 30
  EXPECT_TRUE(refused(Reactivate{"A001"}, ErrorCode::kReactivateExpired, at(kLater + 30) + 1));
  EXPECT_TRUE(refused(Reactivate{"A001"}, ErrorCode::kReactivateExpired, at(kLater + 300)));
  // It can still be cancelled.
  ok(Cancel{"A001"}, at(kLater + 31));
  EXPECT_EQ(ticket("A001").state, TicketState::kLeft);
}

TEST_F(RefusalTest, ReactivateExactlyAtTheLimitIsAccepted) {
  ok(SkipTicket{"w1"}, at(kLater));
  auto ev = ok(Reactivate{"A001"}, at(kLater + 30));
  EXPECT_EQ(ev.size(), 1u);
  EXPECT_EQ(ticket("A001").state, TicketState::kWaiting);
}

TEST_F(RefusalTest, UnholdRefusals) {
  EXPECT_TRUE(refused(UnholdTicket{"B009"}, ErrorCode::kUnknownTicket, at(kLater)));
  EXPECT_TRUE(refused(UnholdTicket{"A002"}, ErrorCode::kWrongTicketState, at(kLater))) << "waiting";
  EXPECT_TRUE(refused(UnholdTicket{"B001"}, ErrorCode::kWrongTicketState, at(kLater))) << "serving";
  ok(SkipTicket{"w1"}, at(kLater));
  EXPECT_TRUE(refused(UnholdTicket{"A001"}, ErrorCode::kWrongTicketState, at(kLater))) << "no-show";
}

// ------------------------------------------------------------ evaluate / cancel

TEST_F(RefusalTest, EvaluateRefusals) {
  for (int level : {6, -1, 100, 255})
    EXPECT_TRUE(refused(Evaluate{"B001", level, ""}, ErrorCode::kBadArgument, at(kLater))) << level;
  EXPECT_TRUE(refused(Evaluate{"B009", 5, ""}, ErrorCode::kUnknownTicket, at(kLater)));
  EXPECT_TRUE(refused(Evaluate{"A002", 5, ""}, ErrorCode::kWrongTicketState, at(kLater))) << "waiting";
  EXPECT_TRUE(refused(Evaluate{"A001", 5, ""}, ErrorCode::kWrongTicketState, at(kLater))) << "called";
  EXPECT_TRUE(refused(Evaluate{"B001", 5, ""}, ErrorCode::kWrongTicketState, at(kLater))) << "serving";
  ok(Finish{"w2"}, at(kLater));
  EXPECT_TRUE(refused(Evaluate{"B001", 5, "w1"}, ErrorCode::kWrongWindow, at(kLater))) << "wrong window";
  EXPECT_TRUE(refused(Evaluate{"B001", 5, "w9"}, ErrorCode::kUnknownWindow, at(kLater)));
  EXPECT_TRUE(refused(Evaluate{"B001", 7, "w2"}, ErrorCode::kBadArgument, at(kLater)));
  ok(Evaluate{"B001", 3, "w2"}, at(kLater));
  EXPECT_TRUE(refused(Evaluate{"B001", 5, "w2"}, ErrorCode::kAlreadyRated, at(kLater)));
  EXPECT_TRUE(refused(Evaluate{"B001", 3, ""}, ErrorCode::kAlreadyRated, at(kLater)));
  EXPECT_EQ(ticket("B001").rating, 3);
}

TEST_F(RefusalTest, EvaluateLeftOrNoShowTicket) {
  ok(SkipTicket{"w1"}, at(kLater));
  EXPECT_TRUE(refused(Evaluate{"A001", 5, ""}, ErrorCode::kWrongTicketState, at(kLater))) << "no-show";
  ok(Cancel{"A002"}, at(kLater));
  EXPECT_TRUE(refused(Evaluate{"A002", 5, ""}, ErrorCode::kWrongTicketState, at(kLater))) << "left";
}

TEST_F(RefusalTest, CancelRefusals) {
  EXPECT_TRUE(refused(Cancel{"C009"}, ErrorCode::kUnknownTicket, at(kLater)));
  EXPECT_TRUE(refused(Cancel{"A001"}, ErrorCode::kWrongTicketState, at(kLater))) << "called";
  EXPECT_TRUE(refused(Cancel{"B001"}, ErrorCode::kWrongTicketState, at(kLater))) << "serving";
  ok(Finish{"w2"}, at(kLater));
  EXPECT_TRUE(refused(Cancel{"B001"}, ErrorCode::kWrongTicketState, at(kLater))) << "done";
  ok(Evaluate{"B001", 5, ""}, at(kLater));
  EXPECT_TRUE(refused(Cancel{"B001"}, ErrorCode::kWrongTicketState, at(kLater))) << "rated";
  ok(Cancel{"A002"}, at(kLater));
  EXPECT_TRUE(refused(Cancel{"A002", LeaveReason::kGaveUp}, ErrorCode::kWrongTicketState, at(kLater)))
      << "left";
}

// ------------------------------------------------------------ request ids

TEST_F(RefusalTest, RequestIdTooLong) {
  const std::string too_long(kMaxRequestIdLength + 1, 'r');
  EXPECT_TRUE(refused(IssueTicket{"social"}, ErrorCode::kBadArgument, at(kLater), too_long));
  EXPECT_TRUE(refused(Tick{}, ErrorCode::kBadArgument, at(kLater), too_long));
  const std::string longest(kMaxRequestIdLength, 'r');
  ok(IssueTicket{"social"}, at(kLater), longest);
  ASSERT_NE(hall_->find_request(longest), nullptr);
  EXPECT_EQ(hall_->find_request(longest)->first_seq, hall_->seq());
}

TEST_F(RefusalTest, RefusedCommandsAreNotRemembered) {
  EXPECT_TRUE(refused(CallNext{"w1"}, ErrorCode::kWindowBusy, at(kLater), "r1"));
  EXPECT_EQ(hall_->find_request("r1"), nullptr);
  // The same id may then be used by an accepted command.
  ok(SkipTicket{"w1"}, at(kLater), "r1");
  ASSERT_NE(hall_->find_request("r1"), nullptr);
  EXPECT_EQ(hall_->find_request("r1")->first_seq, hall_->seq());
  EXPECT_EQ(hall_->find_request("r1")->count, 1u);
}

// A refusal leaves the clock alone, whatever `now` it came with.
TEST_F(RefusalTest, RefusalsDoNotMoveTheClock) {
  const TimeUs clock = hall_->clock();
  EXPECT_TRUE(refused(CallNext{"w9"}, ErrorCode::kUnknownWindow, at(120)));
  EXPECT_TRUE(refused(CallNext{"w9"}, ErrorCode::kUnknownWindow, at(-120)));
  EXPECT_EQ(hall_->clock(), clock);
}

}  // namespace
}  // namespace hallq::test
