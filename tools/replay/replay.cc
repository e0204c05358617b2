// The replay's discrete-event loop. The core is the only owner of hall state;
// the replay keeps just what the core does not know (ground truth of the
// trace, pending pauses and closes, the timers of services and patience) and
// learns every outcome from the core's events.
#include "tools/replay/replay.h"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <ostream>
#include <queue>
#include <tuple>

#include "engine/core/calendar.h"
#include "engine/core/hall.h"
#include "engine/core/ticket.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"

namespace hallq::replay {
namespace {

using core::TimeUs;

constexpr double kDaySeconds = 86400;

// FORMAT.md: an absent citizen is recalled 30 s after the call and skipped 30 s later.
constexpr TimeUs kRecallAfter = 30 * core::kUsPerSecond;
constexpr TimeUs kSkipAfter = 60 * core::kUsPerSecond;
constexpr TimeUs kNever = std::numeric_limits<TimeUs>::max();

// Trace second 0 is local midnight of this day: a Monday, fixed so that replays
// are reproducible and day numbers in events are the same on every run.
const std::int64_t kEpochDay = core::day_number({2026, 1, 5});

TimeUs to_us(double s) { return std::llround(s * static_cast<double>(core::kUsPerSecond)); }
double to_s(TimeUs us) { return static_cast<double>(us) / core::kUsPerSecond; }

// First local midnight strictly after trace time `t` (trace time 0 is a midnight).
TimeUs midnight_after(TimeUs t) { return core::day_start(core::local_day(t, 0) + 1, 0); }

// CPU time of the calling thread: replays of several traces may run in parallel.
double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

enum class Action : std::uint8_t { kFinish, kRecall, kSkip, kPatience };

// Phase 0 runs before the instant's trace rows, phase 1 after them.
struct Timer {
  TimeUs t = 0;
  std::uint8_t phase = 0;
  std::uint64_t seq = 0;  // scheduling order: ties within a phase
  Action action = Action::kFinish;
  std::uint32_t target = 0;  // window index, or ticket index for kPatience

  bool operator>(const Timer& o) const { return std::tie(t, phase, seq) > std::tie(o.t, o.phase, o.seq); }
};

enum class Pending : std::uint8_t { kNone, kPause, kClose };
enum class Fate : std::uint8_t { kUnissued, kWaiting, kCalled, kLeft, kExpired };

class Replayer {
 public:
  Replayer(std::shared_ptr<const core::HallConfig> config, const Trace& trace, const core::CallPolicy& policy,
           const core::WaitPredictor& predictor, IdleOrder idle_order,
           std::function<void(const core::Event&)> sink,
           std::function<void(const core::CommandBody&)> commands)
      : config_(std::move(config)),
        cfg_(*config_),
        trace_(trace),
        hall_(config_, &policy, &predictor),
        epoch_(cfg_.day_start(kEpochDay)),
        idle_order_(idle_order),
        sink_(std::move(sink)),
        commands_(std::move(commands)),
        pending_(cfg_.windows.size(), Pending::kNone),
        fate_(trace.arrivals, Fate::kUnissued),
        arrival_row_(trace.arrivals, nullptr) {
    result_.tickets.resize(trace.arrivals);
    std::size_t i = 0;
    for (const TraceRow& row : trace.rows) {
      if (row.event != TraceEvent::kArrive) continue;
      TicketResult& r = result_.tickets[i];
      r.ticket = row.ticket;
      r.service = cfg_.services[row.service].id;
      r.priority = row.priority;
      r.arrive_s = row.time_s;
      arrival_row_[i++] = &row;
    }
  }

  ReplayResult run() {
    const double cpu_start = thread_cpu_seconds();
    const std::vector<TraceRow>& rows = trace_.rows;
    std::vector<TimeUs> row_t(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) row_t[i] = to_us(rows[i].time_s);

    std::size_t r = 0;
    std::size_t next_arrival = 0;
    TimeUs next_midnight = rows.empty() ? kNever : midnight_after(row_t[0]);
    while (true) {
      TimeUs t = r < rows.size() ? row_t[r] : kNever;
      if (!timers_.empty()) t = std::min(t, timers_.top().t);
      if (t == kNever) break;
      if (t >= next_midnight) {
        // The daily reset comes before anything else at or after midnight.
        now_ = next_midnight;
        apply(core::Tick{}, [] { return std::string("midnight"); });
        next_midnight += core::kUsPerDay;
        continue;
      }
      now_ = t;
      // FORMAT.md: an idle window calls "at once", so windows are offered the
      // queue after every single step, not once per instant.
      while (!timers_.empty() && timers_.top().t == t && timers_.top().phase == 0) {
        fire(pop());
        call_idle_windows();
      }
      for (; r < rows.size() && row_t[r] == t; ++r) {
        play(rows[r], next_arrival);
        call_idle_windows();
      }
      while (!timers_.empty() && timers_.top().t == t && timers_.top().phase == 1) {
        fire(pop());
        call_idle_windows();
      }
    }
    send_home(to_s(now_));  // whoever still waits when the trace ends
    result_.cpu_seconds = thread_cpu_seconds() - cpu_start;
    return std::move(result_);
  }

