// The planner on the core's test hall (tests/support/test_hall.h), driven by
// hand with its own clock: who has a phone (a checked-in booking, a remote
// ticket), `near` by people ahead and by predicted minutes (only a drop; for
// a remote ticket not yet checked in, whatever it was), `called` with the
// window's number from a call, recalls and done keys planned once; 已到号
// for a remote ticket whose turn came before it checked in.
#include "adapters/notify/reminder_planner.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "engine/core/calendar.h"
#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using notify::CallSeen;
using notify::Reminder;
using notify::ReminderKind;

const std::string kAnn = std::string(48, '0') + "0123456789abcdef";
const std::string kBob = std::string(32, 'f') + "fedcba9876543210fedcba9876543210";
constexpr int k1000 = 10 * 60;

class ReminderPlannerTest : public HallFixture {
 protected:
  void SetUp() override {
    build([](HallConfig& c) {
      AppointmentConfig a;
      a.service = kCivil;
      a.slot_min = 30;
      a.capacity = 4;
      a.hours = {{9 * 60, 12 * 60}};
      a.check_in_before_min = 30;
      a.check_in_after_min = 10;
      c.appointments = {a};
    });
    std::string error;
    near_ = *notify::MessageTemplate::parse("{number}号前面还有{ahead}人，约{minutes}分钟",
                                            notify::kNearPlaceholders, error);
    called_ =
        *notify::MessageTemplate::parse("请{number}号到{window}号窗口", notify::kCalledPlaceholders, error);
    turn_ = *notify::MessageTemplate::parse("{number}号已到号，请于{deadline}前签到（签到码{code}）",
                                            notify::kTurnPlaceholders, error);
  }

  // Books civil at 10:00 and checks in at 09:30: the appointment ticket's number.
  std::string book_and_check_in(const std::string& person, std::string_view phone) {
    std::uint32_t code = 0;
    for (const Event& e : ok(Book{"civil", kDay, k1000, person, phone, 0}, at(29)))
      if (const auto* made = std::get_if<BookingMade>(&e.body)) code = made->code;
    for (const Event& e : ok(CheckIn{code}, at(30)))
      if (const auto* t = std::get_if<TicketIssued>(&e.body))
        return hall_->number_of(*hall_->find_ticket(t->ticket));
    ADD_FAILURE() << "not checked in";
    return "";
  }

  std::vector<Reminder> plan(notify::NearRule rule, int threshold, double minute,
                             std::vector<CallSeen> calls = {}, bool turn = false) {
    const notify::ReminderRules rules{rule, threshold, &near_, &called_, turn ? &turn_ : nullptr};
    auto out = notify::plan_reminders(*hall_, at(minute), rules, calls, [&](std::string_view key) {
      return done_.count(std::string(key)) > 0;
    });
    for (const Reminder& r : out) done_.insert(r.key);
    return out;
  }

  std::string key(const std::string& number, const std::string& kind) const {
    return "test-hall/" + format_date(kDay) + "/" + number + "/" + kind;
  }

  // The queue: B001, B002 walk-ins (priority), then X (booking with a phone)
  // and Y (booking without one); window w2 (no. 2) serves civil alone.
  void make_queue() {
    ok(OpenWindow{"w2", ""}, at(0));
    ok(IssueTicket{"civil", Priority::kPriority}, at(20));
    ok(IssueTicket{"civil", Priority::kPriority}, at(21));
    x_ = book_and_check_in(kAnn, "13812345678");
    y_ = book_and_check_in(kBob, "");
  }

  // A civil walk-in: its number.
  std::string walk_in(double minute) {
    for (const Event& e : ok(IssueTicket{"civil"}, at(minute)))
      if (const auto* t = std::get_if<TicketIssued>(&e.body))
        return hall_->number_of(*hall_->find_ticket(t->ticket));
    return "";
  }

  notify::MessageTemplate near_, called_, turn_;
  std::set<std::string> done_;
  std::string x_, y_;
};

