// 好差评 figures (aggregate.h) on a hand-made month of events: 好评/差评 and
// their rates, and the 差评 work orders — one rectified on time, one
// rectified late, one never called back, one called back without reaching
// the citizen, one opened in the month before and falling due in this one, one
// rated across the month's end, one 补充评价 days after its ticket — per
// hall, service, window and staff, by day, for a range that ends before some
// steps, and judged at the range's end. Every expected value is counted by
// hand from the sequence below (the comment above each figure says which
// tickets make it).
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "engine/core/calendar.h"
#include "engine/core/event.h"
#include "engine/core/hall_config.h"
#include "engine/stats/aggregate.h"
#include "engine/stats/history.h"
#include "engine/stats/stats_builder.h"
#include "engine/stats/stats_json.h"
#include "tests/stats/stats_test_hall.h"

namespace hallq::stats {
namespace {

using namespace core;

using namespace stats::test;  // kSocial, kTax, kW1, kW2, kDay (Monday 2024-03-04), make_config

// clang-format off
// The month's events, in time order. Tickets (service, window, staff, rating
// and its local day, work order); 2024 is a leap year: day -5 is Wednesday 02-28.
//   T0   social w1 s1  1 on 02-28  due 03-06  never called back                         overdue 03-07 (March)
//   T1   social w1 s1  1 on 03-04  due 03-11  reached 03-05, fixed 03-06                on time
//   T2   social w1 s1  2 on 03-04  due 03-11  not reached 03-08, reached 03-12,
//                                             fixed 03-12 late                          overdue 03-12
//   T3   tax    w2 s2  2 on 03-04  due 03-11  never called back                         overdue 03-12
//   T4   tax    w2 s2  1 on 03-04  due 03-11  not reached 03-05                         overdue 03-12
//   T5   social w2 s2  5 on 03-04
//   T6   social w1 s1  4 on 03-04
//   T7   tax    w2 s2  3 on 03-04
//   T8   social w1 s1  0 (未评价) on 03-04
//   T9   social w1 s1  finished 03-31 23:58, 2 on 04-01 00:01  due 04-08, never called back
//   T10  social w2 s3  0 on 03-08, then 补充评价 2 on 03-11  due 03-18  reached 03-13, fixed 03-14
// (s3 takes w2 over from s2 on 03-08, an A/B handover.)
// clang-format on
class VerdictFiguresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 02-28: T0.
    open(-5);
    const TicketId t0 = served(kSocial, kW1, -5, 9, 0);
    rate(t0, 1, at(9, 10, -5), kDay + 2);
    close(-5);
    // 03-04: T1 .. T8.
    open(0);
    const TicketId t1 = served(kSocial, kW1, 0, 9, 0);
    rate(t1, 1, at(9, 10), kDay + 7);
    const TicketId t2 = served(kSocial, kW1, 0, 9, 10);
    rate(t2, 2, at(9, 20), kDay + 7);
    const TicketId t3 = served(kTax, kW2, 0, 9, 20);
    rate(t3, 2, at(9, 30), kDay + 7);
    const TicketId t4 = served(kTax, kW2, 0, 9, 30);
    rate(t4, 1, at(9, 40), kDay + 7);
    const TicketId t5 = served(kSocial, kW2, 0, 9, 40);
    rate(t5, 5, at(9, 50));
    const TicketId t6 = served(kSocial, kW1, 0, 9, 50);
    rate(t6, 4, at(10, 0));
    const TicketId t7 = served(kTax, kW2, 0, 10, 0);
    rate(t7, 3, at(10, 10));
    const TicketId t8 = served(kSocial, kW1, 0, 10, 10);
    rate(t8, 0, at(10, 20));
    close(0);
    // 03-05 .. 03-08: steps; T10 served by s3 and not rated at the window.
    ev(at(10, 0, 1), WorkOrderCalledBack{t1, true, "已致电说明", "zhang"});
    ev(at(10, 30, 1), WorkOrderCalledBack{t4, false, "无人接听", "zhang"});
    ev(at(10, 0, 2), WorkOrderRectified{t1, "已培训窗口人员", "zhang"});
    open(4);
    ev(at(9, 0, 4), StaffChanged{kW2, "s3"});
    const TicketId t10 = served(kSocial, kW2, 4, 9, 10);
    rate(t10, 0, at(9, 20, 4));
    close(4);
    ev(at(17, 40, 4), WorkOrderCalledBack{t2, false, "关机", "zhang"});
    // 03-11: the 补充评价 of T10 from its phone page.
    ev(at(15, 0, 7),
       TicketEvaluated{
           .ticket = t10, .level = 2, .channel = EvaluationChannel::kPhone, .supplementary = true});
    ev(at(15, 0, 7), WorkOrderOpened{t10, kDay + 14});
    // 03-12: T2 reached and rectified a day late.
    ev(at(9, 0, 8), WorkOrderCalledBack{t2, true, "已当面致歉", "li"});
    ev(at(15, 0, 8), WorkOrderRectified{t2, "已调整流程", "li"});
    // 03-13, 03-14: T10.
    ev(at(9, 0, 9), WorkOrderCalledBack{t10, true, "已回访", "li"});
    ev(at(9, 0, 10), WorkOrderRectified{t10, "已整改", "li"});
    // 03-31 .. 04-01: T9 finished before midnight, rated after it.
    ev(at(23, 0, 27), WindowOpened{kW1, "s1"});
    const TicketId t9 = served(kSocial, kW1, 27, 23, 48);
    ev(at(23, 59, 27),
       WindowClosed{kW1});  // (a window open at a range's end counts until the last event read)
    rate(t9, 2, at(0, 1, 28),
         kDay + 35);      // (a window open at a range's end counts until the last event read)
    ASSERT_EQ(t10, 10u);  // issued before T9
  }

