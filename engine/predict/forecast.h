// A forecast of a hall: when each waiting citizen will be called, and how long
// a newcomer of each service would wait, made by playing the hall forward from
// its present state with what a person at the hall knows:
//   - the queues (classes, order) and which windows are open, paused or busy
//     and for how long;
//   - each window's skills and the hall's own call policy, which decides every
//     simulated call exactly as it would decide a real one (engine/policy runs
//     on a core::CallView; the simulation is one);
//   - handling times and arrival rates learned from the hall's own history,
//     the config's expected_handle_min as the prior; paused windows return
//     after the hall's learned mean pause.
// Newcomers are zero-length "probes" at the end of each service's priority and
// normal lines.
//
// Remote tickets not yet checked in (网上取号, engine/core/remote_ticket.h)
// stand in no queue line, but each keeps its place (its issue time) and will
// take it if its citizen checks in. The play puts them in their normal lines
// at those places: of the uncertain ones in a line, the share the hall has
// seen check in (check_in_share.h) is counted as coming — a deterministic
// choice (counted_in_play) such that a citizen behind k of them has their
// expected number ahead — and called and served like waiting tickets; the
// others are zero-length probes at their places (they delay no one). Each
// remote ticket's own entry (Forecast::awaiting) is its call had it checked
// in now, its `ahead` counting the remote tickets ahead of it that the play
// counted. The remote-call share cap (HallRules::remote_call_share) is
// played as the hall applies it: a remote ticket's first call that would put
// remote tickets over their share of the day's first calls goes to the first
// walk-in behind it. No future arrivals are simulated, and nothing corrects
// for them: where helping windows have their own steady lines (a service whose
// own windows are all closed), the forecast is optimistic (bench/README.md,
// "Issue 18", item 8, measures by how much on every trace).
//
// Pure: a function of the hall and `now`. Cost: one simulated call per waiting
// ticket (bench: predict/forecast in bench/core_bench).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/hall.h"

namespace hallq::predict {

inline constexpr std::int32_t kUnknownWait = -1;  // no open window would ever call it

struct TicketForecast {
  core::TicketId ticket = 0;
  std::uint32_t ahead =
      0;  // tickets of its service called before it (remote ones counted as coming included)
  std::int32_t wait_s = 0;  // from the forecast's `at` to its call; kUnknownWait if none
};

struct NewcomerForecast {
  std::uint32_t ahead = 0;
  std::int32_t wait_s = 0;  // kUnknownWait if no open window serves the service
};

struct Forecast {
  core::TimeUs at = 0;
  core::Seq seq = 0;                    // the hall's sequence it reflects
  std::vector<TicketForecast> tickets;  // waiting tickets, in predicted call order
  // Remote tickets not checked in (and not cancelled), in predicted call
  // order: when each would be called had it checked in now. One the play
  // does not reach (no open window would call it) has no entry.
  std::vector<TicketForecast> awaiting;
  std::vector<NewcomerForecast> normal, priority;  // per service
};

// Plays `hall` forward from `now`. If `stop_at_probe` names a service (and
// `priority` class), the play stops once that newcomer has been called, only
// that service's newcomer entry is meaningful and no per-ticket forecast is
// kept. With `every_service` as well, it stops once every service's newcomer
// of that class has been called (or at the end or cap below): every
// service's entry of that class is then meaningful, and each is exactly the
// one a play stopped at that service's newcomer gives (the play is the same
// up to each stop; one play costs what the longest of them would). With
// `max_calls`, the play stops after that many simulated calls and newcomers
// not yet reached are extrapolated at the pace the play called their service
// (the cost of a capped play does not grow with the queues).
struct ForecastRequest {
  bool stop_at_probe = false;
  core::ServiceIdx service = 0;  // ignored with every_service
  bool priority = false;
  bool every_service = false;
  std::size_t max_calls = 0;  // 0: play until nothing more would be called
  // false: remote tickets not checked in are left out of the play, as before
  // issue 20's forecast (only to measure the difference: bench/remote_eval).
  bool awaiting_remotes = true;
};
Forecast forecast(const core::Hall& hall, core::TimeUs now, const ForecastRequest& request = {});

}  // namespace hallq::predict