TEST_F(ReminderPlannerTest, NearByPeopleThenCalledWithTheWindowOnlyForThePhone) {
  make_queue();
  EXPECT_EQ(ticket(x_).ahead_at_issue, 2u);
  EXPECT_TRUE(plan(notify::NearRule::kPeople, 1, 30).empty());

  EXPECT_EQ(call_next("w2", at(31)), "B001");
  auto r = plan(notify::NearRule::kPeople, 1, 31);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, ReminderKind::kNear);
  EXPECT_EQ(r[0].phone, "13812345678");
  EXPECT_EQ(r[0].number, x_);
  EXPECT_EQ(r[0].ahead, 1u);
  EXPECT_EQ(r[0].key, key(x_, "near"));
  EXPECT_EQ(r[0].text.substr(0, r[0].text.find("约")), x_ + "号前面还有1人，");
  EXPECT_TRUE(plan(notify::NearRule::kPeople, 1, 31).empty()) << "planned twice";

  ok(StartService{"w2"}, at(32));
  ok(Finish{"w2"}, at(40));
  EXPECT_EQ(serve_next("w2", at(40)), "B002");
  EXPECT_EQ(call_next("w2", at(48)), x_);
  r = plan(notify::NearRule::kPeople, 1, 48);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, ReminderKind::kCalled);
  EXPECT_EQ(r[0].window, 2);
  EXPECT_EQ(r[0].text, "请" + x_ + "号到2号窗口");
  EXPECT_EQ(r[0].key, key(x_, "called"));
  ok(Recall{"w2"}, at(49));
  EXPECT_TRUE(plan(notify::NearRule::kPeople, 1, 49).empty()) << "a recall is the same kind";

  // Y, a booking without a phone, is called next: nothing.
  ok(StartService{"w2"}, at(50));
  ok(Finish{"w2"}, at(55));
  EXPECT_EQ(call_next("w2", at(55)), y_);
  EXPECT_TRUE(plan(notify::NearRule::kPeople, 1, 55).empty());
}

TEST_F(ReminderPlannerTest, ACallSeenInTheEventsCountsWhenTheTicketIsAlreadyAtTheCounter) {
  make_queue();
  serve_next("w2", at(31));
  serve_next("w2", at(32));
  EXPECT_EQ(call_next("w2", at(33)), x_);
  const auto* called = std::get_if<TicketCalled>(&last_.back().body);
  ASSERT_NE(called, nullptr);
  const CallSeen seen{called->ticket, called->window};
  ok(StartService{"w2"}, at(33));  // in the same batch of events as the call
  const auto r = plan(notify::NearRule::kPeople, 1, 33, {seen});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, ReminderKind::kCalled);
  EXPECT_EQ(r[0].window, 2);
}

TEST_F(ReminderPlannerTest, NearByPredictedMinutesOnlyOnceTheWaitDropsToThem) {
  make_queue();
  const int at_issue_s = ticket(x_).predicted_wait_s;
  ASSERT_GT(at_issue_s, 12 * 60) << "two people ahead of 10 minutes each";
  EXPECT_TRUE(plan(notify::NearRule::kMinutes, 12, 30).empty());
  EXPECT_EQ(call_next("w2", at(31)), "B001");
  ok(StartService{"w2"}, at(31));
  EXPECT_TRUE(plan(notify::NearRule::kMinutes, 12, 31).empty()) << "B001 at the counter, B002 next: ~20 min";
  ok(Finish{"w2"}, at(41));
  EXPECT_EQ(call_next("w2", at(41)), "B002");
  ok(StartService{"w2"}, at(41));
  const auto r = plan(notify::NearRule::kMinutes, 12, 41);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, ReminderKind::kNear);
  EXPECT_GE(r[0].minutes, 1);
  EXPECT_LE(r[0].minutes, 12);
  EXPECT_EQ(r[0].text, x_ + "号前面还有0人，约" + std::to_string(r[0].minutes) + "分钟");
}

TEST_F(ReminderPlannerTest, ACheckInAlreadyNearTheFrontGetsNoNear) {
  ok(OpenWindow{"w2", ""}, at(0));
  x_ = book_and_check_in(kAnn, "13812345678");  // nobody ahead
  EXPECT_TRUE(plan(notify::NearRule::kPeople, 3, 30).empty());
  EXPECT_EQ(call_next("w2", at(31)), x_);
  const auto r = plan(notify::NearRule::kPeople, 3, 31);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, ReminderKind::kCalled);
}

