// The factors are calibrated on the shared traces (bench/range_eval.cc
// --dump: per people-ahead bucket, the narrowest factors and pad that put
// about 80% of actual waits inside on each trace); keep them and
// bench/README.md's figures in step.
#include "engine/view/wait_range.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace hallq::view {
namespace {

struct Spread {
  std::uint32_t up_to_ahead;
  double low, high;  // actual / predicted at the 10% and 90% quantiles
  double pad_s;      // absolute widening for short waits (seconds)
};

constexpr Spread kSpreads[] = {
    {1, 0.6, 3.0, 0}, {4, 0.1, 1.8, 0}, {10, 0.7, 1.6, 120}, {25, 0.5, 1.6, 0}, {UINT32_MAX, 0.7, 1.6, 0},
};
}  // namespace

WaitRange wait_range(std::int32_t predicted_s, std::uint32_t ahead) {
  const double p = std::max<std::int32_t>(0, predicted_s);
  const Spread* s = kSpreads;
  while (ahead > s->up_to_ahead) ++s;
  WaitRange r;
  r.low_s = static_cast<std::int32_t>(std::max(0.0, p * s->low - s->pad_s / 2));
  r.high_s = static_cast<std::int32_t>(p * s->high + s->pad_s);
  return r;
}

std::string wait_range_text(const WaitRange& range) {
  if (range.high_s <= 60) return "即将轮到您";
  int low = static_cast<int>(std::floor(range.low_s / 60.0));
  int high = static_cast<int>(std::ceil(range.high_s / 60.0));
  if (high <= low) high = low + 1;
  return fmt::format("约 {}–{} 分钟", low, high);
}

}  // namespace hallq::view
