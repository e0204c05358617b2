// The forecast with remote tickets not checked in (网上取号, issue 20): their
// places count ahead of those behind them, weighted by the hall's check-in
// share of remote tickets (engine/predict/check_in_share.h), and each one's
// own forecast is its call had it checked in now. Expectations are worked by
// hand from the test hall: civil ("B", 10 min with no history) is served at
// level 1 by w2 alone; only w2 is open, so one window calls B every 600 s.
#include <gtest/gtest.h>

#include <string>

#include "engine/predict/check_in_share.h"
#include "engine/predict/forecast.h"
#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

class RemoteForecastTest : public HallFixture {
 protected:
  void SetUp() override { with_remote(1.0); }
  void with_remote(double share_cap) {
    build([&](HallConfig& c) {
      RemoteConfig r;
      r.service = kCivil;
      r.hours = {{9 * 60, 16 * 60}};
      r.daily_quota = 20;
      r.grace_min = 15;
      c.remote = {r};
      c.rules.remote_call_share = share_cap;
    });
    ok(OpenWindow{"w2", ""}, at(0));
  }
  // A remote ticket of civil taken by person `n` (a distinct ID hash each).
  TicketId take(int n, TimeUs now) {
    const std::string person = fmt::format("{:064x}", n + 1);
    for (const Event& e : ok(IssueRemote{"civil", person, "", static_cast<std::uint32_t>(n)}, now))
      if (const auto* r = std::get_if<RemoteTicketIssued>(&e.body)) return r->ticket;
    ADD_FAILURE() << "no remote ticket issued";
    return 0;
  }
  TicketId walk_in(TimeUs now) {
    auto ev = ok(IssueTicket{"civil"}, now);
    return std::get<TicketIssued>(ev.back().body).ticket;
  }
  std::uint32_t code_of(TicketId id) { return hall_->find_remote(id)->code; }
};

TEST(CheckInShareTest, CountedInPlayRoundsTheRunningSum) {
  using predict::counted_in_play;
  EXPECT_EQ(counted_in_play({0.8}), (std::vector<bool>{true}));                          // round(0.8) = 1
  EXPECT_EQ(counted_in_play({0.8, 0.8}), (std::vector<bool>{true, true}));               // 1, round(1.6) = 2
  EXPECT_EQ(counted_in_play({0.3, 0.3, 0.3}), (std::vector<bool>{false, true, false}));  // 0, 1, 1
  EXPECT_EQ(counted_in_play({0.4, 0.4, 0.4, 0.4}), (std::vector<bool>{false, true, false, true}));  // 0,1,1,2
  EXPECT_EQ(counted_in_play({1, 0, 1}), (std::vector<bool>{true, false, true}));
  EXPECT_TRUE(counted_in_play({}).empty());
}

TEST_F(RemoteForecastTest, TheShareStartsAtThePriorAndLearnsFromTheDay) {
  predict::CheckInShare s = predict::check_in_share(*hall_);
  EXPECT_DOUBLE_EQ(s.before_turn, 0.8);
  EXPECT_DOUBLE_EQ(s.in_grace, 0.5);
  // Two check in, one is cancelled before check-in, one stays undecided.
  const TicketId r1 = take(1, at(1)), r2 = take(2, at(2)), r3 = take(3, at(3));
  take(4, at(4));
  ok(CheckIn{code_of(r1)}, at(5));
  ok(CheckIn{code_of(r2)}, at(5));
  ok(Cancel{hall_->number_of(*hall_->find_ticket(r3))}, at(5));
  s = predict::check_in_share(*hall_);
  EXPECT_DOUBLE_EQ(s.before_turn, (2 + 0.8 * 4) / (3 + 4.0));
  EXPECT_DOUBLE_EQ(s.in_grace, 0.5) << "no turn came before check-in yet";
}

// The brief's case: one window, 600 s per ticket, two remote tickets not
// checked in ahead of a walk-in; at the prior share 0.8 both are counted
// (round(0.8) = 1, round(1.6) = 2), so the walk-in waits for both.
TEST_F(RemoteForecastTest, AWalkInBehindTwoRemoteTicketsWaitsForThem) {
  const TicketId r1 = take(1, at(1)), r2 = take(2, at(2));
  const TicketId w = walk_in(at(3));
  // At issue: r1 called at 0, r2 at 600, the walk-in at 1200 (without them: 0).
  EXPECT_EQ(hall_->find_ticket(w)->predicted_wait_s, 1200);
  EXPECT_EQ(hall_->find_ticket(w)->ahead_at_issue, 2u);
  predict::Forecast before = predict::forecast(*hall_, at(3), {.awaiting_remotes = false});
  ASSERT_EQ(before.tickets.size(), 1u);
  EXPECT_EQ(before.tickets[0].wait_s, 0) << "the old play: the line is empty";
  EXPECT_TRUE(before.awaiting.empty());

  const predict::Forecast f = predict::forecast(*hall_, at(3));
  ASSERT_EQ(f.tickets.size(), 1u);
  EXPECT_EQ(f.tickets[0].ticket, w);
  EXPECT_EQ(f.tickets[0].ahead, 2u);
  EXPECT_EQ(f.tickets[0].wait_s, 1200);
  ASSERT_EQ(f.awaiting.size(), 2u);
  EXPECT_EQ(f.awaiting[0].ticket, r1);
  EXPECT_EQ(f.awaiting[0].ahead, 0u);
  EXPECT_EQ(f.awaiting[0].wait_s, 0);
  EXPECT_EQ(f.awaiting[1].ticket, r2);
  EXPECT_EQ(f.awaiting[1].ahead, 1u);
  EXPECT_EQ(f.awaiting[1].wait_s, 600);
  EXPECT_EQ(f.normal[kCivil].ahead, 3u);
  EXPECT_EQ(f.normal[kCivil].wait_s, 1800);
  // The predictor tells a remote ticket the same: its wait if it checked in now.
  const Prediction p = predictor_->predict(*hall_, r2, at(3));
  EXPECT_EQ(p.ahead, 1u);
  EXPECT_EQ(p.wait_s, 600);
}