// A remote ticket (网上取号) with a phone, not checked in: told to come once
// the people its line calls before it drop to the threshold (counted by
// hand here: the walk-ins issued before it), even though it was never
// further at issue than it is; one without a phone gets nothing. Checked in,
// it is called like any other and told the window; `near` is not sent again.
TEST_F(ReminderPlannerTest, ARemoteTicketAwayFromTheHallIsToldToComeThenCalled) {
  build([](HallConfig& c) { c.remote = {RemoteConfig{kCivil, {{9 * 60, 16 * 60}}, 10, 15}}; });
  ok(OpenWindow{"w2", ""}, at(0));
  EXPECT_EQ(walk_in(1), "B001");
  EXPECT_EQ(walk_in(2), "B002");
  std::string remote, silent;
  std::uint32_t code = 0;
  for (const Event& e : ok(IssueRemote{"civil", kAnn, "13812345678", 1}, at(3)))
    if (const auto* r = std::get_if<RemoteTicketIssued>(&e.body)) {
      remote = hall_->number_of(*hall_->find_ticket(r->ticket));
      code = r->code;
    }
  for (const Event& e : ok(IssueRemote{"civil", kBob, "", 2}, at(4)))
    if (const auto* r = std::get_if<RemoteTicketIssued>(&e.body))
      silent = hall_->number_of(*hall_->find_ticket(r->ticket));
  ASSERT_EQ(remote, "B003");
  ASSERT_EQ(silent, "B004");
  EXPECT_EQ(walk_in(5), "B005");  // a walk-in after both: not ahead of them

  EXPECT_TRUE(plan(notify::NearRule::kPeople, 1, 5).empty()) << "two walk-ins ahead";
  EXPECT_EQ(call_next("w2", at(6)), "B001");
  auto r = plan(notify::NearRule::kPeople, 1, 6);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, ReminderKind::kNear);
  EXPECT_EQ(r[0].number, remote);
  EXPECT_EQ(r[0].phone, "13812345678");
  EXPECT_EQ(r[0].ahead, 1u);  // B002
  EXPECT_EQ(r[0].key, key(remote, "near"));
  EXPECT_EQ(r[0].text.substr(0, r[0].text.find("约")), remote + "号前面还有1人，");
  EXPECT_TRUE(plan(notify::NearRule::kPeople, 1, 6).empty()) << "planned twice";

  ok(CheckIn{code}, at(7));
  EXPECT_TRUE(plan(notify::NearRule::kPeople, 1, 7).empty()) << "near again after check-in";
  ok(StartService{"w2"}, at(7));
  ok(Finish{"w2"}, at(9));
  EXPECT_EQ(serve_next("w2", at(9)), "B002");
  EXPECT_EQ(call_next("w2", at(15)), remote);
  r = plan(notify::NearRule::kPeople, 1, 15);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, ReminderKind::kCalled);
  EXPECT_EQ(r[0].text, "请" + remote + "号到2号窗口");
}

// By minutes, a remote ticket away from the hall: its predicted wait had it
// checked in now, the forecast its phone's page shows (predict::Forecast::
// awaiting), worked by hand: civil takes 10 minutes (no history yet: the
// config's), one window. Before, the notifier reckoned the people ahead times
// 10 minutes over the open windows, which forgot the window still busy with
// the ticket it had just called (20 minutes where 30 are to come).
TEST_F(ReminderPlannerTest, ARemoteTicketAwayIsToldByTheForecastItsPageShows) {
  build([](HallConfig& c) { c.remote = {RemoteConfig{kCivil, {{9 * 60, 16 * 60}}, 10, 15}}; });
  ok(OpenWindow{"w2", ""}, at(0));
  for (int i = 0; i < 3; ++i) walk_in(1 + i);
  ok(IssueRemote{"civil", kAnn, "13812345678", 1}, at(5));
  ASSERT_EQ(hall_->mean_handle_s(kCivil), 600);
  // w2 idle: B001 now, B002 at +10, B003 at +20, the remote ticket at +30.
  EXPECT_TRUE(plan(notify::NearRule::kMinutes, 25, 5).empty()) << "30 minutes";
  // B001 just called: w2 is expected to be busy 10 more minutes, so still 30.
  EXPECT_EQ(call_next("w2", at(6)), "B001");
  EXPECT_TRUE(plan(notify::NearRule::kMinutes, 25, 6).empty()) << "30 minutes, not 2 x 10";
  // B001 in service since 6: at 11, 5 of its 10 minutes remain; then B002,
  // B003: the remote ticket at +25.
  ok(StartService{"w2"}, at(6));
  const auto r = plan(notify::NearRule::kMinutes, 25, 11);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].ahead, 2u);
  EXPECT_EQ(r[0].minutes, 25);
  EXPECT_EQ(r[0].text, "B004号前面还有2人，约25分钟");
}

