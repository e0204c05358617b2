// A line-by-line port of score.py's baselines, so the C++ evaluation and the
// script agree to the last digit (tests compare them).
#include "tools/replay/prediction_score.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <vector>

namespace hallq::replay {
namespace {

struct Row {
  core::ServiceIdx service = 0;
  double arr = 0;
  double pred = 0;
  std::optional<double> called;
  std::optional<double> gone;
  double handle = 0;
  double ql = 0;
  double les = 0;
  std::int64_t day = 0;
  std::optional<double> wait() const { return called ? std::optional<double>(*called - arr) : std::nullopt; }
};

std::int64_t day_of(double t) { return static_cast<std::int64_t>(std::floor(t / 86400)); }

}  // namespace

double PredictionScore::ratio() const {
  const double best = std::min(mae_ql_min, mae_les_min);
  return best > 0 ? mae_engine_min / best : std::numeric_limits<double>::infinity();
}

PredictionScore score_predictions(const core::HallConfig& config, const Trace& trace,
                                  const ReplayResult& result) {
  std::vector<Row> rows;
  std::vector<std::pair<double, std::pair<core::WindowIdx, bool>>> timeline;
  rows.reserve(result.tickets.size());
  std::size_t k = 0;
  for (const TraceRow& tr : trace.rows) {
    if (tr.event != TraceEvent::kArrive) {
      const bool on = tr.event == TraceEvent::kOpen || tr.event == TraceEvent::kResume;
      timeline.push_back({tr.time_s, {tr.window, on}});
      continue;
    }
    if (k >= result.tickets.size() || result.tickets[k].ticket != tr.ticket)
      throw std::invalid_argument("results do not match the trace's arrivals");
    const TicketResult& res = result.tickets[k++];
    Row r;
    r.service = tr.service;
    r.arr = tr.time_s;
    r.pred = res.predicted_wait_s;
    r.called = res.called_s;
    r.gone = res.left_s;
    r.handle = tr.handle_s;
    r.day = day_of(r.arr);
    rows.push_back(r);
  }
  if (k != result.tickets.size()) throw std::invalid_argument("results hold tickets the trace does not");

  // score.py sorts rows by arrival (stable); the trace is in time order already.
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.arr < b.arr; });
  std::map<std::pair<core::ServiceIdx, std::int64_t>, std::vector<std::size_t>> by_s;
  for (std::size_t i = 0; i < rows.size(); ++i) by_s[{rows[i].service, rows[i].day}].push_back(i);

  std::vector<std::vector<double>> hist(config.services.size());  // handling times of earlier days
  std::map<core::WindowIdx, bool> state;
  std::size_t ti = 0;
  std::int64_t day = 0;
  for (Row& r : rows) {
    if (r.day != day) {
      for (auto& [key, list] : by_s) {
        if (key.second != day) continue;
        for (std::size_t o : list)
          if (rows[o].called) hist[key.first].push_back(rows[o].handle);
      }
      day = r.day;
    }
    while (ti < timeline.size() && timeline[ti].first <= r.arr) {
      state[timeline[ti].second.first] = timeline[ti].second.second;
      ++ti;
    }
    const std::vector<std::size_t>& same = by_s[{r.service, r.day}];
    const double day_end = static_cast<double>(r.day + 1) * 86400;
    std::size_t ahead = 0;
    std::vector<double> done = hist[r.service];
    const Row* last_called = nullptr;
    for (std::size_t oi : same) {
      const Row& o = rows[oi];
      double until = day_end;
      if (o.called) until = std::min(until, *o.called);
      if (o.gone) until = std::min(until, *o.gone);
      if (o.arr < r.arr && o.arr >= day_end - 86400 && until > r.arr) ++ahead;
      if (o.called && *o.called < r.arr) done.push_back(o.handle);
      if (o.called && *o.called <= r.arr && (last_called == nullptr || *o.called > *last_called->called))
        last_called = &o;
    }
    const std::size_t n = std::min<std::size_t>(done.size(), 200);
    double sum = 0;
    for (std::size_t i = done.size() - n; i < done.size(); ++i) sum += done[i];
    const double exp_s = config.services[r.service].expected_handle_min * 60;
    const double mean_h = (sum + exp_s * 3) / (static_cast<double>(n) + 3);
    int servers = 0;
    for (const auto& [w, on] : state) {
      const auto& serves = config.windows[w].serves;
      if (on && std::any_of(serves.begin(), serves.end(),
                            [&](const core::Skill& k) { return k.service == r.service; }))
        ++servers;
    }
    r.ql = static_cast<double>(ahead) * mean_h / std::max(1, servers);
    r.les = last_called ? *last_called->wait() : 0.0;
  }

  PredictionScore s;
  double e = 0, q = 0, l = 0;
  for (const Row& r : rows) {
    if (!r.called) continue;
    const double w = *r.wait();
    e += std::abs(r.pred - w);
    q += std::abs(r.ql - w);
    l += std::abs(r.les - w);
    ++s.called;
  }
  if (s.called > 0) {
    const double n = static_cast<double>(s.called) * 60;
    s.mae_engine_min = e / n;
    s.mae_ql_min = q / n;
    s.mae_les_min = l / n;
  }
  return s;
}

}  // namespace hallq::replay
