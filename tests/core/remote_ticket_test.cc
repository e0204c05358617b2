// Remote tickets (网上取号, issue 20) in the core: IssueRemote keeps the place
// of the moment the ticket was taken, check-in puts it there, a turn that came
// before check-in starts the grace and then drops it, the daily quota, one
// active ticket per person, the remote-call share cap, and every refusal
// (which changes nothing). The fixture's teardown also folds the whole log
// into a fresh hall and compares the states.
#include "engine/core/remote_ticket.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

// Hashes of ID numbers (64 hex digits).
const std::string kAnn = std::string(48, '0') + "0123456789abcdef";
const std::string kBob = std::string(32, 'f') + "fedcba9876543210fedcba9876543210";
const std::string kCat = std::string(63, '0') + "1";

class RemoteTicketTest : public HallFixture {
 protected:
  void SetUp() override { with_remote(); }
  // civil ("B", served by w2 alone at level 1) takes remote tickets 09:00-16:00.
  void with_remote(int quota = 5, double share = 1.0) {
    build([&](HallConfig& c) {
      RemoteConfig r;
      r.service = kCivil;
      r.hours = {{9 * 60, 16 * 60}};
      r.daily_quota = quota;
      r.grace_min = 15;
      c.remote = {r};
      c.rules.remote_call_share = share;
    });
  }
  struct Taken {
    TicketId ticket = 0;
    std::uint32_t code = 0;
  };
  Taken take(std::string_view person, TimeUs now, std::uint32_t nonce = 0) {
    for (const Event& e : ok(IssueRemote{"civil", person, "", nonce}, now))
      if (const auto* r = std::get_if<RemoteTicketIssued>(&e.body)) return {r->ticket, r->code};
    ADD_FAILURE() << "no remote ticket issued";
    return {};
  }
  TicketId walk_in(TimeUs now) {
    auto ev = ok(IssueTicket{"civil"}, now);
    return ev.empty() ? 0 : std::get<TicketIssued>(ev.back().body).ticket;
  }
  // w2 calls next; the ticket it called.
  TicketId call(TimeUs now) {
    for (const Event& e : ok(CallNext{"w2"}, now))
      if (const auto* c = std::get_if<TicketCalled>(&e.body)) return c->ticket;
    return 0;
  }
  void serve(TimeUs now) {
    ok(StartService{"w2"}, now);
    ok(Finish{"w2"}, now);
  }
  TicketState state_of(TicketId id) { return hall_->find_ticket(id)->state; }
};