 private:
  // ------------------------------------------------------------ core access

  // Applies `body` now; events update the results. Returns the core's status.
  core::Status try_apply(const core::CommandBody& body) {
    events_.clear();
    ++result_.commands;
    core::Status st = hall_.apply(core::Command{{}, body}, epoch_ + now_, events_);
    result_.events += events_.size();
    for (const core::Event& e : events_) {
      on_event(e);
      if (sink_) sink_(e);
    }
    if (st.ok() && commands_ && !std::holds_alternative<core::Tick>(body)) commands_(body);
    return st;
  }

  // As try_apply, but a refusal is a replay (or core) bug: thrown with `where()`.
  template <class Where>
  void apply(const core::CommandBody& body, const Where& where) {
    core::Status st = try_apply(body);
    if (!st.ok()) refused(body, st, where());
  }

  [[noreturn]] void refused(const core::CommandBody& body, const core::Status& st, const std::string& where) {
    throw ReplayError(fmt::format("{}: t={} s: {}: the core refused {}: {}: {}", trace_.source, to_s(now_),
                                  where, core::verb(body), core::to_string(st.code()), st.message()));
  }

  std::string at_line(const TraceRow& row) const {
    return fmt::format("line {} ({})", row.line, to_string(row.event));
  }
  std::string at_window(core::WindowIdx w, std::string_view what) const {
    const core::TicketId id = hall_.window(w).current;
    const std::size_t i = id != 0 ? index_of(id) : kNoIndex;
    if (i == kNoIndex) return fmt::format("{} at window {}", what, cfg_.windows[w].id);
    return fmt::format("{} at window {} (ticket {}, line {})", what, cfg_.windows[w].id,
                       result_.tickets[i].ticket, arrival_row_[i]->line);
  }

  void on_event(const core::Event& e) {
    const double t = to_s(e.time - epoch_);
    std::visit(
        [&](const auto& ev) {
          using E = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<E, core::TicketIssued>) {
            if (id_base_ == 0) id_base_ = ev.ticket;
            if (ev.ticket - id_base_ != issuing_) {
              throw ReplayError(
                  fmt::format("{}: ticket ids from the core are not consecutive", trace_.source));
            }
            TicketResult& r = result_.tickets[issuing_];
            r.predicted_wait_s = ev.predicted_wait_s;
            r.ahead = ev.ahead;
            r.number =
                core::format_number(cfg_.services[ev.service].prefix, ev.number, cfg_.rules.number_digits);
            fate_[issuing_] = Fate::kWaiting;
            waiting_today_.push_back(issuing_);
          } else if constexpr (std::is_same_v<E, core::TicketCalled>) {
            const std::size_t i = known(ev.ticket);
            TicketResult& r = result_.tickets[i];
            if (!r.called_s) {
              r.called_s = t;
              r.window = cfg_.windows[ev.window].id;
            }
            fate_[i] = Fate::kCalled;
            last_called_ = i;
          } else if constexpr (std::is_same_v<E, core::TicketLeft>) {
            const std::size_t i = known(ev.ticket);
            result_.tickets[i].left_s = t;
            fate_[i] = Fate::kLeft;
          } else if constexpr (std::is_same_v<E, core::DayRolled>) {
            send_home(t);
          } else if constexpr (std::is_same_v<E, core::WindowOpened>) {
            ++open_windows_;
          } else if constexpr (std::is_same_v<E, core::WindowClosed>) {
            if (--open_windows_ == 0) hall_closed_s_ = t;
          }
        },
        e.body);
  }

