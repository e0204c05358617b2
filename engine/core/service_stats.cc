#include "engine/core/service_stats.h"

#include <algorithm>
#include <cmath>

namespace hallq::core {
namespace {
constexpr double kEwmaWeight = 0.05;  // about the last 20 tickets dominate
constexpr double kPriorWeight = 3;    // the prior counts as this many observations
}  // namespace

void ServiceStats::add(double handle_s) {
  if (handle_s < 0) handle_s = 0;
  ++finished;
  sum_handle_s += handle_s;
  ewma_handle_s = finished == 1 ? handle_s : ewma_handle_s + kEwmaWeight * (handle_s - ewma_handle_s);
}

double ServiceStats::mean_handle_s(double prior_s) const {
  if (finished == 0) return prior_s;
  const double n = finished;
  return (ewma_handle_s * n + prior_s * kPriorWeight) / (n + kPriorWeight);
}

void ServiceStats::add_arrival(TimeUs t) {
  if (last_arrival != 0) {
    const double dt = std::max<double>(0, static_cast<double>(t - last_arrival) / kUsPerSecond);
    arrivals *= std::exp(-dt / kArrivalWindowS);
  }
  arrivals += 1;
  last_arrival = t;
}

double ServiceStats::arrival_rate(TimeUs now) const {
  if (last_arrival == 0) return 0;
  const double dt = std::max<double>(0, static_cast<double>(now - last_arrival) / kUsPerSecond);
  return arrivals * std::exp(-dt / kArrivalWindowS) / kArrivalWindowS;
}

}  // namespace hallq::core