  // Local time on kDay + day.
  TimeUs at(int h, int m, int day = 0) const {
    return config_->day_start(kDay + day) + (h * 60 + m) * 60 * kUsPerSecond;
  }
  TimeUs day_start(int day) const { return config_->day_start(kDay + day); }
  void ev(TimeUs t, EventBody body) { events_.push_back(Event{++seq_, t, std::move(body)}); }
  void open(int day) {
    ev(at(8, 30, day), WindowOpened{kW1, "s1"});
    ev(at(8, 30, day), WindowOpened{kW2, "s2"});
  }
  void close(int day) {
    ev(at(17, 30, day), WindowClosed{kW1});
    ev(at(17, 30, day), WindowClosed{kW2});
  }
  // Issued at h:m of `day`, called at once, served for ten minutes at `w`.
  TicketId served(ServiceIdx s, WindowIdx w, int day, int h, int m) {
    const TicketId id = next_ticket_++;
    ev(at(h, m, day), TicketIssued{id, s, static_cast<std::uint32_t>(id), Priority::kNormal, 0, 0});
    ev(at(h, m, day), TicketCalled{id, w});
    ev(at(h, m, day), ServiceStarted{id, w});
    ev(at(h, m, day) + 10 * kUsPerMinute, TicketFinished{id, w});
    return id;
  }
  // A rating; a 差评 opens its order with it, due on `due`.
  void rate(TicketId id, int level, TimeUs t, std::int64_t due = 0) {
    ev(t, TicketEvaluated{.ticket = id, .level = static_cast<std::uint8_t>(level)});
    if (level == 1 || level == 2) ev(t, WorkOrderOpened{id, due});
  }
  // Everything folded, or only the events before `until` (as history.h reads a closed range).
  Stats result(TimeUs from, TimeUs to, Period p = Period::kAll, TimeUs until = 0,
               TimeUs judged_at = 0) const {
    StatsBuilder b(config_);
    for (const Event& e : events_)
      if (until == 0 || e.time < until) b.add(e);
    return b.result({.period = p, .from = from, .to = to, .judged_at = judged_at});
  }
  std::size_t staff(const Stats& s, std::string_view id) const {
    for (std::size_t i = 0; i < s.staff_ids.size(); ++i)
      if (s.staff_ids[i] == id) return i;
    ADD_FAILURE() << "no staff " << id;
    return 0;
  }
  const Slice* slice(const Stats& s, int day) const {
    for (const Slice& x : s.slices)
      if (x.key == kDay + day) return &x;
    ADD_FAILURE() << "no slice for day " << day;
    return &s.slices.front();
  }
  TimeUs march() const { return day_start(-3); }  // 2024-03-01
  TimeUs april() const { return day_start(28); }  // 2024-04-01