  // Today's tickets still waiting expire: sent home when the hall's last
  // window closed, or at `t` (trace seconds) if one is still open.
  void send_home(double t) {
    for (std::size_t i : waiting_today_) {
      if (fate_[i] != Fate::kWaiting) continue;
      fate_[i] = Fate::kExpired;
      TicketResult& r = result_.tickets[i];
      r.sent_home_s = std::max(r.arrive_s, open_windows_ == 0 ? hall_closed_s_ : t);
    }
    waiting_today_.clear();
  }

  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);

  std::size_t index_of(core::TicketId id) const {
    const std::size_t i = id_base_ != 0 && id >= id_base_ ? id - id_base_ : kNoIndex;
    return i < fate_.size() && fate_[i] != Fate::kUnissued ? i : kNoIndex;
  }

  // index_of for a ticket the core reports on, which must be one of the trace's.
  std::size_t known(core::TicketId id) const {
    const std::size_t i = index_of(id);
    if (i == kNoIndex) {
      throw ReplayError(fmt::format("{}: t={} s: the core reports on ticket id {}, issued for no row",
                                    trace_.source, to_s(now_), id));
    }
    return i;
  }

  // ------------------------------------------------------------ timers

  void schedule(TimeUs t, std::uint8_t phase, Action action, std::uint32_t target) {
    timers_.push({t, phase, next_timer_seq_++, action, target});
  }
  Timer pop() {
    Timer tm = timers_.top();
    timers_.pop();
    return tm;
  }

  void fire(const Timer& tm) {
    const auto w = static_cast<core::WindowIdx>(tm.target);
    switch (tm.action) {
      case Action::kFinish:
        apply(core::Finish{cfg_.windows[w].id}, [&] { return at_window(w, "finish"); });
        window_freed(w);
        break;
      case Action::kRecall:
        apply(core::Recall{cfg_.windows[w].id}, [&] { return at_window(w, "recall"); });
        break;
      case Action::kSkip:
        apply(core::SkipTicket{cfg_.windows[w].id}, [&] { return at_window(w, "no-show skip"); });
        window_freed(w);
        break;
      case Action::kPatience: {
        const std::size_t i = tm.target;
        if (fate_[i] != Fate::kWaiting) break;  // called, or expired at midnight
        apply(core::Cancel{result_.tickets[i].number, core::LeaveReason::kGaveUp}, [&] {
          return fmt::format("patience of ticket {} (line {})", result_.tickets[i].ticket,
                             arrival_row_[i]->line);
        });
        break;
      }
    }
  }

  // A pause or close that waited for the window's ticket takes effect now.
  void window_freed(core::WindowIdx w) {
    const Pending p = std::exchange(pending_[w], Pending::kNone);
    if (p == Pending::kPause) {
      apply(core::PauseWindow{cfg_.windows[w].id}, [&] { return at_window(w, "deferred pause"); });
    } else if (p == Pending::kClose) {
      apply(core::CloseWindow{cfg_.windows[w].id}, [&] { return at_window(w, "deferred close"); });
    }
  }

  // ------------------------------------------------------------ trace rows

  void play(const TraceRow& row, std::size_t& next_arrival) {
    auto where = [&] { return at_line(row); };
    if (row.event == TraceEvent::kArrive) {
      issuing_ = next_arrival++;
      apply(core::IssueTicket{cfg_.services[row.service].id, row.priority}, where);
      if (fate_[issuing_] != Fate::kWaiting) {
        throw ReplayError(fmt::format("{}:{}: the core issued no ticket", trace_.source, row.line));
      }
      if (row.patience_s) schedule(now_ + to_us(*row.patience_s), 1, Action::kPatience, issuing_);
      return;
    }
    const core::WindowIdx w = row.window;
    const std::string_view id = cfg_.windows[w].id;
    const core::Window& win = hall_.window(w);
    const bool closed = win.state == core::WindowState::kClosed;
    const bool paused = win.state == core::WindowState::kPaused;
    const bool busy = win.current != 0;
    Pending& pending = pending_[w];
    switch (row.event) {
      case TraceEvent::kOpen:
        if (closed) {
          apply(core::OpenWindow{id, free_staff()}, where);
        } else if (pending == Pending::kClose) {
          pending = Pending::kNone;
        } else {
          ++result_.ignored_rows;
        }
        break;
      case TraceEvent::kClose:
        if (closed || pending == Pending::kClose) {
          ++result_.ignored_rows;
        } else if (busy) {
          pending = Pending::kClose;
        } else {
          apply(core::CloseWindow{id}, where);
        }
        break;
      case TraceEvent::kPause:
        if (closed || paused || pending != Pending::kNone) {
          ++result_.ignored_rows;
        } else if (busy) {
          pending = Pending::kPause;
        } else {
          apply(core::PauseWindow{id}, where);
        }
        break;
      case TraceEvent::kResume:
        if (pending == Pending::kPause) {
          pending = Pending::kNone;
        } else if (paused) {
          apply(core::ResumeWindow{id}, where);
        } else {
          ++result_.ignored_rows;
        }
        break;
      case TraceEvent::kArrive:
        break;
    }
  }