TEST_F(RemoteTicketTest, KeepsItsPlaceAndCheckInPutsItThere) {
  const TicketId b1 = walk_in(at(0));
  auto ev = ok(IssueRemote{"civil", kAnn, "13800138000", 7}, at(1));
  ASSERT_EQ(ev.size(), 1u);
  const auto& issued = std::get<RemoteTicketIssued>(ev[0].body);
  EXPECT_EQ(issued.number, 2u) << "numbered at once: B002";
  EXPECT_EQ(issued.code, 100'007u) << "code from the nonce, as bookings";
  EXPECT_EQ(issued.person, kAnn);
  EXPECT_EQ(issued.phone, "13800138000");
  const TicketId b2 = issued.ticket;
  EXPECT_EQ(hall_->number_of(*hall_->find_ticket(b2)), "B002");
  EXPECT_EQ(state_of(b2), TicketState::kNotArrived);
  EXPECT_EQ(hall_->waiting(kCivil), 1u) << "not in the line: no policy sees it";
  const TicketId b3 = walk_in(at(2));
  // The forecast keeps its place (engine/predict/forecast.h): at the prior
  // check-in share (0.8, none decided yet) B002 is counted as coming.
  EXPECT_EQ(std::get<TicketIssued>(log_.back().body).ahead, 2u) << "the walk-in counts B001 and B002 ahead";

  ev = ok(CheckIn{issued.code}, at(5));
  EXPECT_TRUE(bodies_are(ev, {RemoteCheckedIn{b2}}));
  EXPECT_EQ(state_of(b2), TicketState::kWaiting);
  EXPECT_EQ(hall_->find_ticket(b2)->queue_key, at(1)) << "its original key: the moment it was taken";
  EXPECT_EQ(hall_->find_remote(b2)->state, RemoteState::kCheckedIn);
  EXPECT_TRUE(refused(CheckIn{issued.code}, ErrorCode::kWrongTicketState, at(6))) << "twice";

  ok(OpenWindow{"w2", ""}, at(10));
  EXPECT_EQ(call(at(10)), b1);
  serve(at(11));
  EXPECT_EQ(call(at(12)), b2) << "ahead of B003, taken before it, though checked in after";
  serve(at(13));
  EXPECT_EQ(call(at(14)), b3);
}

TEST_F(RemoteTicketTest, TurnPassedStartsGraceThenDroppedAsNotArrived) {
  const TicketId b1 = walk_in(at(0));
  const Taken r = take(kAnn, at(1));
  const TicketId b3 = walk_in(at(2));
  ok(OpenWindow{"w2", ""}, at(3));
  auto ev = ok(CallNext{"w2"}, at(3));
  EXPECT_TRUE(bodies_are(ev, {TicketCalled{b1, kW2}})) << "B001 was before it: its turn has not come";
  serve(at(4));
  ev = ok(CallNext{"w2"}, at(5));
  EXPECT_TRUE(bodies_are(ev, {TicketCalled{b3, kW2}, RemoteTurnCame{r.ticket, at(5) + 15 * kUsPerMinute}}))
      << "B003, taken after it, is called: its turn came; 15 minutes of grace";
  EXPECT_EQ(state_of(r.ticket), TicketState::kNotArrived);
  EXPECT_TRUE(ok(Tick{}, at(20)).empty()) << "the last moment of grace";
  ev = ok(Tick{}, at(20.01));
  EXPECT_TRUE(bodies_are(ev, {RemoteMissed{r.ticket}}));
  EXPECT_EQ(state_of(r.ticket), TicketState::kNoShow) << "counted like a no-show";
  EXPECT_EQ(hall_->find_remote(r.ticket)->state, RemoteState::kDropped);
  EXPECT_TRUE(refused(CheckIn{r.code}, ErrorCode::kNotCheckInTime, at(21)));
  EXPECT_TRUE(refused(Reactivate{"B002"}, ErrorCode::kWrongTicketState, at(21)));
  // Dropped, the person may take a new one.
  take(kAnn, at(22));
}

TEST_F(RemoteTicketTest, CheckedInWithinGraceIsNext) {
  walk_in(at(0));
  const Taken r = take(kAnn, at(1));
  walk_in(at(2));
  const TicketId b4 = walk_in(at(3));
  ok(OpenWindow{"w2", ""}, at(4));
  call(at(4));
  serve(at(5));
  call(at(6));  // B003: B002's turn came
  ASSERT_NE(hall_->find_remote(r.ticket)->grace_until, 0);
  EXPECT_TRUE(bodies_are(ok(CheckIn{r.code}, at(16)), {RemoteCheckedIn{r.ticket}}));
  serve(at(17));
  EXPECT_EQ(call(at(18)), r.ticket) << "its original place: before B004";
  serve(at(19));
  EXPECT_EQ(call(at(20)), b4);
  EXPECT_TRUE(ok(Tick{}, at(60)).empty()) << "called: never dropped";
}

TEST_F(RemoteTicketTest, DailyQuotaAndOnePerPerson) {
  with_remote(2);
  const Taken a = take(kAnn, at(0), 1);
  EXPECT_TRUE(refused(IssueRemote{"civil", kAnn, "", 2}, ErrorCode::kAlreadyBooked, at(1)))
      << "one active remote ticket per person and hall";
  ok(CheckIn{a.code}, at(2));
  EXPECT_TRUE(refused(IssueRemote{"civil", kAnn, "", 2}, ErrorCode::kAlreadyBooked, at(3)))
      << "checked in and waiting is still active";
  take(kBob, at(4), 2);
  EXPECT_TRUE(refused(IssueRemote{"civil", kCat, "", 3}, ErrorCode::kLimitReached, at(5))) << "quota 2";
  EXPECT_EQ(walk_in(at(6)), a.ticket + 2) << "walk-ins are not held by the remote quota";
}

TEST_F(RemoteTicketTest, FinishedOrCancelledFreesThePerson) {
  const Taken a = take(kAnn, at(0));
  ok(Cancel{"B001"}, at(1));
  EXPECT_EQ(state_of(a.ticket), TicketState::kLeft);
  EXPECT_TRUE(refused(CheckIn{a.code}, ErrorCode::kWrongTicketState, at(2)));
  take(kAnn, at(3));
}

TEST_F(RemoteTicketTest, EveryWrongRequestIsRefused) {
  EXPECT_TRUE(refused(IssueRemote{"nothing", kAnn, "", 0}, ErrorCode::kUnknownService, at(0)));
  EXPECT_TRUE(refused(IssueRemote{"social", kAnn, "", 0}, ErrorCode::kBadArgument, at(0)))
      << "social takes no remote tickets";
  for (const std::string& person : {std::string(), std::string("110101199003077777"),
                                    std::string(48, '0') + "0123456789ABCDEF", kAnn + "0"})
    EXPECT_TRUE(refused(IssueRemote{"civil", person, "", 0}, ErrorCode::kBadArgument, at(0))) << person;
  for (std::string_view phone : {"1380013800", "23800138000", "+8613800138000"})
    EXPECT_TRUE(refused(IssueRemote{"civil", kAnn, phone, 0}, ErrorCode::kBadArgument, at(0))) << phone;
  EXPECT_TRUE(refused(IssueRemote{"civil", kAnn, "", 0}, ErrorCode::kNotCheckInTime, at(-1)))
      << "08:59: before the remote hours";
  EXPECT_TRUE(refused(IssueRemote{"civil", kAnn, "", 0}, ErrorCode::kNotCheckInTime, at(7 * 60)))
      << "16:00: after them";
  EXPECT_TRUE(refused(CheckIn{123'456}, ErrorCode::kUnknownBooking, at(1)));
}

TEST_F(RemoteTicketTest, CodesAvoidBookingsAndEachOther) {
  build([](HallConfig& c) {
    c.remote = {RemoteConfig{kCivil, {{9 * 60, 16 * 60}}, 5, 15}};
    AppointmentConfig a;
    a.service = kCivil;
    a.hours = {{9 * 60, 12 * 60}};
    a.capacity = 5;
    c.appointments = {a};
  });
  ok(Book{"civil", kDay, 10 * 60, kCat, "", 5}, at(0));  // code 100005
  EXPECT_EQ(take(kAnn, at(1), 5).code, 100'006u);
  EXPECT_EQ(take(kBob, at(2), 5).code, 100'007u);
}

TEST_F(RemoteTicketTest, ShareCapLetsWalkInsGoFirst) {
  with_remote(5, 0.5);
  const Taken r1 = take(kAnn, at(0));
  const Taken r2 = take(kBob, at(1));
  const TicketId w1 = walk_in(at(2));
  const TicketId w2 = walk_in(at(3));
  ok(CheckIn{r1.code}, at(4));
  ok(CheckIn{r2.code}, at(4));
  ok(OpenWindow{"w2", ""}, at(5));
  // Calls so far (remote, all) -> a remote head is called only if (remote+1) <= 0.5 (all+1).
  EXPECT_EQ(call(at(5)), w1) << "(0, 0): a remote first call would be 100%";
  serve(at(6));
  EXPECT_EQ(call(at(7)), r1.ticket) << "(0, 1): 1 of 2 is at the cap";
  serve(at(8));
  EXPECT_EQ(call(at(9)), w2) << "(1, 2): 2 of 3 would be over it";
  serve(at(10));
  EXPECT_EQ(call(at(11)), r2.ticket) << "(1, 3): 2 of 4";
  EXPECT_EQ(hall_->calls_today(), 4u);
  EXPECT_EQ(hall_->remote_calls_today(), 2u);
}

TEST_F(RemoteTicketTest, ShareCapYieldsOnlyToAWalkIn) {
  with_remote(5, 0.3);
  const Taken r1 = take(kAnn, at(0));
  ok(CheckIn{r1.code}, at(1));
  ok(OpenWindow{"w2", ""}, at(2));
  EXPECT_EQ(call(at(2)), r1.ticket) << "no walk-in waits: the remote ticket is called";
}

TEST_F(RemoteTicketTest, NotArrivedExpiresAtTheDailyReset) {
  const Taken r = take(kAnn, at(0));
  ok(Tick{}, at(16 * 60));  // 01:00 the next day
  EXPECT_TRUE(hall_->remotes().empty());
  EXPECT_TRUE(refused(CheckIn{r.code}, ErrorCode::kUnknownBooking, at(16 * 60 + 1)));
}

TEST(RemoteConfigTest, BrokenValuesNameTheKey) {
  auto problem_of = [](const ConfigTweak& tweak) {
    auto c = std::make_shared<HallConfig>();
    *c = *make_config();
    tweak(*c);
    auto p = c->validate_and_index();
    return p ? p->section + "." + p->key : std::string("none");
  };
  const RemoteConfig good{kCivil, {{9 * 60, 16 * 60}}, 50, 15};
  EXPECT_EQ(problem_of([&](HallConfig& c) { c.remote = {good}; }), "none");
  EXPECT_EQ(problem_of([&](HallConfig& c) {
              c.remote = {good};
              c.remote[0].daily_quota = 0;
            }),
            "service.remote.daily_quota");
  EXPECT_EQ(problem_of([&](HallConfig& c) {
              c.remote = {good};
              c.remote[0].grace_min = 241;
            }),
            "service.remote.grace_min");
  EXPECT_EQ(problem_of([&](HallConfig& c) {
              c.remote = {good};
              c.remote[0].hours = {{16 * 60, 9 * 60}};
            }),
            "service.remote.hours");
  EXPECT_EQ(problem_of([&](HallConfig& c) { c.rules.remote_call_share = 0; }), "rules.remote_call_share");
  EXPECT_EQ(problem_of([&](HallConfig& c) { c.rules.remote_call_share = 1.5; }), "rules.remote_call_share");
}

}  // namespace
}  // namespace hallq::test