  std::shared_ptr<HallConfig> config_ = make_config();
  std::vector<Event> events_;
  Seq seq_ = 0;
  TicketId next_ticket_ = 1;
};

struct Expect {
  std::uint32_t rated, good, bad, work_orders, called_back, reached, rectified, overdue;
};

void expect(const Figures& f, const Expect& e, const char* what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(f.rated, e.rated);
  EXPECT_EQ(f.good, e.good);
  EXPECT_EQ(f.bad, e.bad);
  EXPECT_EQ(f.work_orders, e.work_orders);
  EXPECT_EQ(f.called_back, e.called_back);
  EXPECT_EQ(f.reached, e.reached);
  EXPECT_EQ(f.rectified, e.rectified);
  EXPECT_EQ(f.overdue, e.overdue);
}

TEST_F(VerdictFiguresTest, TheMonthPerHallServiceWindowAndStaff) {
  const Stats s = result(march(), april());
  const Figures& h = s.total.hall;
  // Served in March: T1..T8, T10 and T9 (finished 03-31): 10. Rated in March: T1..T7 and T10
  // (T8 未评价; T0 in February, T9 in April).
  EXPECT_EQ(h.served, 10u);
  EXPECT_EQ(h.ratings[0], 1u);  // T8 (T10's 未评价 became a 2)
  EXPECT_EQ(h.ratings[1], 2u);  // T1, T4
  EXPECT_EQ(h.ratings[2], 3u);  // T2, T3, T10
  // rated 8; good T5, T6; bad T1 T2 T3 T4 T10; orders the same five; called back T1 T2 T4 T10;
  // reached T1 T2 T10; rectified T1 T2 T10; overdue T0 (03-07), T2 T3 T4 (03-12).
  expect(h, {8, 2, 5, 5, 4, 3, 3, 4}, "hall");
  EXPECT_DOUBLE_EQ(h.good_rate, 2.0 / 8);
  EXPECT_DOUBLE_EQ(h.bad_rate, 5.0 / 8);
  EXPECT_DOUBLE_EQ(h.satisfaction, h.good_rate);
  EXPECT_DOUBLE_EQ(h.callback_rate, 4.0 / 5);
  EXPECT_DOUBLE_EQ(h.rectify_rate, 3.0 / 5);

  // social: T1 T2 T5 T6 T8 T10 rated (T8 not); overdue T0, T2. tax: T3 T4 T7; overdue T3, T4.
  expect(s.total.services[kSocial], {5, 2, 3, 3, 3, 3, 3, 2}, "social");
  expect(s.total.services[kTax], {3, 0, 2, 2, 1, 0, 0, 2}, "tax");
  EXPECT_DOUBLE_EQ(s.total.services[kTax].good_rate, 0);
  EXPECT_DOUBLE_EQ(s.total.services[kTax].callback_rate, 1.0 / 2);
  EXPECT_DOUBLE_EQ(s.total.services[kTax].rectify_rate, 0);
  // w1: T1 T2 T6 (T8 未评价); overdue T0, T2. w2: T3 T4 T5 T7 T10; overdue T3, T4.
  expect(s.total.windows[kW1], {3, 1, 2, 2, 2, 2, 2, 2}, "w1");
  expect(s.total.windows[kW2], {5, 1, 3, 3, 2, 1, 1, 2}, "w2");
  // s2: T3 T4 T5 T7; s3 (took w2 over): T10.
  expect(s.total.staff[staff(s, "s1")], {3, 1, 2, 2, 2, 2, 2, 2}, "s1");
  expect(s.total.staff[staff(s, "s2")], {4, 1, 2, 2, 1, 0, 0, 2}, "s2");
  expect(s.total.staff[staff(s, "s3")], {1, 0, 1, 1, 1, 1, 1, 0}, "s3");
  EXPECT_DOUBLE_EQ(s.total.staff[staff(s, "s3")].rectify_rate, 1);
}