  std::string_view free_staff() const {
    for (const core::StaffConfig& s : cfg_.staff) {
      bool taken = false;
      for (const core::Window& win : hall_.windows())
        taken = taken || (win.state != core::WindowState::kClosed && hall_.staff_id(win.staff) == s.id);
      if (!taken) return s.id;
    }
    return {};  // no staff configured (or all taken: the core then says so)
  }

  // ------------------------------------------------------------ calling

  // Offers the waiting tickets to every idle window, in the order of
  // options.idle_order; each calls by the policy or stays idle (queue_empty).
  void call_idle_windows() {
    if (hall_.waiting_total() == 0) return;
    idle_.clear();
    const auto& windows = hall_.windows();
    for (std::size_t w = 0; w < windows.size(); ++w) {
      if (!core::is_idle(windows[w])) continue;
      const TimeUs since = idle_order_ == IdleOrder::kLongestIdle
                               ? std::max(windows[w].idle_since, windows[w].state_since)
                               : 0;
      idle_.emplace_back(since, w);
    }
    if (idle_order_ == IdleOrder::kLongestIdle) std::sort(idle_.begin(), idle_.end());
    for (const auto& [since, w_index] : idle_) {
      if (hall_.waiting_total() == 0) break;
      const auto w = static_cast<core::WindowIdx>(w_index);
      last_called_ = kNoIndex;
      const core::Status st = try_apply(core::CallNext{cfg_.windows[w].id});
      if (st.code() == core::ErrorCode::kQueueEmpty) continue;
      if (!st.ok()) refused(core::CallNext{cfg_.windows[w].id}, st, at_window(w, "call"));
      if (last_called_ == kNoIndex) {
        throw ReplayError(fmt::format("{}: t={} s: call at window {} called no ticket of the trace",
                                      trace_.source, to_s(now_), cfg_.windows[w].id));
      }
      const TraceRow& row = *arrival_row_[last_called_];
      if (row.absent) {
        schedule(now_ + kRecallAfter, 0, Action::kRecall, w);
        schedule(now_ + kSkipAfter, 0, Action::kSkip, w);
      } else {
        apply(core::StartService{cfg_.windows[w].id}, [&] { return at_window(w, "start"); });
        schedule(now_ + to_us(row.handle_s), 0, Action::kFinish, w);
      }
    }
  }

  std::shared_ptr<const core::HallConfig> config_;
  const core::HallConfig& cfg_;
  const Trace& trace_;
  core::Hall hall_;
  const TimeUs epoch_;  // core time of trace second 0
  const IdleOrder idle_order_;
  const std::function<void(const core::Event&)> sink_;
  const std::function<void(const core::CommandBody&)> commands_;
  TimeUs now_ = 0;  // trace time, microseconds

  std::vector<Pending> pending_;              // per window
  std::vector<Fate> fate_;                    // per arrival
  std::vector<const TraceRow*> arrival_row_;  // per arrival
  std::vector<std::size_t> waiting_today_;    // arrivals issued since the last day roll
  core::TicketId id_base_ = 0;                // core id of the first arrival
  std::size_t issuing_ = 0;                   // arrival whose IssueTicket is being applied
  std::size_t last_called_ = kNoIndex;        // arrival named by the last TicketCalled
  int open_windows_ = 0;                      // windows not closed (paused ones count)
  double hall_closed_s_ = 0;                  // trace time the last open window closed

  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::uint64_t next_timer_seq_ = 0;
  std::vector<core::Event> events_;
  std::vector<std::pair<TimeUs, std::size_t>> idle_;
  ReplayResult result_;
};

// Shortest text that reads back as the same double ("30647", "12.5").
std::string seconds(double s) { return fmt::format("{}", s); }

}  // namespace

