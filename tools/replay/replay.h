// Replay: runs a hall trace through the real core (one core::Hall, the state
// machine the engine runs) in simulated time, as fast as the CPU allows, and
// records what happened to every ticket. This is how call policies and
// wait-time predictors are measured and compared (tools/traces/FORMAT.md).
//
// The replay follows FORMAT.md's fixed semantics. Where FORMAT.md leaves a
// choice open, this replay decides as follows:
// - Time: trace second s is core time epoch + s, where epoch is local midnight
//   (per the hall's utc_offset_min) of 2026-01-05, a Monday. Rows before 0
//   (the bank trace opens a window at -1) belong to the day before.
// - Order within one instant: (1) services, recalls and no-show skips that
//   are due, in the order they were scheduled; (2) the trace's rows in file
//   order; (3) patience running out. An idle window calls "at once": after
//   every single one of these steps, each idle window (open, not paused, no
//   current ticket) is offered the queue. So a window freed at an instant calls
//   before that instant's rows are read (it takes the head of the queue, or a
//   new arrival if the queue was empty), and a citizen whose patience ends at
//   the instant a window frees up is called, not lost. A service of 0 s that
//   ends at the instant it started ends after that instant's rows.
// - Several idle windows offered the same ticket (an arrival, a window
//   opened or resumed while others idle) try in config order by default
//   (IdleOrder::kConfig), as the independent simulator behind REFERENCE.md
//   does; kLongestIdle tries the window free longest first (free since the
//   later of its last ticket's end and its last open or resume; ties in config
//   order). The policy is asked whenever anything happens while tickets wait;
//   `queue_empty` leaves the window idle.
// - Local midnight: a Tick rolls the hall's day before anything else at that
//   instant; tickets still waiting expire (never called, never left).
// - Window rows on a busy window: `pause` and `close` wait for the current
//   ticket (service or no-show) to end. `resume` before a waiting pause has
//   taken effect cancels it; `open` cancels a waiting close. A `close` replaces
//   a waiting pause. Rows that change nothing (close of a closed window, open
//   of an open one, pause of a paused one ...) are counted in
//   ReplayResult::ignored_rows, as the bank trace has a few.
// - Opening a window: with no staff in the config, no staff id; otherwise the
//   first configured staff id not logged in at another window.
//
// Every refusal by the core during a replay means the replay (or the core) is
// wrong: it is thrown as ReplayError naming the trace line or time.
//
// Thread: replay() is a pure function of its arguments and may run on several
// threads at once for different traces (policies and predictors are immutable).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/core/call_policy.h"
#include "engine/core/command.h"
#include "engine/core/event.h"
#include "engine/core/hall_config.h"
#include "engine/core/types.h"
#include "engine/core/wait_predictor.h"
#include "tools/replay/trace.h"

namespace hallq::replay {

class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Which idle window is offered waiting tickets first (see above).
enum class IdleOrder : std::uint8_t { kConfig, kLongestIdle };

struct ReplayOptions {
  const core::CallPolicy* policy = nullptr;        // null: the config's rules.policy
  const core::WaitPredictor* predictor = nullptr;  // null: predict::default_predictor()
  IdleOrder idle_order = IdleOrder::kConfig;
  // Called with every event the core emits, in order (e.g. to store a
  // replayed history as the engine would: statistics tests and benches).
  std::function<void(const core::Event&)> on_event;
  // Called with every command the core accepted, in order, after its events
  // went to on_event; not the hall's Ticks (an engine ticks by itself). E.g.
  // to play the same day through a running engine (bench/day_play.cc).
  std::function<void(const core::CommandBody&)> on_command;
};

// What happened to one arrival. Times are trace seconds.
struct TicketResult {
  std::string ticket;   // the trace's id
  std::string service;  // service id
  core::Priority priority = core::Priority::kNormal;
  double arrive_s = 0;
  std::int32_t predicted_wait_s = 0;  // the engine's prediction at issue
  std::uint32_t ahead = 0;            // people ahead at issue, as predicted
  std::optional<double> called_s;     // first call; none: never called
  std::string window;                 // window id of the first call; empty if never called
  std::optional<double> left_s;       // gave up (patience); none: did not
  // Neither called nor gone when the hall closed for the day: sent home
  // unserved, at the moment the hall's last open window closed (or, if a
  // window stayed open, when the day rolled or the trace ended); never before
  // the arrival. Not a results column (FORMAT.md has none for it).
  std::optional<double> sent_home_s;
  std::string number;  // as printed, "A012"
};

struct ReplayResult {
  std::vector<TicketResult> tickets;  // in the trace's arrive order
  std::uint64_t commands = 0;         // commands applied to the core, refusals (queue_empty) included
  std::uint64_t events = 0;           // events the core emitted
  std::uint64_t ignored_rows = 0;     // window rows that changed nothing (see above)
  double cpu_seconds = 0;             // CPU time of the replay on its thread (not parsing)
  // Per trace day (floor(time_s / 86400)), the time of its last close row:
  // when the hall closes and its waiting citizens are sent home, as score.py
  // counts it (day_closings) for the figures over everyone.
  std::map<std::int64_t, double> day_closing_s;
};

// Replays `trace`, which must have been parsed against `config` (same hall).
// Throws ReplayError if it was not, if the config's policy is unknown, or if
// the core refuses a command.
ReplayResult replay(std::shared_ptr<const core::HallConfig> config, const Trace& trace,
                    const ReplayOptions& options = {});

// Writes one row per ticket, columns
//   ticket,service,priority,arrive_s,predicted_wait_s,called_s,window,left_s,number,ahead
// (FORMAT.md's results columns first, exactly; empty fields for "none").
void write_results_csv(std::ostream& out, const ReplayResult& result);

// Wait figures as tools/traces/score.py computes them. First the criterion
// a hall is judged by (score.py's everyone_metrics; REFERENCE.md, "Counted
// over everyone who came"), so that a policy cannot look better by leaving
// citizens unserved:
//   waited_all_min  mean over every ticket of the time spent waiting: until
//                   the first call, until gone, or until sent home at its
//                   day's last close row (day_closing_s; the end of the day
//                   if it has none; never before the arrival) (NaN with no
//                   tickets);
//   unserved        tickets never called (gone, sent home, or still waiting
//                   when the trace ended);
//   served_in_target the share of every ticket called within the target
//                   (score.py's `sl`; NaN with no tickets).
// Then, for information, score.py's waits_metrics over the called tickets
// (first call minus arrival, minutes; NaN with none called).
struct WaitSummary {
  std::size_t tickets = 0;
  std::size_t called = 0;
  std::size_t left = 0;
  std::size_t unserved = 0;     // left, or sent home when the hall closed
  double waited_all_min = 0;    // mean over all tickets of the time spent waiting
  double served_in_target = 0;  // called within wait_target_min, over all tickets
  double mean_min = 0;
  double p90_min = 0;  // sorted waits[min(n - 1, int(0.9 n))], as score.py
  double max_min = 0;
  double over_target = 0;  // share of called tickets that waited longer than the target
};

WaitSummary summarize(const ReplayResult& result, double wait_target_min);

}  // namespace hallq::replay