TEST_F(VerdictFiguresTest, ByDayRatingsCountOnTheirDayAndOverdueOnTheDayAfterTheDueDay) {
  const Stats s = result(march(), april(), Period::kDay);
  ASSERT_EQ(s.slices.size(), 31u);
  expect(slice(s, 0)->hall, {7, 2, 4, 4, 3, 2, 2, 0}, "03-04: T1..T7 and their four orders");
  expect(slice(s, 3)->hall, {0, 0, 0, 0, 0, 0, 0, 1}, "03-07: T0 overdue");
  expect(slice(s, 4)->hall, {0, 0, 0, 0, 0, 0, 0, 0}, "03-08: T10 served, 未评价");
  EXPECT_EQ(slice(s, 4)->hall.ratings[0], 0u);  // T10's 未评价 was replaced on 03-11
  expect(slice(s, 7)->hall, {1, 0, 1, 1, 1, 1, 1, 0}, "03-11: T10's 补充评价 and its order");
  expect(slice(s, 8)->hall, {0, 0, 0, 0, 0, 0, 0, 3}, "03-12: T2, T3, T4 overdue");
  EXPECT_EQ(slice(s, 27)->hall.served, 1u);  // T9, 03-31
  EXPECT_EQ(slice(s, 27)->hall.rated, 0u);   // its rating is April's
  // The days add up to the month.
  Figures sum;
  for (const Slice& x : s.slices) {
    sum.rated += x.hall.rated;
    sum.work_orders += x.hall.work_orders;
    sum.called_back += x.hall.called_back;
    sum.overdue += x.hall.overdue;
  }
  EXPECT_EQ(sum.rated, s.total.hall.rated);
  EXPECT_EQ(sum.work_orders, s.total.hall.work_orders);
  EXPECT_EQ(sum.called_back, s.total.hall.called_back);
  EXPECT_EQ(sum.overdue, s.total.hall.overdue);
}

TEST_F(VerdictFiguresTest, StepsAfterTheRangeDoNotCount) {
  // 03-01 .. 03-10, with every later event folded too: T2's reach (03-12), its late
  // rectification and the 03-12 deadlines are past the range.
  const Stats s = result(march(), day_start(7));
  // rated T1..T7; orders T1..T4; called back T1 T2 T4; reached T1; rectified T1; overdue T0.
  expect(s.total.hall, {7, 2, 4, 4, 3, 1, 1, 1}, "to 03-10");
  EXPECT_DOUBLE_EQ(s.total.hall.callback_rate, 3.0 / 4);
  EXPECT_DOUBLE_EQ(s.total.hall.rectify_rate, 1.0 / 4);
}