ReplayResult replay(std::shared_ptr<const core::HallConfig> config, const Trace& trace,
                    const ReplayOptions& options) {
  if (!config) throw ReplayError("replay: no hall config");
  if (trace.hall != config->id) {
    throw ReplayError(
        fmt::format("{}: the trace was read for hall {}, not {}", trace.source, trace.hall, config->id));
  }
  for (const TraceRow& row : trace.rows) {
    if ((row.event == TraceEvent::kArrive && row.service >= config->services.size()) ||
        (row.event != TraceEvent::kArrive && row.window >= config->windows.size())) {
      throw ReplayError(fmt::format("{}:{}: the trace was read against another config of hall {}",
                                    trace.source, row.line, config->id));
    }
  }
  const core::CallPolicy* policy = options.policy;
  if (policy == nullptr) {
    policy = policy::find_policy(config->rules.policy);
    if (policy == nullptr) {
      throw ReplayError(fmt::format("hall {}: unknown call policy \"{}\"", config->id, config->rules.policy));
    }
  }
  const core::WaitPredictor* predictor =
      options.predictor ? options.predictor : &predict::default_predictor();
  ReplayResult result = Replayer(std::move(config), trace, *policy, *predictor, options.idle_order,
                                 options.on_event, options.on_command)
                            .run();
  for (const TraceRow& row : trace.rows) {
    if (row.event != TraceEvent::kClose) continue;
    const auto day = static_cast<std::int64_t>(std::floor(row.time_s / kDaySeconds));
    double& closing = result.day_closing_s.try_emplace(day, row.time_s).first->second;
    closing = std::max(closing, row.time_s);
  }
  return result;
}

void write_results_csv(std::ostream& out, const ReplayResult& result) {
  std::string text =
      "ticket,service,priority,arrive_s,predicted_wait_s,called_s,window,left_s,number,ahead\n";
  text.reserve(result.tickets.size() * 64);
  for (const TicketResult& t : result.tickets) {
    fmt::format_to(std::back_inserter(text), "{},{},{},{},{},{},{},{},{},{}\n", t.ticket, t.service,
                   core::to_string(t.priority), seconds(t.arrive_s), t.predicted_wait_s,
                   t.called_s ? seconds(*t.called_s) : std::string(), t.window,
                   t.left_s ? seconds(*t.left_s) : std::string(), t.number, t.ahead);
  }
  out << text;
}

WaitSummary summarize(const ReplayResult& result, double wait_target_min) {
  WaitSummary s;
  s.tickets = result.tickets.size();
  std::vector<double> waits;
  waits.reserve(result.tickets.size());
  double waited_all_s = 0;
  for (const TicketResult& t : result.tickets) {
    if (t.called_s) waits.push_back(*t.called_s - t.arrive_s);
    if (t.left_s) ++s.left;
    if (!t.called_s) ++s.unserved;
    if (t.called_s || t.left_s) {
      waited_all_s += *(t.called_s ? t.called_s : t.left_s) - t.arrive_s;
      continue;
    }
    // Sent home at the day's last close, as score.py's everyone_metrics.
    const auto day = static_cast<std::int64_t>(std::floor(t.arrive_s / kDaySeconds));
    const auto closing = result.day_closing_s.find(day);
    const double end =
        closing != result.day_closing_s.end() ? closing->second : static_cast<double>(day + 1) * kDaySeconds;
    waited_all_s += std::max(end, t.arrive_s) - t.arrive_s;
  }
  const double target_s = wait_target_min * 60;
  const auto in_target = std::count_if(waits.begin(), waits.end(), [&](double w) { return w <= target_s; });
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double tickets = static_cast<double>(s.tickets);
  s.waited_all_min = s.tickets == 0 ? nan : waited_all_s / tickets / 60;
  s.served_in_target = s.tickets == 0 ? nan : static_cast<double>(in_target) / tickets;
  s.called = waits.size();
  if (waits.empty()) {
    s.mean_min = s.p90_min = s.max_min = s.over_target = nan;
    return s;
  }
  std::sort(waits.begin(), waits.end());
  const double n = static_cast<double>(waits.size());
  double sum = 0;
  std::size_t over = 0;
  for (double w : waits) {
    sum += w;
    if (w > target_s) ++over;
  }
  // score.py: xs[min(len(xs) - 1, int(p * len(xs)))]
  const auto p90 = std::min(waits.size() - 1, static_cast<std::size_t>(0.9 * n));
  s.mean_min = sum / n / 60;
  s.p90_min = waits[p90] / 60;
  s.max_min = waits.back() / 60;
  s.over_target = static_cast<double>(over) / n;
  return s;
}

}  // namespace hallq::replay
