// The fold (ticket_facts.h) and the aggregates (aggregate.h) on hand-made
// event sequences: every outcome, A/B handover credit, transfers, holds,
// ratings including 0 (未评价), local day and hour boundaries, window time.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "engine/core/calendar.h"
#include "engine/core/event.h"
#include "engine/core/hall_config.h"
#include "engine/stats/aggregate.h"
#include "engine/stats/period.h"
#include "engine/stats/stats_builder.h"
#include "tests/stats/stats_test_hall.h"

namespace hallq::stats {
namespace {

using namespace core;

using namespace stats::test;  // kSocial, kTax, kW1, kW2, kDay (Monday 2024-03-04), make_config

class FoldTest : public ::testing::Test {
 protected:
  // Local time on kDay + day.
  TimeUs at(int h, int m, int s = 0, int day = 0) const {
    return config_->day_start(kDay + day) + ((h * 60 + m) * 60 + s) * kUsPerSecond;
  }
  void ev(TimeUs t, EventBody body) { builder_.add(Event{++seq_, t, std::move(body)}); }
  TicketId issue(TimeUs t, ServiceIdx s, Priority p = Priority::kNormal) {
    const TicketId id = next_ticket_++;
    ev(t, TicketIssued{id, s, ++numbers_[s], p, 0, 0});
    return id;
  }
  // Call, start and finish at `w`.
  void serve(TicketId id, WindowIdx w, TimeUs call, TimeUs start, TimeUs finish) {
    ev(call, TicketCalled{id, w});
    ev(start, ServiceStarted{id, w});
    ev(finish, TicketFinished{id, w});
  }
  Stats result(Period p = Period::kAll, TimeUs from = 0, TimeUs to = std::numeric_limits<TimeUs>::max(),
               TimeUs as_of = 0) const {
    return builder_.result({.period = p, .from = from, .to = to, .as_of = as_of});
  }
  std::size_t staff(const Stats& s, std::string_view id) const {
    for (std::size_t i = 0; i < s.staff_ids.size(); ++i)
      if (s.staff_ids[i] == id) return i;
    ADD_FAILURE() << "no staff " << id;
    return 0;
  }