TEST_F(VerdictFiguresTest, OrdersAreJudgedAsOfTheLastEventOrTheGivenInstant) {
  // April: T9's order, due 04-08, never called back. The last event is 04-01 00:01, so as of
  // the data it is not overdue yet; judged at the range's end (a closed month) it is.
  const TimeUs may = day_start(58);
  expect(result(april(), may).total.hall, {1, 0, 1, 1, 0, 0, 0, 0}, "as of the last event");
  expect(result(april(), may, Period::kAll, 0, may).total.hall, {1, 0, 1, 1, 0, 0, 0, 1}, "judged at 05-01");
  expect(result(april(), may, Period::kAll, 0, day_start(36)).total.hall, {1, 0, 1, 1, 0, 0, 0, 1},
         "judged at 04-09 00:00");
  expect(result(april(), may, Period::kAll, 0, day_start(36) - 1).total.hall, {1, 0, 1, 1, 0, 0, 0, 0},
         "judged a microsecond before");
  // February: T0's order; its deadline is March's.
  expect(result(day_start(-7), march()).total.hall, {1, 0, 1, 1, 0, 0, 0, 0}, "February");
}

// The report of a closed range does not change as the hall goes on: a builder
// that read only up to the range's end (as history.h does) and one that has
// folded everything since give the same figures, all of them, by day too.
// (Not for a range that ends between a keypad's 未评价 and the 补充评价 that
// replaces it, such as 03-08 .. 03-10 here: the fold keeps a ticket's final
// rating; history.h, which stops at the range's end, still sees the 未评价.)
TEST_F(VerdictFiguresTest, AClosedRangeGivesTheSameFiguresWhateverCameAfter) {
  for (const TimeUs to : {day_start(4), day_start(9), april()}) {
    SCOPED_TRACE(to);
    const Stats closed = result(march(), to, Period::kDay, to, to);
    const Stats later = result(march(), to, Period::kDay);
    nlohmann::json a = stats_json(closed, *config_), b = stats_json(later, *config_);
    // Staff first seen after the range are listed (with nothing) by the later one only.
    std::map<std::string, nlohmann::json> staff_a, staff_b;
    for (const auto& x : a["staff"]) staff_a[x["id"]] = x;
    for (const auto& x : b["staff"])
      if (staff_a.count(x["id"]) != 0) staff_b[x["id"]] = x;
    a.erase("staff");
    b.erase("staff");
    const nlohmann::json diff = nlohmann::json::diff(a, b);
    EXPECT_TRUE(diff.empty()) << diff.dump();
    EXPECT_EQ(staff_a, staff_b);
  }
}

TEST_F(VerdictFiguresTest, TheFoldKeepsTheFirstOfEachStepAndCountsOrdersOfUnknownTickets) {
  StatsBuilder b(config_);
  for (const Event& e : events_) b.add(e);
  const OrderFacts& t2 = b.fold().tickets()[2].order;  // T2: ids start at 1 with T0
  EXPECT_EQ(t2.opened_at, at(9, 20));
  EXPECT_EQ(t2.due_day, kDay + 7);
  EXPECT_EQ(t2.called_back_at, at(17, 40, 4));  // not reached
  EXPECT_EQ(t2.reached_at, at(9, 0, 8));
  EXPECT_EQ(t2.rectified_at, at(15, 0, 8));
  EXPECT_EQ(b.fold().tickets()[5].order.opened_at, 0);  // T5, rated 5: no order
  // A fold that starts after T0 was issued: its order's steps are unknown ticket events.
  StatsBuilder late(config_);
  for (const Event& e : events_)
    if (e.time >= day_start(0)) late.add(e);
  late.add(Event{++seq_, at(9, 0, 40), WorkOrderCalledBack{1, true, "x", "y"}});
  late.add(Event{++seq_, at(9, 0, 40), WorkOrderRectified{1, "x", "y"}});
  EXPECT_EQ(late.fold().unknown_ticket_events(), 2u);
  EXPECT_EQ(late.result().total.hall.work_orders, 6u);  // T1..T4, T10, T9; not T0
}

