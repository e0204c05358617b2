#include "displays/screens/latency_stats.h"

#include <algorithm>
#include <cmath>

namespace hallq::display {
namespace {

constexpr double kGrowth = 1.05;

int bucket_of(std::int64_t us) {
  if (us <= 1) return 0;
  return static_cast<int>(std::ceil(std::log(static_cast<double>(us)) / std::log(kGrowth)));
}

std::int64_t upper_bound_of(int bucket) {
  return static_cast<std::int64_t>(std::ceil(std::pow(kGrowth, bucket)));
}

}  // namespace

void LatencyStats::record(std::int64_t us) {
  us = std::max<std::int64_t>(us, 0);
  buckets_[std::min(bucket_of(us), kBuckets - 1)]++;
  ++count_;
  max_ = std::max(max_, us);
}

std::int64_t LatencyStats::percentile(double p) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * count_));
  std::uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[b];
    if (seen >= std::max<std::uint64_t>(rank, 1)) return std::min(upper_bound_of(b), max_);
  }
  return max_;
}

}  // namespace hallq::display
