// hallq_replay_eval: replays hall traces under every call policy through the
// engine's own core and prints one table: per trace and policy first the
// criterion a hall is judged by, over everyone who came (all: mean minutes
// waited until called, gone or sent home; unserved; sl: the share of everyone
// called within the hall's target), then score.py's figures over the called
// citizens (mean, p90, max, share over target, citizens who gave up), for
// information (replay::WaitSummary), and the accuracy of the predicted waits
// against the QL and LES baselines (tools/replay/prediction_score.h), and
// that accuracy for the citizens whose service had none of its own windows
// open that day (closed: a case the play at issue gets wrong, bench/README.md
// "Issue 18"). It is how policies and predictors are compared; results are
// in bench/README.md.
//
//   hallq_replay_eval                       the shared traces (tools/traces)
//   hallq_replay_eval --case CONF:TRACE ... other halls and loads
//   hallq_replay_eval --policy balanced      one policy only
//   hallq_replay_eval --csv                  machine-readable
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/config/config_loader.h"
#include "engine/policy/policy_registry.h"
#include "tools/replay/prediction_score.h"
#include "tools/replay/replay.h"
#include "tools/replay/trace.h"

namespace {

struct Case {
  std::string conf, trace;
};

std::vector<Case> shared_cases(const std::string& root) {
  return {{root + "/conf/town.toml", root + "/tools/traces/town-week.csv"},
          {root + "/conf/town.toml", root + "/tools/traces/town-surge.csv"},
          {root + "/conf/bank.toml", root + "/tools/traces/bank-feb-01-14.csv"}};
}

// The engine's prediction error at issue over the called citizens whose
// service had no window serving it first open on their day (no `open` row of
// such a window that trace day): they are served only by windows that help.
struct ClosedScore {
  std::size_t called = 0;
  double mae_min = NAN;
};

ClosedScore score_closed(const hallq::core::HallConfig& config, const hallq::replay::Trace& trace,
                         const hallq::replay::ReplayResult& result) {
  using hallq::replay::TraceEvent;
  std::map<std::int64_t, std::set<hallq::core::ServiceIdx>>
      own_open;  // per day: services with a first-level window opened
  for (const hallq::replay::TraceRow& r : trace.rows) {
    if (r.event != TraceEvent::kOpen) continue;
    const auto day = static_cast<std::int64_t>(std::floor(r.time_s / 86400));
    for (const hallq::core::Skill& k : config.windows[r.window].serves)
      if (k.level == 1) own_open[day].insert(k.service);
  }
  ClosedScore out;
  double sum = 0;
  for (const hallq::replay::TicketResult& t : result.tickets) {
    if (!t.called_s) continue;
    const auto day = static_cast<std::int64_t>(std::floor(t.arrive_s / 86400));
    const auto service = config.find_service(t.service);
    if (!service || own_open[day].count(*service) > 0) continue;
    ++out.called;
    sum += std::abs(t.predicted_wait_s - (*t.called_s - t.arrive_s)) / 60;
  }
  if (out.called > 0) out.mae_min = sum / static_cast<double>(out.called);
  return out;
}

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hallq;
  CLI::App app{"Replays hall traces under each call policy and scores waits and predictions."};
  std::vector<std::string> case_args;
  std::vector<std::string> policies;
  std::string root = HALLQ_SOURCE_DIR;
  bool csv = false;
  app.add_option("--case", case_args, "CONF:TRACE (repeatable); default: the shared traces");
  app.add_option("--policy", policies, "policies to run (repeatable); default: all");
  app.add_option("--root", root, "repository root for the shared traces")->capture_default_str();
  app.add_flag("--csv", csv, "print CSV");
  CLI11_PARSE(app, argc, argv);

  std::vector<Case> cases;
  for (const std::string& a : case_args) {
    const auto colon = a.find(':');
    if (colon == std::string::npos) {
      std::cerr << "--case wants CONF:TRACE, got " << a << "\n";
      return 2;
    }
    cases.push_back({a.substr(0, colon), a.substr(colon + 1)});
  }
  if (cases.empty()) cases = shared_cases(root);
  if (policies.empty())
    for (std::string_view p : policy::policy_names()) policies.emplace_back(p);

  if (csv) {
    std::cout
        << "trace,policy,tickets,called,waited_all_min,unserved,served_in_target,mean_min,p90_min,max_min,"
           "over_target,left,mae_engine_min,mae_ql_min,mae_les_min,ratio,replay_ms,closed_called,"
           "mae_closed_min\n";
  } else {
    std::cout << fmt::format(
        "{:<22} {:<10} {:>7} {:>8} {:>6} | {:>7} {:>7} {:>7} {:>6} {:>5} | {:>6} {:>6} {:>6} {:>6} | {:>6} "
        "{:>6} | {:>7}\n",
        "trace", "policy", "all", "unserved", "sl", "mean", "p90", "max", "over", "left", "MAE", "QL", "LES",
        "ratio", "closed", "MAE", "replay");
  }
  for (const Case& c : cases) {
    std::shared_ptr<core::HallConfig> config;
    replay::Trace trace;
    try {
      config = config::load_hall_config(c.conf);
      trace = replay::load_trace(c.trace, *config);
    } catch (const std::exception& e) {
      std::cerr << "hallq_replay_eval: " << e.what() << "\n";
      return 2;
    }
    for (const std::string& name : policies) {
      const core::CallPolicy* policy = policy::find_policy(name);
      if (policy == nullptr) {
        std::cerr << "hallq_replay_eval: unknown policy " << name << "\n";
        return 2;
      }
      const auto start = std::chrono::steady_clock::now();
      const replay::ReplayResult result = replay::replay(config, trace, {.policy = policy});
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      const replay::WaitSummary w = replay::summarize(result, config->wait_target_min);
      const replay::PredictionScore p = replay::score_predictions(*config, trace, result);
      const ClosedScore closed = score_closed(*config, trace, result);
      const std::string trace_name = base_name(c.trace);
      if (csv) {
        std::cout << fmt::format(
            "{},{},{},{},{:.3f},{},{:.4f},{:.3f},{:.3f},{:.2f},{:.4f},{},{:.3f},{:.3f},{:.3f},{:.4f},{:.1f},{"
            "},"
            "{:.3f}\n",
            trace_name, name, w.tickets, w.called, w.waited_all_min, w.unserved, w.served_in_target,
            w.mean_min, w.p90_min, w.max_min, w.over_target, w.left, p.mae_engine_min, p.mae_ql_min,
            p.mae_les_min, p.ratio(), ms, closed.called, closed.mae_min);
      } else {
        std::cout << fmt::format(
            "{:<22} {:<10} {:>7.2f} {:>8} {:>6.3f} | {:>7.2f} {:>7.2f} {:>7.1f} {:>6.3f} {:>5} | {:>6.2f} "
            "{:>6.2f} {:>6.2f} {:>6.3f} | {:>6} {:>6.2f} | {:>5.0f}ms\n",
            trace_name, name, w.waited_all_min, w.unserved, w.served_in_target, w.mean_min, w.p90_min,
            w.max_min, w.over_target, w.left, p.mae_engine_min, p.mae_ql_min, p.mae_les_min, p.ratio(),
            closed.called, closed.mae_min, ms);
      }
    }
  }
  return 0;
}