TEST_F(VerdictFiguresTest, NothingRatedGivesUndefinedRates) {
  const Stats s = result(day_start(1), day_start(2));  // 03-05: only steps
  EXPECT_EQ(s.total.hall.rated, 0u);
  EXPECT_TRUE(std::isnan(s.total.hall.good_rate));
  EXPECT_TRUE(std::isnan(s.total.hall.bad_rate));
  EXPECT_TRUE(std::isnan(s.total.hall.callback_rate));
  EXPECT_TRUE(std::isnan(s.total.hall.rectify_rate));
  const nlohmann::json j = stats_json(s, *config_);
  EXPECT_TRUE(j["total"]["good_rate"].is_null());
  EXPECT_TRUE(j["total"]["callback_rate"].is_null());
  EXPECT_EQ(j["total"]["work_orders"], 0);
}

// The due day ends at local midnight: rectified a microsecond before it is on
// time, at it is late (and overdue from that instant).
TEST(OverdueTest, TheDueDayEndsAtLocalMidnight) {
  auto config = make_config();
  const TimeUs midnight = config->day_start(kDay + 1);  // the end of kDay, the due day
  for (const TimeUs fixed : {midnight - 1, midnight}) {
    StatsBuilder b(config);
    Seq seq = 0;
    auto ev = [&](TimeUs t, EventBody body) { b.add(Event{++seq, t, std::move(body)}); };
    const TimeUs nine = config->day_start(kDay) + 9 * 3600 * kUsPerSecond;
    ev(nine, WindowOpened{kW1, "s1"});
    ev(nine, TicketIssued{1, kSocial, 1, Priority::kNormal, 0, 0});
    ev(nine, TicketCalled{1, kW1});
    ev(nine, ServiceStarted{1, kW1});
    ev(nine + 60 * kUsPerSecond, TicketFinished{1, kW1});
    ev(nine + 60 * kUsPerSecond, TicketEvaluated{.ticket = 1, .level = 1});
    ev(nine + 60 * kUsPerSecond, WorkOrderOpened{1, kDay});
    ev(nine + 120 * kUsPerSecond, WorkOrderCalledBack{1, true, "x", "m"});
    ev(fixed, WorkOrderRectified{1, "x", "m"});
    const Stats s = b.result({.period = Period::kDay,
                              .from = config->day_start(kDay),
                              .to = config->day_start(kDay + 2),
                              .judged_at = config->day_start(kDay + 2)});
    EXPECT_EQ(s.total.hall.rectified, 1u);
    EXPECT_EQ(s.total.hall.overdue, fixed == midnight ? 1u : 0u) << (fixed == midnight ? "at" : "before");
    EXPECT_EQ(s.slices.at(1).hall.overdue, s.total.hall.overdue);  // the day after the due day
  }
}

// How far back history.h reads: to the day before the earliest opening day of
// an order due on the day before the range or later (5 working days), plus 7
// supplement days. Counted on a calendar of October 2026 (Thursday 10-01).
TEST(StatsLookbackTest, CoversTheOrdersFallingDueInTheRangeAcrossHolidays) {
  auto c = make_config();
  c->evaluation.follow_up_working_days = 5;
  c->evaluation.supplement_days = 7;
  const std::int64_t monday = *core::parse_day("2026-10-12");
  // No holidays: an order opened on Monday 10-05 is due Monday 10-12; one of Sunday 10-04
  // (or Friday 10-02) on Friday 10-09, before the range's eve (10-11). 7 + 1 + 7 days.
  EXPECT_EQ(stats_lookback_days(*c, monday), 15);
  // 国庆 10-01 .. 10-07 closed: an order opened on Monday 09-28 is due (09-29, 09-30, 10-08,
  // 10-09) Monday 10-12; one of Sunday 09-27 on Friday 10-09. 14 + 1 + 7 days.
  for (int d = 0; d < 7; ++d) c->closed_days.push_back(*core::parse_day("2026-10-01") + d);
  EXPECT_EQ(stats_lookback_days(*c, monday), 22);
}

}  // namespace
}  // namespace hallq::stats