// A low share: four remote tickets cancelled before check-in make it
// (0 + 3.2) / (4 + 4) = 0.4, so of two not checked in the play counts the
// second only (round(0.4) = 0, round(0.8) = 1); the first is a probe that
// takes no time, called at 0 like the second.
TEST_F(RemoteForecastTest, ALowShareCountsFewerOfThem) {
  for (int i = 0; i < 4; ++i) {
    const TicketId r = take(10 + i, at(1));
    ok(Cancel{hall_->number_of(*hall_->find_ticket(r))}, at(1));
  }
  EXPECT_DOUBLE_EQ(predict::check_in_share(*hall_).before_turn, 0.4);
  const TicketId r1 = take(1, at(2)), r2 = take(2, at(2));
  const TicketId w = walk_in(at(3));
  EXPECT_EQ(hall_->find_ticket(w)->predicted_wait_s, 600);
  EXPECT_EQ(hall_->find_ticket(w)->ahead_at_issue, 1u);
  const predict::Forecast f = predict::forecast(*hall_, at(3));
  ASSERT_EQ(f.tickets.size(), 1u);
  EXPECT_EQ(f.tickets[0].ahead, 1u);
  EXPECT_EQ(f.tickets[0].wait_s, 600);
  ASSERT_EQ(f.awaiting.size(), 2u);
  EXPECT_EQ(f.awaiting[0].ticket, r1);
  EXPECT_EQ(f.awaiting[0].wait_s, 0);
  EXPECT_EQ(f.awaiting[1].ticket, r2);
  EXPECT_EQ(f.awaiting[1].ahead, 0u);
  EXPECT_EQ(f.awaiting[1].wait_s, 0);
}

// What a remote ticket is told ("if you check in now") is what it gets once
// it checks in now: the same call in the play.
TEST_F(RemoteForecastTest, ItsOwnForecastIsWhatCheckingInNowGives) {
  walk_in(at(0));
  walk_in(at(1));
  const TicketId r = take(1, at(2));
  walk_in(at(3));
  call_next("w2", at(4));  // B001; B002, the remote B003 and B004 remain
  const predict::Forecast f = predict::forecast(*hall_, at(5));
  ASSERT_EQ(f.awaiting.size(), 1u);
  const predict::TicketForecast told = f.awaiting[0];
  EXPECT_EQ(told.ahead, 1u) << "B002";
  ok(CheckIn{code_of(r)}, at(5));
  const predict::Forecast g = predict::forecast(*hall_, at(5));
  EXPECT_TRUE(g.awaiting.empty());
  bool found = false;
  for (const predict::TicketForecast& t : g.tickets) {
    if (t.ticket != r) continue;
    found = true;
    EXPECT_EQ(t.ahead, told.ahead);
    EXPECT_EQ(t.wait_s, told.wait_s);
  }
  EXPECT_TRUE(found);
}

// The remote-call share cap is played as the hall applies it: with a cap of
// 0.3 and no call yet today, a remote ticket's first call would make the
// share 1 > 0.3, so the walk-in behind it goes first, then the remote ticket
// (1 ≤ 0.3 × 2 + 1? no: 1 > 0.6 — but no walk-in is left, so it is called).
TEST_F(RemoteForecastTest, TheRemoteCallShareCapIsPlayed) {
  with_remote(0.3);
  const TicketId r = take(1, at(1));
  const TicketId w = walk_in(at(2));
  EXPECT_EQ(hall_->find_ticket(w)->predicted_wait_s, 0) << "the cap puts it before the remote ticket";
  const predict::Forecast f = predict::forecast(*hall_, at(3));
  ASSERT_EQ(f.tickets.size(), 1u);
  EXPECT_EQ(f.tickets[0].ticket, w);
  EXPECT_EQ(f.tickets[0].wait_s, 0);
  ASSERT_EQ(f.awaiting.size(), 1u);
  EXPECT_EQ(f.awaiting[0].ticket, r);
  EXPECT_EQ(f.awaiting[0].ahead, 1u);
  EXPECT_EQ(f.awaiting[0].wait_s, 600);
  // The hall, with the remote ticket checked in, calls the walk-in first too.
  ok(CheckIn{code_of(r)}, at(3));
  EXPECT_EQ(call_next("w2", at(3)), hall_->number_of(*hall_->find_ticket(w)));
}

// Cancelled, dropped or checked in: no longer in the play as not checked in.
TEST_F(RemoteForecastTest, OnlyTicketsStillAwaitingArePlayed) {
  const TicketId r1 = take(1, at(1));
  take(2, at(1));
  ok(Cancel{hall_->number_of(*hall_->find_ticket(r1))}, at(2));
  const predict::Forecast f = predict::forecast(*hall_, at(2));
  ASSERT_EQ(f.awaiting.size(), 1u);
  EXPECT_NE(f.awaiting[0].ticket, r1);
  EXPECT_EQ(predictor_->predict(*hall_, r1, at(2)).wait_s, 0) << "cancelled: nothing to predict";
}

}  // namespace
}  // namespace hallq::test