  std::shared_ptr<HallConfig> config_ = make_config();
  StatsBuilder builder_{config_};
  Seq seq_ = 0;
  TicketId next_ticket_ = 1;
  std::uint32_t numbers_[2] = {0, 0};
};

TEST_F(FoldTest, ServedTicketsGiveWaitsHandlingAndRatings) {
  ev(at(8, 30), WindowOpened{kW1, "s1"});
  const TicketId a = issue(at(9, 0), kSocial);
  const TicketId b = issue(at(9, 1), kSocial);
  const TicketId c = issue(at(9, 2), kSocial);
  serve(a, kW1, at(9, 4), at(9, 5), at(9, 11));  // wait 4, handling 6
  ev(at(9, 11, 30), TicketEvaluated{a, 5});
  serve(b, kW1, at(9, 13), at(9, 13), at(9, 23));  // wait 12 (> 10), handling 10
  ev(at(9, 24), TicketEvaluated{b, 0});            // 未评价
  serve(c, kW1, at(9, 24), at(9, 24), at(9, 26));  // wait 22, handling 2, never asked
  ev(at(10, 0), WindowClosed{kW1});

  const Stats s = result();
  const Figures& h = s.total.hall;
  EXPECT_EQ(h.issued, 3u);
  EXPECT_EQ(h.called, 3u);
  EXPECT_EQ(h.served, 3u);
  EXPECT_DOUBLE_EQ(h.wait_mean_min, (4 + 12 + 22) / 3.0);
  EXPECT_DOUBLE_EQ(h.wait_p90_min, 22);  // sorted[min(2, int(2.7))]
  EXPECT_DOUBLE_EQ(h.wait_max_min, 22);
  EXPECT_EQ(h.over_target, 2u);
  EXPECT_DOUBLE_EQ(h.over_target_share, 2 / 3.0);
  EXPECT_DOUBLE_EQ(h.handle_mean_min, 6);
  EXPECT_DOUBLE_EQ(h.handle_p90_min, 10);
  EXPECT_EQ(h.ratings[5], 1u);
  EXPECT_EQ(h.ratings[0], 1u);
  EXPECT_EQ(h.rated, 1u);  // 未评价 is not a rating
  EXPECT_DOUBLE_EQ(h.satisfaction, 1.0);
  EXPECT_EQ(s.total.services[kSocial].served, 3u);
  EXPECT_EQ(s.total.services[kTax].issued, 0u);
  EXPECT_TRUE(std::isnan(s.total.services[kTax].wait_mean_min));
  // Window time: open 8:30-10:00 = 90 min; busy 9:04-9:11, 9:13-9:23, 9:24-9:26 = 19 min.
  EXPECT_DOUBLE_EQ(s.total.windows[kW1].open_s, 90 * 60);
  EXPECT_DOUBLE_EQ(s.total.windows[kW1].busy_s, 19 * 60);
  EXPECT_DOUBLE_EQ(s.total.windows[kW1].utilisation, 19.0 / 90);
  EXPECT_DOUBLE_EQ(s.total.staff[staff(s, "s1")].busy_s, 19 * 60);
  EXPECT_EQ(s.total.windows[kW2].served, 0u);
  EXPECT_TRUE(std::isnan(s.total.windows[kW2].utilisation));
}

TEST_F(FoldTest, EveryOutcome) {
  ev(at(8, 30), WindowOpened{kW2, "s2"});
  const TicketId served = issue(at(9, 0), kTax);
  const TicketId no_show = issue(at(9, 0), kTax);
  const TicketId back = issue(at(9, 0), kTax);  // a no-show reactivated and served
  const TicketId gave_up = issue(at(9, 0), kSocial);
  const TicketId cancelled = issue(at(9, 0), kSocial);
  const TicketId expired = issue(at(9, 0), kSocial);
  const TicketId held_expired = issue(at(9, 0), kSocial);
  serve(served, kW2, at(9, 1), at(9, 1), at(9, 5));
  ev(at(9, 5), TicketCalled{no_show, kW2});
  ev(at(9, 6), TicketRecalled{no_show, kW2});
  ev(at(9, 7), TicketSkipped{no_show, kW2});
  ev(at(9, 7), TicketCalled{back, kW2});
  ev(at(9, 8), TicketSkipped{back, kW2});
  ev(at(9, 9), TicketRequeued{back, at(9, 9), false});
  serve(back, kW2, at(9, 10), at(9, 10), at(9, 12));
  ev(at(9, 20), TicketLeft{gave_up, LeaveReason::kGaveUp});
  ev(at(9, 21), TicketLeft{cancelled, LeaveReason::kCancelled});
  ev(at(9, 22), TicketCalled{held_expired, kW2});
  ev(at(9, 22), ServiceStarted{held_expired, kW2});
  ev(at(9, 25), TicketHeld{held_expired, kW2});
  ev(at(17, 30), WindowClosed{kW2});
  ev(at(0, 0, 5, 1), DayRolled{kDay + 1});

  const auto& t = builder_.fold().tickets();
  EXPECT_EQ(t[served - 1].outcome, Outcome::kServed);
  EXPECT_EQ(t[no_show - 1].outcome, Outcome::kNoShow);
  EXPECT_EQ(t[no_show - 1].recalls, 1);
  EXPECT_EQ(t[back - 1].outcome, Outcome::kServed);
  EXPECT_EQ(t[back - 1].wait_us(), 7 * kUsPerMinute);  // the first call counts
  EXPECT_EQ(t[gave_up - 1].outcome, Outcome::kLeft);
  EXPECT_EQ(t[cancelled - 1].outcome, Outcome::kLeft);
  EXPECT_EQ(t[expired - 1].outcome, Outcome::kExpired);
  EXPECT_EQ(t[held_expired - 1].outcome, Outcome::kExpired);

  const Stats s = result();
  const Figures& h = s.total.hall;
  EXPECT_EQ(h.issued, 7u);
  EXPECT_EQ(h.called, 4u);
  EXPECT_EQ(h.served, 2u);
  EXPECT_EQ(h.no_shows, 1u);
  EXPECT_EQ(h.left, 2u);
  EXPECT_EQ(h.gave_up, 1u);
  EXPECT_EQ(h.cancelled, 1u);
  EXPECT_EQ(h.expired, 2u);
  EXPECT_DOUBLE_EQ(h.no_show_rate, 1 / 4.0);
  EXPECT_DOUBLE_EQ(h.left_rate, 2 / 7.0);
  EXPECT_EQ(s.total.services[kTax].no_shows, 1u);
  EXPECT_EQ(s.total.services[kSocial].expired, 2u);
  EXPECT_EQ(s.total.windows[kW2].no_shows, 1u);
  EXPECT_TRUE(std::isnan(h.satisfaction));  // nothing rated
}

// Remote tickets (网上取号): each counts as issued when taken; one checked in
// waits from its check-in; one dropped as not arrived is a no-show (of the
// service, at no window); the walk-ins after them are counted as ever.
TEST_F(FoldTest, RemoteTicketsAreCountedAndDoNotHideLaterOnes) {
  ev(at(8, 30), WindowOpened{kW1, "s1"});
  const TicketId arrived = next_ticket_++;
  ev(at(9, 0),
     RemoteTicketIssued{arrived, kSocial, ++numbers_[kSocial], 100'001, std::string(64, 'a'), "", 0, 0});
  const TicketId missed = next_ticket_++;
  ev(at(9, 1),
     RemoteTicketIssued{missed, kSocial, ++numbers_[kSocial], 100'002, std::string(64, 'b'), "", 0, 0});
  const TicketId walk_in = issue(at(9, 2), kSocial);
  ev(at(9, 20), RemoteCheckedIn{arrived});
  serve(arrived, kW1, at(9, 25), at(9, 25), at(9, 30));  // waited 5 minutes from its check-in
  serve(walk_in, kW1, at(9, 30), at(9, 30), at(9, 35));  // 28 minutes
  ev(at(9, 30), RemoteTurnCame{missed, at(9, 45)});
  ev(at(9, 46), RemoteMissed{missed});
  ev(at(10, 0), WindowClosed{kW1});

  const auto& t = builder_.fold().tickets();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[arrived - 1].outcome, Outcome::kServed);
  EXPECT_EQ(t[arrived - 1].wait_us(), 5 * kUsPerMinute);
  EXPECT_EQ(t[missed - 1].outcome, Outcome::kNoShow);
  EXPECT_EQ(t[walk_in - 1].outcome, Outcome::kServed);
  const Figures& h = result().total.hall;
  EXPECT_EQ(h.issued, 3u);
  EXPECT_EQ(h.served, 2u);
  EXPECT_EQ(h.no_shows, 1u);
  EXPECT_DOUBLE_EQ(h.wait_mean_min, (5 + 28) / 2.0);
}

TEST_F(FoldTest, TheStaffWhoFinishesIsCredited) {
  ev(at(8, 30), WindowOpened{kW1, "a"});
  const TicketId t = issue(at(9, 0), kSocial);
  ev(at(9, 2), TicketCalled{t, kW1});
  ev(at(9, 3), ServiceStarted{t, kW1});
  ev(at(9, 5), StaffChanged{kW1, "b"});  // B post takes over mid-service
  ev(at(9, 9), TicketFinished{t, kW1});
  ev(at(9, 10), TicketEvaluated{t, 4});
  ev(at(10, 0), WindowClosed{kW1});

  const Stats s = result();
  const std::size_t a = staff(s, "a"), b = staff(s, "b");
  EXPECT_EQ(s.total.staff[a].called, 1u);  // the call (and its wait) is a's
  EXPECT_DOUBLE_EQ(s.total.staff[a].wait_mean_min, 2);
  EXPECT_EQ(s.total.staff[a].served, 0u);
  EXPECT_EQ(s.total.staff[b].served, 1u);  // the finish and the rating are b's
  EXPECT_EQ(s.total.staff[b].ratings[4], 1u);
  EXPECT_DOUBLE_EQ(s.total.staff[b].satisfaction, 1.0);
  EXPECT_DOUBLE_EQ(s.total.staff[b].handle_mean_min, 6);
  // Window time split at the handover: a 8:30-9:05 (busy 3 min), b 9:05-10:00 (busy 4 min).
  EXPECT_DOUBLE_EQ(s.total.staff[a].open_s, 35 * 60);
  EXPECT_DOUBLE_EQ(s.total.staff[a].busy_s, 3 * 60);
  EXPECT_DOUBLE_EQ(s.total.staff[b].open_s, 55 * 60);
  EXPECT_DOUBLE_EQ(s.total.staff[b].busy_s, 4 * 60);
  EXPECT_DOUBLE_EQ(s.total.windows[kW1].busy_s, 7 * 60);
}

TEST_F(FoldTest, ATransferIsANewVisitOfTheOtherService) {
  ev(at(8, 30), WindowOpened{kW1, "a"});
  ev(at(8, 30), WindowOpened{kW2, "b"});
  const TicketId t = issue(at(9, 0), kSocial);
  ev(at(9, 3), TicketCalled{t, kW1});
  ev(at(9, 4), ServiceStarted{t, kW1});
  ev(at(9, 6), TicketTransferred{t, kW1, kTax});
  serve(t, kW2, at(9, 8), at(9, 8), at(9, 18));

  const TicketFacts& f = builder_.fold().tickets()[0];
  ASSERT_EQ(f.visits.size(), 2u);
  EXPECT_EQ(f.visits[0].end, VisitEnd::kTransferred);
  EXPECT_EQ(f.visits[1].service, kTax);
  EXPECT_EQ(f.visits[1].queued_at, at(9, 6));
  EXPECT_EQ(f.visits[1].first_called_at, at(9, 8));

  const Stats s = result();
  EXPECT_EQ(s.total.hall.issued, 1u);
  EXPECT_EQ(s.total.hall.called, 1u);  // one ticket, one wait
  EXPECT_DOUBLE_EQ(s.total.hall.wait_mean_min, 3);
  EXPECT_EQ(s.total.hall.served, 1u);
  EXPECT_EQ(s.total.services[kSocial].issued, 1u);
  EXPECT_EQ(s.total.services[kSocial].transferred, 1u);
  EXPECT_EQ(s.total.services[kSocial].served, 0u);
  EXPECT_EQ(s.total.services[kTax].served, 1u);
  EXPECT_DOUBLE_EQ(s.total.services[kTax].handle_mean_min, 10);  // the finished visit's handling
  EXPECT_EQ(s.total.windows[kW1].transferred, 1u);
  EXPECT_EQ(s.total.windows[kW2].served, 1u);
  EXPECT_DOUBLE_EQ(s.total.windows[kW1].busy_s, 3 * 60);  // 9:03-9:06
}

TEST_F(FoldTest, HandlingOfAHeldTicketIsItsServingTime) {
  ev(at(8, 30), WindowOpened{kW1, "a"});
  const TicketId t = issue(at(9, 0), kSocial);
  ev(at(9, 1), TicketCalled{t, kW1});
  ev(at(9, 1), ServiceStarted{t, kW1});
  ev(at(9, 4), TicketHeld{t, kW1});  // 3 min
  ev(at(9, 20), TicketRequeued{t, at(9, 20), true});
  ev(at(9, 21), TicketCalled{t, kW1});
  ev(at(9, 22), ServiceStarted{t, kW1});
  ev(at(9, 27), TicketFinished{t, kW1});  // 5 min
  const Stats s = result();
  EXPECT_DOUBLE_EQ(s.total.hall.handle_mean_min, 8);
  EXPECT_DOUBLE_EQ(s.total.hall.wait_mean_min, 1);
  EXPECT_EQ(s.total.hall.called, 1u);
}

TEST_F(FoldTest, DaysAndHoursAreLocal) {
  // 23:50 local on kDay is 15:50 UTC; 00:20 local the next day is 16:20 UTC the same UTC day.
  ev(at(23, 0), WindowOpened{kW1, "night"});
  const TicketId late = issue(at(23, 50), kSocial);
  ev(at(23, 55), TicketCalled{late, kW1});
  ev(at(23, 56), ServiceStarted{late, kW1});
  ev(at(0, 0, 10, 1), DayRolled{kDay + 1});
  ev(at(0, 10, 0, 1), TicketFinished{late, kW1});  // finished after midnight
  const TicketId early = issue(at(0, 20, 0, 1), kSocial);
  serve(early, kW1, at(0, 30, 0, 1), at(0, 30, 0, 1), at(0, 40, 0, 1));
  ev(at(1, 0, 0, 1), WindowClosed{kW1});

  const Stats days = result(Period::kDay, config_->day_start(kDay), config_->day_start(kDay + 2));
  ASSERT_EQ(days.slices.size(), 2u);
  EXPECT_EQ(days.slices[0].label, "2024-03-04");
  EXPECT_EQ(days.slices[0].hall.issued, 1u);
  EXPECT_EQ(days.slices[0].hall.called, 1u);
  EXPECT_EQ(days.slices[0].hall.served, 0u);
  EXPECT_EQ(days.slices[1].label, "2024-03-05");
  EXPECT_EQ(days.slices[1].hall.issued, 1u);
  EXPECT_EQ(days.slices[1].hall.served, 2u);  // the late ticket is served on the next day
  // Window time split at local midnight: 60 min on each day.
  EXPECT_DOUBLE_EQ(days.slices[0].windows[kW1].open_s, 60 * 60);
  EXPECT_DOUBLE_EQ(days.slices[1].windows[kW1].open_s, 60 * 60);
  EXPECT_DOUBLE_EQ(days.slices[0].windows[kW1].busy_s, 5 * 60);
  EXPECT_DOUBLE_EQ(days.slices[1].windows[kW1].busy_s, 20 * 60);

  const Stats hours = result(Period::kHour, config_->day_start(kDay + 1), config_->day_start(kDay + 2));
  ASSERT_EQ(hours.slices.size(), 24u);  // the whole day, quiet hours too
  EXPECT_EQ(hours.slices[0].label, "2024-03-05 00时");
  EXPECT_EQ(hours.slices[0].hall.served, 2u);
  EXPECT_EQ(hours.slices[0].hall.issued, 1u);
  EXPECT_DOUBLE_EQ(hours.slices[0].windows[kW1].open_s, 60 * 60);
  EXPECT_EQ(hours.slices[1].hall.issued, 0u);
  // Only the range counts: the first day's ticket is not in it.
  EXPECT_EQ(hours.total.hall.issued, 1u);
  EXPECT_EQ(hours.total.hall.called, 1u);
}

TEST_F(FoldTest, OpenWindowsCountUntilAsOfAndHourSlicesSplitSpans) {
  ev(at(8, 30), WindowOpened{kW2, "x"});
  ev(at(9, 40), WindowPaused{kW2});
  ev(at(10, 10), WindowResumed{kW2});
  const Stats s = result(Period::kHour, config_->day_start(kDay), config_->day_start(kDay + 1), at(11, 0));
  EXPECT_DOUBLE_EQ(s.total.windows[kW2].open_s, (70 + 50) * 60);
  EXPECT_DOUBLE_EQ(s.total.windows[kW2].paused_s, 30 * 60);
  EXPECT_DOUBLE_EQ(s.slices[8].windows[kW2].open_s, 30 * 60);
  EXPECT_DOUBLE_EQ(s.slices[9].windows[kW2].open_s, 40 * 60);
  EXPECT_DOUBLE_EQ(s.slices[9].windows[kW2].paused_s, 20 * 60);
  EXPECT_DOUBLE_EQ(s.slices[10].windows[kW2].paused_s, 10 * 60);
  EXPECT_DOUBLE_EQ(s.slices[10].windows[kW2].open_s, 50 * 60);
  EXPECT_DOUBLE_EQ(s.slices[11].windows[kW2].open_s, 0);
}

TEST_F(FoldTest, EventsAboutTicketsBeforeTheFoldAreIgnored) {
  // The fold starts mid-way: ticket 41 was issued before it.
  next_ticket_ = 42;
  ev(at(9, 0), TicketCalled{41, kW1});  // the window is seen working: open from now
  ev(at(9, 5), TicketFinished{41, kW1});
  const TicketId t = issue(at(9, 6), kSocial);
  serve(t, kW1, at(9, 7), at(9, 7), at(9, 9));
  EXPECT_EQ(builder_.fold().unknown_ticket_events(), 2u);
  const Stats s = result(Period::kAll, 0, std::numeric_limits<TimeUs>::max(), at(9, 10));
  EXPECT_EQ(s.total.hall.issued, 1u);
  EXPECT_EQ(s.total.hall.served, 1u);
  EXPECT_DOUBLE_EQ(s.total.windows[kW1].open_s, 10 * 60);
  EXPECT_DOUBLE_EQ(s.total.windows[kW1].busy_s, 7 * 60);
}

TEST(P90Test, NearestRankAsScorePy) {
  std::vector<std::int64_t> v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
  EXPECT_DOUBLE_EQ(p90_of(v), 10);  // sorted[min(9, 9)]
  std::vector<std::int64_t> w = {3, 1, 2};
  EXPECT_DOUBLE_EQ(p90_of(w), 3);
  std::vector<std::int64_t> none;
  EXPECT_TRUE(std::isnan(p90_of(none)));
  std::vector<std::int64_t> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  EXPECT_DOUBLE_EQ(p90_of(twenty), 19);  // sorted[18]
}

TEST(LocalDateTest, ParsesStrictDates) {
  EXPECT_EQ(core::parse_day("1970-01-01"), 0);
  EXPECT_EQ(core::parse_day("2026-01-05"), 20458);
  EXPECT_EQ(core::format_date(20458), "2026-01-05");
  EXPECT_EQ(core::parse_day("2024-02-29"), *core::parse_day("2024-02-28") + 1);
  for (const char* bad : {"2026-02-30", "2025-02-29", "2026-1-5", "2026-13-01", "2026-00-10", "20260105",
                          "2026/01/05", "", "1969-12-31", "abcd-ef-gh", "2026-01-05x"})
    EXPECT_FALSE(core::parse_day(bad).has_value()) << bad;
  EXPECT_EQ(core::format_month(core::month_of_day(*core::parse_day("2026-12-31"))), "2026-12");
  EXPECT_EQ(core::format_date(core::first_day_of_month(core::month_of_day(*core::parse_day("2026-03-17")))),
            "2026-03-01");
}

TEST(LocalDateTest, BucketsFollowTheHallsOffset) {
  HallConfig c;
  c.utc_offset_min = 8 * 60;
  const std::int64_t day = *core::parse_day("2026-01-05");
  const TimeUs t = c.day_start(day) + (9 * 3600 + 1800) * kUsPerSecond;  // 09:30 local = 01:30 UTC
  EXPECT_EQ(bucket_of(c, Period::kHour, t), day * 24 + 9);
  EXPECT_EQ(bucket_start(c, Period::kHour, day * 24 + 9), c.day_start(day) + 9 * 3600 * kUsPerSecond);
  EXPECT_EQ(bucket_of(c, Period::kDay, c.day_start(day) - 1), day - 1);
  EXPECT_EQ(bucket_label(Period::kMonth, bucket_of(c, Period::kMonth, t)), "2026-01");
  EXPECT_EQ(bucket_start(c, Period::kMonth, core::month_of_day(day)),
            c.day_start(*core::parse_day("2026-01-01")));
}

}  // namespace
}  // namespace hallq::stats
