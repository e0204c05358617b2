// hallq_remote_eval: how right a walk-in's predicted wait is when remote
// tickets (网上取号, issue 20) are outstanding, judged against outcomes.
//
//   hallq_remote_eval [--conf conf/town.toml] [--service estate] [--days 20]
//                     [--share-cap X] [--csv]
//
// Plays deterministic simulated days (seed = the day's index) through the
// core (engine/core Hall with the config's policy and the default
// predictor): the windows whose first-level skill is the service open at
// 08:30 and stay open; walk-ins arrive from 08:30 to 16:30 as a Poisson
// stream, remote tickets are taken over the service's remote hours as
// another; each remote ticket's citizen either never comes (a quarter) or
// comes between 30 minutes before and 20 after its turn as reckoned at
// taking (those waiting × the expected handling time ÷ the windows; at least
// 5 minutes after taking; the day does not depend on the forecast) and checks in
// if the ticket was not dropped (so most check in before their turn, some in
// their grace, a few too late). Handling times are Erlang-2 with the service's expected mean. A free
// window calls next at once and starts; a Tick every minute lets the hall
// drop remote tickets whose grace ran out. Load: 0.9 of the windows
// counting every ticket taken (less served: some remote citizens never come).
//
// At each walk-in's issue, two predictions of its wait: `before`, the
// forecast's play leaving remote tickets not checked in out (as before issue
// 20's change: ForecastRequest::awaiting_remotes = false), and `after`, the
// engine's own (the default predictor; checked equal to the play with them
// in). At the end each called walk-in's actual wait (issue to first call)
// gives the error (predicted − actual, minutes): mean error and MAE, for the
// walk-ins that had remote tickets not checked in ahead of their place at
// issue and for the others, and how often the actual wait fell inside the
// 80% range the citizen's page shows around it (engine/view/wait_range.h,
// seconds); wide%: inside a range from the low end of the range around
// `before` to the high end of the one around `after` (not shown anywhere: a
// candidate for the page). --share-cap overrides the config's
// remote_call_share (town: 0.3; the forecast does not play the cap).
//
// The citizens' and clerks' behaviour is an assumption of this program, not
// measured anywhere; the program measures the forecast against it.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <queue>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "engine/config/config_loader.h"
#include "engine/core/calendar.h"
#include "engine/core/hall.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/view/wait_range.h"

