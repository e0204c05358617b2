// hallq_report_bench: how long `hallq report` takes for a month of a busy hall.
//
// Generates a trace with tools/traces/tracegen.py (default: the district hall,
// 30 days), replays it through the real core into a fresh LMDB store (as
// hallqd would have stored it), then times the report: the store reader (binary
// search, decode, fold), the aggregation by day, the CSV and HTML documents,
// in process (median of --runs), and the `hallq report` program end to end.
//
//   hallq_report_bench [--conf conf/district.toml] [--days 30] [--util 0.85] [--seed 7]
//                      [--trace FILE] [--runs 5] [--keep DIR]
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/config/config_loader.h"
#include "engine/core/calendar.h"
#include "engine/core/hall.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/stats/history.h"
#include "engine/stats/report_tables.h"
#include "engine/store/event_store.h"
#include "tests/support/program_output.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tools/replay/replay.h"
#include "tools/replay/replay_store.h"
#include "tools/replay/trace.h"

namespace {

using namespace hallq;
using hallq::testing::slurp;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string run_tracegen(const std::string& conf, int days, double util, int seed) {
  const std::string cmd =
      fmt::format("python3 '{}/tools/traces/tracegen.py' '{}' --days {} --util {} --seed {}",
                  HALLQ_SOURCE_DIR, conf, days, util, seed);
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) throw std::runtime_error("failed: " + cmd);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Times hallq report on a month of a busy hall");
  std::string conf = std::string(HALLQ_SOURCE_DIR) + "/conf/district.toml", trace_path, keep;
  int days = 30, seed = 7, runs = 5;
  double util = 0.85;
  app.add_option("--conf", conf);
  app.add_option("--days", days);
  app.add_option("--util", util);
  app.add_option("--seed", seed);
  app.add_option("--trace", trace_path, "a trace instead of generating one");
  app.add_option("--runs", runs);
  app.add_option("--keep", keep, "keep the store in this (new) directory");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto config = config::load_hall_config(conf);
    auto t0 = Clock::now();
    const std::string text = trace_path.empty() ? run_tracegen(conf, days, util, seed) : slurp(trace_path);
    const replay::Trace trace =
        replay::parse_trace(text, trace_path.empty() ? "tracegen" : trace_path, *config);
    fmt::print("trace: {} rows, generated/read in {:.2f} s\n", trace.rows.size(), since(t0));

    hallq::testing::TempDir tmp("hallq-report-bench");
    const std::string dir = keep.empty() ? tmp.path() + "/store" : keep;
    t0 = Clock::now();
    const replay::ReplayResult result = replay::replay_into_store(config, trace, dir);
    fmt::print("stored {} events of {} tickets in {:.2f} s ({})\n", result.events, result.tickets.size(),
               since(t0), dir);

    // The replay's days: local midnight of 2026-01-05 on (replay.h).
    const std::int64_t first = *core::parse_day("2026-01-05");
    const std::int64_t last = first + days - 1;
    const std::string chart_js = slurp(HALLQ_CHART_JS);
    std::vector<double> times, fold_times;
    std::size_t bytes = 0;
    std::uint64_t read = 0;
    for (int r = 0; r < runs; ++r) {
      const auto start = Clock::now();
      store::EventStore store({.dir = dir, .read_only = true});
      const stats::HistoryResult h =
          stats::read_history(store, config, {.first_day = first, .last_day = last});
      fold_times.push_back(since(start));
      bytes =
          stats::csv_by_service(h.stats, *config).size() + stats::csv_by_window(h.stats, *config).size() +
          stats::csv_by_staff(h.stats, *config).size() + stats::csv_by_period(h.stats).size() +
          stats::render_html(h.stats, *config, {.title = "服务大厅运行月报", .chart_js = chart_js}).size();
      times.push_back(since(start));
      read = h.events_read;
    }
    std::sort(times.begin(), times.end());
    std::sort(fold_times.begin(), fold_times.end());
    const double median = times[times.size() / 2], fold = fold_times[fold_times.size() / 2];
    fmt::print(
        "in process, median of {}: {:.3f} s (read + decode + fold + aggregate {:.3f} s), {} events, "
        "{:.2f} M events/s, {} bytes of documents\n",
        runs, median, fold, read, static_cast<double>(read) / median / 1e6, bytes);

    const std::string out = tmp.path() + "/out";
    t0 = Clock::now();
    const hallq::testing::RunResult cli = hallq::testing::run_program(
        HALLQ_PATH, {"report", config->id, "--data", dir, "--conf", conf, "--from", core::format_date(first),
                     "--to", core::format_date(last), "--out", out});
    const double cli_s = since(t0);
    if (cli.exit_code != 0) {
      fmt::print(stderr, "hallq report failed: {}\n", cli.err);
      return 1;
    }
    fmt::print("hallq report (whole program, files written): {:.3f} s\n{}", cli_s, cli.out);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hallq_report_bench: {}\n", e.what());
    return 1;
  }
}
