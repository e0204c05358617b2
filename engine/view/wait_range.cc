// The factors are calibrated on the shared traces (bench/range_eval.cc
// --dump: per people-ahead bucket, the narrowest factors and pad that put
// about 80% of actual waits inside on each trace); keep them and
// bench/README.md's figures in step.
#include "engine/view/wait_range.h"

#include <algorithm>
#include <cmath>

#include "engine/core/hall.h"

namespace hallq::view {
namespace {

struct Spread {
  std::uint32_t up_to_ahead;
  double low, high;  // actual / predicted at the 10% and 90% quantiles
  double pad_s;      // absolute widening for short waits (seconds)
};

constexpr Spread kSpreads[RangeCalibration::kBuckets] = {
    {1, 0.6, 3.0, 0}, {4, 0.1, 1.8, 0}, {10, 0.7, 1.6, 120}, {25, 0.5, 1.6, 0}, {UINT32_MAX, 0.7, 1.6, 0},
};

int bucket_of(std::uint32_t ahead) {
  int b = 0;
  while (ahead > kSpreads[b].up_to_ahead) ++b;
  return b;
}

WaitRange apply(const Spread& s, std::int32_t predicted_s) {
  const double p = std::max<std::int32_t>(0, predicted_s);
  WaitRange r;
  r.low_s = static_cast<std::int32_t>(std::max(0.0, p * s.low - s.pad_s / 2));
  r.high_s = static_cast<std::int32_t>(p * s.high + s.pad_s);
  return r;
}

// The q-quantile of ascending `v` (not empty), nearest rank.
double quantile(const std::vector<float>& v, double q) {
  return v[static_cast<std::size_t>(std::lround(q * static_cast<double>(v.size() - 1)))];
}

}  // namespace

WaitRange wait_range(std::int32_t predicted_s, std::uint32_t ahead) {
  return apply(kSpreads[bucket_of(ahead)], predicted_s);
}

RangeCalibration RangeCalibration::learn(const core::Hall& hall) {
  RangeCalibration c;
  for (const core::Ticket& t : hall.tickets()) {
    if (t.first_called_at == 0 || t.first_called_at < t.issued_at || t.predicted_wait_s < kMinPredicted_s)
      continue;
    const double actual = static_cast<double>(t.first_called_at - t.issued_at) / core::kUsPerSecond;
    c.ratios_[bucket_of(t.ahead_at_issue)].push_back(static_cast<float>(actual / t.predicted_wait_s));
  }
  for (auto& v : c.ratios_) std::sort(v.begin(), v.end());
  return c;
}

void RangeCalibration::add(std::uint32_t ahead, std::int32_t predicted_s, double actual_s) {
  if (predicted_s < kMinPredicted_s || actual_s < 0) return;
  std::vector<float>& v = ratios_[bucket_of(ahead)];
  const auto r = static_cast<float>(actual_s / predicted_s);
  v.insert(std::upper_bound(v.begin(), v.end(), r), r);
}

std::size_t RangeCalibration::outcomes() const {
  std::size_t n = 0;
  for (const auto& v : ratios_) n += v.size();
  return n;
}

WaitRange RangeCalibration::range(std::int32_t predicted_s, std::uint32_t ahead) const {
  const int b = bucket_of(ahead);
  Spread s = kSpreads[b];
  const std::vector<float>& v = ratios_[b];
  if (!v.empty()) {
    const double n = static_cast<double>(v.size());
    s.low = (kPriorWeight * s.low + n * quantile(v, 0.1)) / (kPriorWeight + n);
    s.high = (kPriorWeight * s.high + n * quantile(v, 0.9)) / (kPriorWeight + n);
  }
  return apply(s, predicted_s);
}

}  // namespace hallq::view