namespace {

using namespace hallq;

constexpr double kLoad = 0.9;                  // offered load on the service's own windows
constexpr double kRemoteShare = 0.3;           // of the tickets taken, remote ones
constexpr double kNeverComes = 0.25;           // remote tickets whose citizen never comes
constexpr double kAimMin = -30, kAimMax = 20;  // minutes: when it comes, against the turn it was told
constexpr double kSoonestMin = 5;              // minutes from taking to coming, at least
constexpr const char* kDate = "2026-12-07";    // a Monday

struct Stat {
  int n = 0, inside = 0;  // inside: the actual wait in the 80% range the page shows (seconds)
  double sum = 0, abs = 0;
  void add(std::int32_t predicted_s, std::uint32_t ahead, double actual_s) {
    const double e = (predicted_s - actual_s) / 60;
    ++n;
    sum += e;
    abs += std::fabs(e);
    const view::WaitRange r = view::wait_range(predicted_s, ahead);
    inside += actual_s >= r.low_s && actual_s <= r.high_s;
  }
  double inside_pct() const { return n ? 100.0 * inside / n : std::nan(""); }
  // A wider range: from the low end of `low`'s to the high end of this one's.
  int inside_wide = 0;
  void add_wide(std::int32_t low_s, std::uint32_t low_ahead, std::int32_t high_s, std::uint32_t high_ahead,
                double actual_s) {
    const view::WaitRange lo = view::wait_range(low_s, low_ahead), hi = view::wait_range(high_s, high_ahead);
    inside_wide += actual_s >= std::min(lo.low_s, hi.low_s) && actual_s <= std::max(lo.high_s, hi.high_s);
  }
  double wide_pct() const { return n ? 100.0 * inside_wide / n : std::nan(""); }
  double mean() const { return n ? sum / n : std::nan(""); }
  double mae() const { return n ? abs / n : std::nan(""); }
};

struct Totals {
  Stat before[2], after[2];  // [0]: no remote ticket ahead at issue, [1]: some
  int uncalled = 0, unknown = 0;
  int remotes = 0, checked_in = 0, dropped = 0, refused_late = 0;
  double before_play_us = 0, after_play_us = 0;  // time in the plays at issue (wall clock)
  int plays = 0;
};

// The capped play the default predictor makes at issue (forecast_predictor.cc).
std::size_t max_calls(const core::Hall& hall) {
  return std::max<std::size_t>(24, 3 * hall.active_windows().size());
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : g_(seed) {}
  double uniform() { return static_cast<double>(g_() >> 11) * 0x1.0p-53; }
  double exponential(double mean) { return -mean * std::log1p(-uniform()); }

 private:
  std::mt19937_64 g_;
};

enum class Kind { kWalkIn, kRemoteTake, kRemoteComes, kFinish, kTick };
struct Ev {
  core::TimeUs at;
  std::uint64_t seq;
  Kind kind;
  std::uint64_t arg;  // kRemoteComes: the ticket; kFinish: the window
  bool operator>(const Ev& o) const { return std::tie(at, seq) > std::tie(o.at, o.seq); }
};

struct WalkIn {
  core::TicketId id;
  int awaiting, in_grace;  // remote tickets not checked in ahead at issue; of them, in their grace
  bool remote_ahead;
  std::int32_t before_s, after_s;
  std::uint32_t before_ahead, after_ahead;
};

void play_day(const std::shared_ptr<const core::HallConfig>& cfg, core::ServiceIdx s, int seed, bool dump,
              Totals& tot) {
  const core::CallPolicy* policy = policy::find_policy(cfg->rules.policy);
  core::Hall hall(cfg, policy, &predict::default_predictor());
  Rng rng(static_cast<std::uint64_t>(seed));
  const std::int64_t day = *core::parse_day(kDate);
  const core::TimeUs t0 = cfg->day_start(day);
  auto at_min = [&](double m) { return t0 + static_cast<core::TimeUs>(m * 60 * core::kUsPerSecond); };
  std::vector<core::Event> out;
  auto apply = [&](const core::CommandBody& body, core::TimeUs now) {
    out.clear();
    return hall.apply(core::Command{{}, body}, now, out).ok();
  };

  const core::ServiceConfig& svc = cfg->services[s];
  std::vector<std::string> windows;
  for (const core::WindowConfig& w : cfg->windows)
    for (const auto& k : w.serves)
      if (k.service == s && k.level == 1) windows.push_back(w.id);
  const double mean_s = svc.expected_handle_min * 60.0;
  const double rate = kLoad * static_cast<double>(windows.size()) / mean_s;  // tickets taken per second
  const core::RemoteConfig* rc = cfg->remote_of(s);
  const double remote_rate = rc ? rate * kRemoteShare : 0;
  const double walk_rate = rate - remote_rate;

  std::priority_queue<Ev, std::vector<Ev>, std::greater<>> q;
  std::uint64_t seq = 0;
  auto push = [&](core::TimeUs at, Kind k, std::uint64_t arg = 0) { q.push({at, seq++, k, arg}); };
  const core::TimeUs open = at_min(8 * 60 + 30), last_issue = at_min(16 * 60 + 30);
  for (const std::string& w : windows) apply(core::OpenWindow{w, ""}, open);
  for (double t = 8 * 60 + 30;;) {
    t += rng.exponential(1 / walk_rate) / 60;
    if (at_min(t) >= last_issue) break;
    push(at_min(t), Kind::kWalkIn);
  }
  if (remote_rate > 0) {
    for (double t = 8 * 60 + 30;;) {
      t += rng.exponential(1 / remote_rate) / 60;
      if (at_min(t) >= last_issue) break;
      push(at_min(t), Kind::kRemoteTake);
    }
  }
  for (core::TimeUs t = open; t < at_min(24 * 60 - 1); t += 60 * core::kUsPerSecond) push(t, Kind::kTick);

  std::vector<bool> busy(windows.size(), false);
  std::vector<WalkIn> walk_ins;
  std::uint32_t person = 0;
  auto call_free = [&](core::TimeUs now) {
    for (std::size_t w = 0; w < windows.size(); ++w) {
      if (busy[w] || !apply(core::CallNext{windows[w]}, now)) continue;
      apply(core::StartService{windows[w]}, now);
      busy[w] = true;
      const double handle = rng.exponential(mean_s / 2) + rng.exponential(mean_s / 2);
      push(now + static_cast<core::TimeUs>(handle * core::kUsPerSecond), Kind::kFinish, w);
    }
  };
  while (!q.empty()) {
    const Ev e = q.top();
    q.pop();
    switch (e.kind) {
      case Kind::kWalkIn: {
        (void)apply(core::Tick{}, e.at);  // drops due first, as the issue would
        int awaiting = 0, in_grace = 0;
        for (const core::RemoteTicket& r : hall.remotes()) {
          const core::Ticket* t = hall.find_ticket(r.ticket);
          if (r.service != s || r.state != core::RemoteState::kAwaiting ||
              t->state != core::TicketState::kNotArrived)
            continue;
          ++awaiting;
          in_grace += r.grace_until != 0;
        }
        const auto play = [&](bool remotes) {
          return predict::forecast(hall, e.at,
                                   {.stop_at_probe = true,
                                    .service = s,
                                    .max_calls = max_calls(hall),
                                    .awaiting_remotes = remotes})
              .normal[s];
        };
        const auto t0 = std::chrono::steady_clock::now();
        const predict::NewcomerForecast b = play(false);
        const auto t1 = std::chrono::steady_clock::now();
        const predict::NewcomerForecast a = play(true);
        const auto t2 = std::chrono::steady_clock::now();
        tot.before_play_us += std::chrono::duration<double, std::micro>(t1 - t0).count();
        tot.after_play_us += std::chrono::duration<double, std::micro>(t2 - t1).count();
        ++tot.plays;
        if (!apply(core::IssueTicket{svc.id}, e.at)) break;
        const auto& issued = std::get<core::TicketIssued>(out.back().body);
        if (issued.predicted_wait_s != a.wait_s && a.wait_s != predict::kUnknownWait) {
          std::cerr << "the engine's prediction is not the play with remote tickets in\n";
          std::exit(1);
        }
        if (a.wait_s == predict::kUnknownWait || b.wait_s == predict::kUnknownWait) {
          ++tot.unknown;
          break;
        }
        walk_ins.push_back(
            {issued.ticket, awaiting, in_grace, awaiting > 0, b.wait_s, a.wait_s, b.ahead, a.ahead});
        break;
      }
      case Kind::kRemoteTake: {
        const std::string hash = fmt::format("{:064x}", (static_cast<std::uint64_t>(seed) << 32) + ++person);
        if (!apply(core::IssueRemote{svc.id, hash, "", person}, e.at)) break;
        ++tot.remotes;
        const auto& issued = std::get<core::RemoteTicketIssued>(out.back().body);
        if (rng.uniform() >= kNeverComes) {
          // Aims at its turn as a person would reckon it, early or late: the people
          // ahead of its place times the mean handling time over the open windows
          // (not the forecast, so that the day is the same whatever the forecast).
          const double told = static_cast<double>(hall.waiting(s)) * svc.expected_handle_min /
                              static_cast<double>(windows.size());
          const double comes = std::max(kSoonestMin, told + kAimMin + rng.uniform() * (kAimMax - kAimMin));
          push(e.at + static_cast<core::TimeUs>(comes * 60 * core::kUsPerSecond), Kind::kRemoteComes,
               issued.ticket);
        }
        break;
      }
      case Kind::kRemoteComes: {
        const core::RemoteTicket* r = hall.find_remote(e.arg);
        if (apply(core::CheckIn{r->code}, e.at))
          ++tot.checked_in;
        else
          ++tot.refused_late;
        break;
      }
      case Kind::kFinish:
        apply(core::Finish{windows[e.arg]}, e.at);
        busy[e.arg] = false;
        break;
      case Kind::kTick:
        (void)apply(core::Tick{}, e.at);
        break;
    }
    call_free(e.at);
  }
  for (const core::RemoteTicket& r : hall.remotes()) tot.dropped += r.state == core::RemoteState::kDropped;
  for (const WalkIn& w : walk_ins) {
    const core::Ticket* t = hall.find_ticket(w.id);
    if (t == nullptr || t->first_called_at == 0) {
      ++tot.uncalled;
      continue;
    }
    const double actual = static_cast<double>(t->first_called_at - t->issued_at) / core::kUsPerSecond;
    tot.before[w.remote_ahead].add(w.before_s, w.before_ahead, actual);
    tot.after[w.remote_ahead].add(w.after_s, w.after_ahead, actual);
    tot.after[w.remote_ahead].add_wide(w.before_s, w.before_ahead, w.after_s, w.after_ahead, actual);
    if (dump)
      std::cout << fmt::format("{},{},{},{},{},{},{:.0f}\n", seed, t->number, w.awaiting, w.in_grace,
                               w.before_s, w.after_s, actual);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hallq_remote_eval: walk-ins' predicted waits with remote tickets outstanding"};
  std::string conf = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
  std::string service = "estate";
  int days = 20;
  double cap = -1;
  bool csv = false, dump = false;
  app.add_option("--conf", conf, "hall config")->capture_default_str();
  app.add_option("--service", service, "a service that takes remote tickets")->capture_default_str();
  app.add_option("--days", days, "simulated days (seeds 1..N)")->capture_default_str();
  app.add_option("--share-cap", cap, "remote_call_share to use instead of the config's (0..1)");
  app.add_flag("--csv", csv, "machine-readable output");
  app.add_flag("--dump", dump,
               "every called walk-in: day,number,awaiting,in_grace,before_s,after_s,actual_s");
  CLI11_PARSE(app, argc, argv);

  auto cfg = std::make_shared<core::HallConfig>(*config::load_hall_config(conf));
  if (cap >= 0) cfg->rules.remote_call_share = cap;
  const auto s = cfg->find_service(service);
  if (!s || cfg->remote_of(*s) == nullptr) {
    std::cerr << "service \"" << service << "\" takes no remote tickets in " << conf << "\n";
    return 2;
  }
  Totals tot;
  for (int d = 1; d <= days; ++d) play_day(cfg, *s, d, dump, tot);
  if (dump) return 0;

  const char* groups[] = {"no remote ahead", "remote ahead"};
  if (csv) {
    std::cout << "group,walk_ins,before_mean_err_min,before_mae_min,before_inside_pct,after_mean_err_min,"
                 "after_mae_min,after_inside_pct,wide_inside_pct\n";
    for (int g : {1, 0})
      std::cout << fmt::format("{},{},{:.3f},{:.3f},{:.1f},{:.3f},{:.3f},{:.1f},{:.1f}\n", groups[g],
                               tot.after[g].n, tot.before[g].mean(), tot.before[g].mae(),
                               tot.before[g].inside_pct(), tot.after[g].mean(), tot.after[g].mae(),
                               tot.after[g].inside_pct(), tot.after[g].wide_pct());
  } else {
    std::cout << fmt::format(
        "{} days of {} at {} (remote_call_share {}): remote tickets {}, checked in {}, "
        "dropped {}, came too late {}; walk-ins never called {}, with no open window {}\n",
        days, service, cfg->id, cfg->rules.remote_call_share, tot.remotes, tot.checked_in, tot.dropped,
        tot.refused_late, tot.uncalled, tot.unknown);
    std::cout << fmt::format(
        "a walk-in's play at issue: {:.2f} µs without remote tickets not checked in, {:.2f} µs "
        "with them (mean of {}; wall clock)\n",
        tot.before_play_us / tot.plays, tot.after_play_us / tot.plays, tot.plays);
    std::cout << fmt::format("{:<16} {:>6} | {:>9} {:>6} {:>7} | {:>9} {:>6} {:>7} | {:>7}\n", "walk-ins",
                             "n", "before ME", "MAE", "inside%", "after ME", "MAE", "inside%", "wide%");
    for (int g : {1, 0})
      std::cout << fmt::format(
          "{:<16} {:>6} | {:>9.2f} {:>6.2f} {:>7.1f} | {:>9.2f} {:>6.2f} {:>7.1f} | {:>7.1f}\n", groups[g],
          tot.after[g].n, tot.before[g].mean(), tot.before[g].mae(), tot.before[g].inside_pct(),
          tot.after[g].mean(), tot.after[g].mae(), tot.after[g].inside_pct(), tot.after[g].wide_pct());
  }
  return 0;
}
