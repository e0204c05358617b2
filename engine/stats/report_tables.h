// The report's documents as text: CSV tables (by service, window, staff and
// period) and the printable HTML bulletin with Chart.js charts embedded
// inline. Pure text building from a Stats and the hall's config; writing the
// files is the caller's (tools/hallq/report_verb.cc).
//
// CSV: UTF-8, comma-separated, a header row, "\n" line ends, numbers in plain
// format (counts as integers, minutes with 2 decimals, shares 0..1 with 4
// decimals, hours of window time with 2 decimals), an empty field where a
// figure is undefined (a mean of nothing). Text fields are quoted when they
// hold a comma, a quote or a line end. Columns: engine/stats/README.md.
//
// Thread: any; no shared state.
#pragma once

#include <string>
#include <string_view>

#include "engine/core/hall_config.h"
#include "engine/stats/aggregate.h"

namespace hallq::stats {

// The figure columns every table ends with, in order.
std::string_view figure_columns();

std::string csv_by_service(const Stats& stats, const core::HallConfig& hall);
std::string csv_by_window(const Stats& stats, const core::HallConfig& hall);
std::string csv_by_staff(const Stats& stats, const core::HallConfig& hall);
// One row per period of stats.slices (day or month), hall totals.
std::string csv_by_period(const Stats& stats);

struct HtmlOptions {
  std::string title;         // e.g. "服务大厅运行月报"
  std::string range_label;   // e.g. "2026-01-01 至 2026-01-31"
  std::string generated_at;  // e.g. "2026-02-01 08:00"
  std::string chart_js;      // the Chart.js UMD build, embedded as is
};

// A self-contained HTML document (no external references), A4 print CSS.
std::string render_html(const Stats& stats, const core::HallConfig& hall, const HtmlOptions& options);

// The name a staff id is shown by: its configured name, the id, or 未登记 for "".
std::string staff_display_name(const core::HallConfig& hall, std::string_view staff_id);

}  // namespace hallq::stats