// No open window would call it (w2 closed): no forecast; by people, those
// its line calls before it (the two walk-ins issued before it), no minutes.
TEST_F(ReminderPlannerTest, ARemoteTicketNoWindowCallsIsToldByPeopleOnly) {
  build([](HallConfig& c) { c.remote = {RemoteConfig{kCivil, {{9 * 60, 16 * 60}}, 10, 15}}; });
  walk_in(1);
  walk_in(2);
  ok(IssueRemote{"civil", kAnn, "13812345678", 1}, at(5));
  EXPECT_TRUE(plan(notify::NearRule::kMinutes, 600, 5).empty()) << "no minutes without a forecast";
  const auto r = plan(notify::NearRule::kPeople, 2, 5);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].ahead, 2u);
  EXPECT_EQ(r[0].minutes, -1);
  EXPECT_EQ(r[0].text, "B003号前面还有2人，约-分钟");
}

// Its turn came (a walk-in issued after it was called first) while its
// citizen was away: 已到号 with the end of its 15 minutes' grace, worked by
// hand (called at 09:20, so 09:35), and its code; once; never for the remote
// ticket without a phone; and not at all when the config has no [turn].
TEST_F(ReminderPlannerTest, ARemoteTicketWhoseTurnCameIsToldToComeByItsDeadline) {
  build([](HallConfig& c) { c.remote = {RemoteConfig{kCivil, {{9 * 60, 16 * 60}}, 10, 15}}; });
  ok(OpenWindow{"w2", ""}, at(0));
  std::uint32_t code = 0;
  for (const Event& e : ok(IssueRemote{"civil", kAnn, "13812345678", 1}, at(1)))
    if (const auto* r = std::get_if<RemoteTicketIssued>(&e.body)) code = r->code;
  ok(IssueRemote{"civil", kBob, "", 2}, at(2));
  EXPECT_EQ(walk_in(3), "B003");
  EXPECT_EQ(plan(notify::NearRule::kPeople, 0, 3, {}, true).size(), 1u) << "near: nobody ahead of B001";
  // B001 and B002 are away; B003, issued after them, is called first.
  const std::vector<Event> ev = ok(CallNext{"w2"}, at(20));
  ASSERT_FALSE(ev.empty());
  const auto* called = std::get_if<TicketCalled>(&ev.front().body);
  ASSERT_NE(called, nullptr);
  EXPECT_EQ(hall_->number_of(*hall_->find_ticket(called->ticket)), "B003");
  auto r = plan(notify::NearRule::kPeople, 0, 20);
  EXPECT_TRUE(r.empty()) << "no [turn]: nothing for a turn that came";
  r = plan(notify::NearRule::kPeople, 0, 20, {}, true);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].kind, ReminderKind::kTurn);
  EXPECT_EQ(r[0].phone, "13812345678");
  EXPECT_EQ(r[0].key, key("B001", "turn"));
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06u", code);
  EXPECT_EQ(r[0].text, std::string("B001号已到号，请于09:35前签到（签到码") + digits + "）");
  EXPECT_TRUE(plan(notify::NearRule::kPeople, 0, 21, {}, true).empty()) << "planned twice";
}

}  // namespace
}  // namespace hallq::test
