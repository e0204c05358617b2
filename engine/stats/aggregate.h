// Hall figures from folded facts (ticket_facts.h): per period (hour, day,
// month or the whole range) and per service, window and staff. The exact
// definitions are in engine/stats/README.md; in short, each figure belongs to
// the period of the instant that completes it:
//   issued        tickets issued (issue time; service issued for)
//   called, wait  first calls; wait = issue -> first call (call time; window
//                 and staff of that call; service issued for)
//   over_target   called tickets whose wait > the hall's wait_target_min
//   served, handling
//                 finished tickets; handling = time serving in the finished
//                 visit (finish time; the window and the staff logged in
//                 there at the finish; the visit's service)
//   ratings, good, bad, work_orders
//                 rating 0..5 of a finished ticket and the 差评 work order it
//                 opened (rating time; service, window and staff of the
//                 finished visit, as served)
//   called_back, reached, rectified
//                 of those orders, the ones with that step done before the
//                 judging instant (options.judged_at), whatever period it
//                 fell in; so each rate's numerator is part of its denominator
//   overdue       orders not rectified by the end of their due day (local
//                 time), in the period of that instant (the next local
//                 midnight) if it is in the range and not after the judging
//                 instant; an order rectified late stays overdue
//   transferred   visits moved to another service (transfer time; from-service)
//   no_shows, left, expired
//                 tickets whose final outcome it is (time of that end)
//   open/paused/busy time
//                 window spans split at period boundaries
// Means and p90 of an empty set are NaN; so are shares with a zero denominator.
// p90 is the nearest-rank value sorted[min(n - 1, floor(0.9 n))], as
// tools/traces/score.py and replay::summarize compute it.
//
// Pure: no I/O, no clock; any thread (reads the fold, returns values).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/stats/period.h"
#include "engine/stats/ticket_facts.h"

namespace hallq::stats {

struct Figures {
  std::uint32_t issued = 0;
  std::uint32_t called = 0;
  std::uint32_t served = 0;
  std::uint32_t transferred = 0;
  std::uint32_t no_shows = 0;
  std::uint32_t left = 0;  // gave_up + cancelled
  std::uint32_t gave_up = 0;
  std::uint32_t cancelled = 0;
  std::uint32_t expired = 0;
  // Waits of the called tickets, minutes.
  double wait_mean_min = 0, wait_p90_min = 0, wait_max_min = 0;
  std::uint32_t over_target = 0;
  double over_target_share = 0;  // over_target / called
  // Handling of the served tickets, minutes.
  double handle_mean_min = 0, handle_p90_min = 0;
  // ratings[0] 未评价 (asked, not rated), ratings[1..5] 非常不满意 .. 非常满意.
  std::array<std::uint32_t, 6> ratings{};
  std::uint32_t rated = 0;  // ratings[1] + .. + ratings[5]
  double satisfaction = 0;  // (ratings[4] + ratings[5]) / rated
  // 好差评: good (好评) ratings 4..5, bad (差评) 1..2; shares of rated.
  std::uint32_t good = 0, bad = 0;
  double good_rate = 0;  // good / rated (= satisfaction)
  double bad_rate = 0;   // bad / rated
  // 差评工单 opened, and of them those called back (回访, reached or not), with a
  // callback that reached the citizen, rectified (整改); overdue (逾期) see above.
  std::uint32_t work_orders = 0, called_back = 0, reached = 0, rectified = 0, overdue = 0;
  double callback_rate = 0;  // called_back / work_orders (回访率)
  double rectify_rate = 0;   // rectified / work_orders (整改率)
  double no_show_rate = 0;   // no_shows / called
  double left_rate = 0;      // left / issued
  // Window time, seconds: open (logged in, not paused), paused, busy (a ticket
  // called or being served while open).
  double open_s = 0, paused_s = 0, busy_s = 0;
  double utilisation = 0;  // busy_s / open_s
};

// One period: the hall, and each service, window and staff member.
struct Slice {
  std::int64_t key = 0;             // bucket key (period.h)
  std::string label;                // "2026-01-05" ...
  core::TimeUs begin = 0, end = 0;  // the period, clipped to the range
  Figures hall;
  std::vector<Figures> services;  // per config service
  std::vector<Figures> windows;   // per config window
  std::vector<Figures> staff;     // per Stats::staff_ids
};

struct Stats {
  Period period = Period::kDay;
  core::TimeUs from = 0, to = 0;
  double wait_target_min = 0;
  std::vector<std::string> staff_ids;  // as logged in; "" for a window opened without staff
  Slice total;                         // the whole range
  std::vector<Slice> slices;           // one per period, ascending; every period of a bounded range
  std::uint64_t tickets = 0;           // facts considered
};

struct AggregateOptions {
  Period period = Period::kDay;
  // The range: only what happened in [from, to) counts; window spans are clipped.
  core::TimeUs from = 0;
  core::TimeUs to = std::numeric_limits<core::TimeUs>::max();
  // Windows still open count as open until this instant (0: the fold's last
  // event time); it is also clipped to `to`.
  core::TimeUs as_of = 0;
  // Work orders are judged as of this instant (steps done, deadlines passed):
  // 0 takes as_of's instant; clipped to `to`. history.h passes `to` when the
  // stored events go past the range (a closed month is judged at its end).
  core::TimeUs judged_at = 0;
  // Periods with nothing in them are listed too when the range is bounded and
  // has at most this many periods (a month by day shows its quiet Sundays).
  std::size_t fill_limit = 24 * 400;
};

Stats aggregate(const FactFold& fold, const core::HallConfig& config, const AggregateOptions& options = {});

// The p90 rule above, over values in any order (sorted in place). NaN if empty.
double p90_of(std::vector<std::int64_t>& values);

}  // namespace hallq::stats
