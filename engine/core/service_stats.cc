#include "engine/core/service_stats.h"

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

}  // namespace hallq::core
