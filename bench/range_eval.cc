// hallq_range_eval: how honest the citizen's page is. Replays every shared
// trace (tools/traces) through the engine's core with the hall's own policy
// and, for every called citizen, checks whether the actual wait (arrival to
// first call) fell inside the 80% range the phone showed at issue
// (engine/view/wait_range.h, from the prediction and the people ahead then),
// twice: with the traces' factors alone ("traces") and with the hall's own
// calibration as the gateway has it ("learned": RangeCalibration of the
// outcomes of that day's tickets called before the moment of issue, so no
// outcome is used before it was known). Columns: the share inside the range
// itself (seconds), below and above, inside as the page shows it (the
// bounds its words claim: engine/view/shown_wait.h, the function the page
// words it with; "即将轮到您" is 0 to 60 s); then apart the citizens shown a
// range ("ranged": the 80% range the goal is about, 75-85% on each trace,
// checked on "learned" for the exit status) and those told 即将轮到您
// ("soon": called within the minute).
// --quantiles adds the quantiles (10%, 90%) of actual / predicted per
// people-ahead bucket.
//
//   hallq_range_eval                the shared traces (exit 1 if a learned ranged% is outside 75-85)
//   hallq_range_eval --quantiles    also the ratio quantiles per bucket
//   hallq_range_eval --dump FILE    every called ticket: trace,ahead,predicted_s,actual_s,learned_low_s,
//                                   learned_high_s (to calibrate the factors and the wording)
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "engine/config/config_loader.h"
#include "engine/view/shown_wait.h"
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
  app.add_option(
      "--dump", dump_path,
      "write trace,ahead,predicted_s,actual_s,learned_low_s,learned_high_s of every called ticket");
  CLI11_PARSE(app, argc, argv);
  const std::string root = HALLQ_SOURCE_DIR;
  const std::vector<Case> cases = {
      {"town-week", root + "/conf/town.toml", root + "/tools/traces/town-week.csv"},
      {"town-surge", root + "/conf/town.toml", root + "/tools/traces/town-surge.csv"},
      {"bank-feb-01-14", root + "/conf/bank.toml", root + "/tools/traces/bank-feb-01-14.csv"}};
  fmt::print(
      "{:<16} {:<7} {:>7} {:>8} {:>7} {:>7} {:>7} {:>7} {:>8} {:>9} {:>7} {:>8}   per ahead bucket: inside% "
      "(n)\n",
      "trace", "factors", "called", "inside%", "below%", "above%", "shown%", "ranged", "ranged%", "ranged_s%",
      "soon", "soon%");
  int bad = 0;
  std::ofstream dump;
  if (!dump_path.empty()) dump.open(dump_path);
  for (const Case& c : cases) {
    const auto config = config::load_hall_config(c.conf);
    const replay::Trace trace = replay::load_trace(c.trace, *config);
    const replay::ReplayResult result = replay::replay(config, trace);
    // The hall's own calibration as the page would have had it at each issue:
    // the outcomes of its tickets called before that moment, that day.
    std::vector<view::WaitRange> learned(result.tickets.size());
    {
      view::RangeCalibration cal;
      std::vector<std::size_t> by_call;
      for (std::size_t i = 0; i < result.tickets.size(); ++i)
        if (result.tickets[i].called_s && result.tickets[i].predicted_wait_s >= 0) by_call.push_back(i);
      std::sort(by_call.begin(), by_call.end(), [&](std::size_t a, std::size_t b) {
        return *result.tickets[a].called_s < *result.tickets[b].called_s;
      });
      std::size_t next = 0;
      long day = -1;
      for (std::size_t i = 0; i < result.tickets.size(); ++i) {  // in arrive order
        const replay::TicketResult& t = result.tickets[i];
        const long d = static_cast<long>(std::floor(t.arrive_s / 86400));
        if (d != day) {  // a new day: the hall's tickets (and what it learned) start afresh
          day = d;
          cal = {};
          while (next < by_call.size() && *result.tickets[by_call[next]].called_s < d * 86400.0) ++next;
        }
        while (next < by_call.size() && *result.tickets[by_call[next]].called_s <= t.arrive_s) {
          const replay::TicketResult& u = result.tickets[by_call[next++]];
          cal.add(u.ahead, u.predicted_wait_s, *u.called_s - u.arrive_s);
        }
        learned[i] = cal.range(t.predicted_wait_s, t.ahead);
      }
    }
    for (const bool learn : {false, true}) {
      std::vector<Bucket> buckets = {{1}, {4}, {10}, {25}, {UINT32_MAX}};
      std::size_t n = 0, inside = 0, below = 0, above = 0, shown = 0, ranged = 0, ranged_in = 0, ranged_s = 0,
                  soon = 0, soon_in = 0;
      for (std::size_t i = 0; i < result.tickets.size(); ++i) {
        const replay::TicketResult& t = result.tickets[i];
        if (!t.called_s || t.predicted_wait_s < 0) continue;
        const double actual = *t.called_s - t.arrive_s;
        if (dump.is_open() && !learn)
          dump << c.name << ',' << t.ahead << ',' << t.predicted_wait_s << ',' << actual << ','
               << learned[i].low_s << ',' << learned[i].high_s << '\n';
        const view::WaitRange r = learn ? learned[i] : view::wait_range(t.predicted_wait_s, t.ahead);
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
        // As the page shows it: the page's own words (view::shown_wait) and the bounds they claim.
        const view::ShownWait w = view::shown_wait(r);
        const bool in = actual >= w.low_s && actual <= w.high_s;
        shown += in;
        if (!w.soon) {
          ++ranged, ranged_in += in;                            // a range was shown ("约 8–12 分钟")
          ranged_s += actual >= r.low_s && actual <= r.high_s;  // inside the range itself (seconds)
        } else {
          ++soon, soon_in += in;  // 即将轮到您: called within the minute?
        }
        if (t.predicted_wait_s > 60 && !learn) b->ratios.push_back(actual / t.predicted_wait_s);
      }
      auto pct = [](std::size_t k, std::size_t of) {
        return of ? 100.0 * static_cast<double>(k) / static_cast<double>(of) : NAN;
      };
      const double share = pct(inside, n), ranged_share = pct(ranged_in, ranged);
      if (learn) bad += !(ranged_share >= 75 && ranged_share <= 85);
      std::string per;
      for (const Bucket& bk : buckets)
        per += fmt::format("  <={}: {:.0f}% ({})",
                           bk.up_to == UINT32_MAX ? std::string("inf") : std::to_string(bk.up_to),
                           pct(bk.inside, bk.n), bk.n);
      fmt::print(
          "{:<16} {:<7} {:>7} {:>8.1f} {:>7.1f} {:>7.1f} {:>7.1f} {:>7} {:>8.1f} {:>9.1f} {:>7} {:>8.1f} "
          "{}\n",
          c.name, learn ? "learned" : "traces", n, share, pct(below, n), pct(above, n), pct(shown, n), ranged,
          ranged_share, pct(ranged_s, ranged), soon, pct(soon_in, soon), per);
      if (quantiles && !learn)
        for (const Bucket& bk : buckets)
          fmt::print("    ahead <= {:>10}: actual/predicted q10 {:.2f} q90 {:.2f} (n {})\n", bk.up_to,
                     quantile(bk.ratios, 0.1), quantile(bk.ratios, 0.9), bk.ratios.size());
    }
  }
  return bad == 0 ? 0 : 1;
}
