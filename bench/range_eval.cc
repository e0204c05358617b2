// hallq_range_eval: how honest the citizen's page is. Replays every shared
// trace (tools/traces) through the engine's core with the hall's own policy
// and, for every called citizen, checks whether the actual wait (arrival to
// first call) fell inside the 80% range the phone showed at issue
// (engine/view/wait_range.h, from the prediction and the people ahead then).
// Prints per trace the share inside the range itself (seconds; goal 75-85%
// on each), the share inside the range as the page shows it (whole minutes,
// low rounded down, high up, at least a minute: wider), below and above, and
// the share per people-ahead bucket; --quantiles adds the quantiles (10%,
// 90%) of actual / predicted per bucket.
//
//   hallq_range_eval                the shared traces
//   hallq_range_eval --quantiles    also the ratio quantiles per bucket
//   hallq_range_eval --dump FILE    every called ticket: trace,ahead,predicted_s,actual_s (to calibrate)
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "engine/config/config_loader.h"
#include "engine/view/wait_range.h"
#include "tools/replay/replay.h"
#include "tools/replay/trace.h"

namespace {

struct Case {
  std::string name, conf, trace;
};

struct Bucket {
  std::uint32_t up_to;
  std::size_t n = 0, inside = 0, below = 0, above = 0;
  std::vector<double> ratios;  // actual / predicted (predicted > 60 s)
};

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hallq;
  CLI::App app("hallq_range_eval: share of actual waits inside the 80% range shown, per shared trace");
  bool quantiles = false;
  app.add_flag("--quantiles", quantiles, "print actual/predicted quantiles per people-ahead bucket");
  std::string dump_path;
  app.add_option("--dump", dump_path, "write trace,ahead,predicted_s,actual_s of every called ticket");
  CLI11_PARSE(app, argc, argv);
  const std::string root = HALLQ_SOURCE_DIR;
  const std::vector<Case> cases = {
      {"town-week", root + "/conf/town.toml", root + "/tools/traces/town-week.csv"},
      {"town-surge", root + "/conf/town.toml", root + "/tools/traces/town-surge.csv"},
      {"bank-feb-01-14", root + "/conf/bank.toml", root + "/tools/traces/bank-feb-01-14.csv"}};
  fmt::print("{:<16} {:>7} {:>8} {:>7} {:>7} {:>7}   per ahead bucket: inside% (n)\n", "trace", "called",
             "inside%", "below%", "above%", "shown%");
  int bad = 0;
  std::ofstream dump;
  if (!dump_path.empty()) dump.open(dump_path);
  for (const Case& c : cases) {
    const auto config = config::load_hall_config(c.conf);
    const replay::Trace trace = replay::load_trace(c.trace, *config);
    const replay::ReplayResult result = replay::replay(config, trace);
    std::vector<Bucket> buckets = {{1}, {4}, {10}, {25}, {UINT32_MAX}};
    std::size_t n = 0, inside = 0, below = 0, above = 0, shown = 0;
    for (const replay::TicketResult& t : result.tickets) {
      if (!t.called_s || t.predicted_wait_s < 0) continue;
      const double actual = *t.called_s - t.arrive_s;
      if (dump.is_open())
        dump << c.name << ',' << t.ahead << ',' << t.predicted_wait_s << ',' << actual << '\n';
      const view::WaitRange r = view::wait_range(t.predicted_wait_s, t.ahead);
      Bucket* b = &buckets.front();
      while (t.ahead > b->up_to) ++b;
      ++n, ++b->n;
      if (actual < r.low_s) {
        ++below, ++b->below;
      } else if (actual > r.high_s) {
        ++above, ++b->above;
      } else {
        ++inside, ++b->inside;
      }
      // As the page shows it: whole minutes, low rounded down, high up; "即将轮到您" up to a minute.
      double low = std::floor(r.low_s / 60.0) * 60, high = std::max(60.0, std::ceil(r.high_s / 60.0) * 60);
      if (r.high_s <= 60) low = 0;
      if (high <= low) high = low + 60;
      shown += actual >= low && actual <= high;
      if (t.predicted_wait_s > 60) b->ratios.push_back(actual / t.predicted_wait_s);
    }
    const double share = n ? 100.0 * static_cast<double>(inside) / static_cast<double>(n) : NAN;
    bad += !(share >= 75 && share <= 85);
    std::string per;
    for (const Bucket& b : buckets)
      per += fmt::format("  <={}: {:.0f}% ({})",
                         b.up_to == UINT32_MAX ? std::string("inf") : std::to_string(b.up_to),
                         b.n ? 100.0 * static_cast<double>(b.inside) / static_cast<double>(b.n) : NAN, b.n);
    auto pct = [&](std::size_t k) {
      return n ? 100.0 * static_cast<double>(k) / static_cast<double>(n) : NAN;
    };
    fmt::print("{:<16} {:>7} {:>8.1f} {:>7.1f} {:>7.1f} {:>7.1f} {}\n", c.name, n, share, pct(below),
               pct(above), pct(shown), per);
    if (quantiles)
      for (const Bucket& b : buckets)
        fmt::print("    ahead <= {:>10}: actual/predicted q10 {:.2f} q90 {:.2f} (n {})\n", b.up_to,
                   quantile(b.ratios, 0.1), quantile(b.ratios, 0.9), b.ratios.size());
  }
  return bad == 0 ? 0 : 1;
}
