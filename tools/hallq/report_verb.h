// `hallq report HALL --data DIR --from YYYY-MM-DD --to YYYY-MM-DD [--out DIR]
// [--by day|month] [--conf FILE]`: the hall's daily or monthly bulletin from
// its event history, read directly from the store (read-only: works while
// hallqd runs). Writes by_service.csv, by_window.csv, by_staff.csv,
// by_day.csv (one row per --by period) and report.html (printable, charts by
// Chart.js embedded inline) into --out (default report-HALL-FROM-TO).
// The hall's config comes from --conf, or else from the hall's latest
// snapshot in the store.
//
// Exit codes: 0 done; 2 usage (malformed dates, --from after --to, a range
// beyond 366 days, a broken --conf, named file:line); 1 the data dir is not a
// hallq store, the hall is not in it, no config, Chart.js missing, or a write
// failed. On any error nothing is written.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "engine/core/hall_config.h"
#include "engine/time/clock.h"

namespace hallq::store {
class EventStore;
}

namespace hallq::cli {

struct ReportArgs {
  std::string hall, data, from, to, out, by = "day", conf;
};

CLI::App* add_report_verb(CLI::App& app, ReportArgs& args);
// `wall`: the clock of the report's "made at" line.
int run_report(const ReportArgs& args, bool json, const time::Clock& wall);

// The hall's config from its latest stored snapshot; null if it has none
// (or it cannot be decoded). `hallq evaluations` finds it the same way.
std::shared_ptr<const core::HallConfig> config_from_snapshot(const store::EventStore& store,
                                                             const std::string& hall);

}  // namespace hallq::cli
