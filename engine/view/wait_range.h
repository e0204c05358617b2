// The range a waiting citizen is shown instead of a single predicted wait
// ("约 8–12 分钟"): an 80% range around the forecast (predict/forecast.h),
// meant to hold the actual wait four times in five. Its width comes from
// the forecast's own errors measured by replaying the shared traces
// (bench/range_eval.cc prints the share of actual waits inside the range,
// per trace; bench/README.md "市民手机: 预计等待区间" has the numbers): the
// error grows with the wait and is relatively wider when few people are
// ahead (one long case decides it).
//
// Pure. Thread: any.
#pragma once

#include <cstdint>
#include <string>

namespace hallq::view {

struct WaitRange {
  std::int32_t low_s = 0;
  std::int32_t high_s = 0;
};

// The 80% range of a ticket predicted to wait `predicted_s` (>= 0) more
// seconds with `ahead` people to be called before it.
WaitRange wait_range(std::int32_t predicted_s, std::uint32_t ahead);

// "约 8–12 分钟" (whole minutes, low rounded down, high up, at least one
// minute apart), "约 1–3 分钟", "即将轮到您" when the high end is at most a minute.
std::string wait_range_text(const WaitRange& range);

}  // namespace hallq::view
