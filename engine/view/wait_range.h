// The range a waiting citizen is shown instead of a single predicted wait
// ("约 8–12 分钟"): an 80% range around the forecast (predict/forecast.h),
// meant to hold the actual wait four times in five. Its width comes from
// the forecast's own errors measured by replaying the shared traces
// (bench/range_eval.cc prints the share of actual waits inside the range,
// per trace; bench/README.md "市民手机: 预计等待区间" has the numbers): the
// error grows with the wait and is relatively wider when few people are
// ahead (one long case decides it).
//
// Halls differ (a bank's counter and a town hall's 不动产登记), so the range
// a hall shows learns from the hall's own outcomes: RangeCalibration moves
// each bucket's factors from the traces' toward the 10% and 90% quantiles
// of actual / predicted among the hall's tickets called so far today (those
// predicted at least a minute at issue: where a range is shown), weighted by
// how many there are (kPriorWeight outcomes count as much as the prior).
// Tickets still waiting are not among them yet (their waits are longer:
// early in a day of lengthening queues the learned range lags).
//
// Pure. Thread: any (a RangeCalibration: one writer, or shared read-only).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace hallq::core {
class Hall;
}

namespace hallq::view {

struct WaitRange {
  std::int32_t low_s = 0;
  std::int32_t high_s = 0;
};

// The 80% range of a ticket predicted to wait `predicted_s` (>= 0) more
// seconds with `ahead` people to be called before it: the traces' factors.
WaitRange wait_range(std::int32_t predicted_s, std::uint32_t ahead);

class RangeCalibration {
 public:
  static constexpr int kBuckets = 5;          // people ahead: <= 1, 4, 10, 25, more
  static constexpr double kPriorWeight = 30;  // outcomes worth the traces' factors
  static constexpr std::int32_t kMinPredicted_s = 60;

  // From `hall`'s tickets of today that were called: each one's prediction
  // and people ahead at issue against its wait (issue to first call).
  static RangeCalibration learn(const core::Hall& hall);

  // One outcome: predicted `predicted_s` at issue with `ahead` ahead, called
  // after `actual_s`. Predictions under kMinPredicted_s are not kept.
  void add(std::uint32_t ahead, std::int32_t predicted_s, double actual_s);
  std::size_t outcomes() const;

  // The 80% range as wait_range(), with the factors learned so far.
  WaitRange range(std::int32_t predicted_s, std::uint32_t ahead) const;

 private:
  std::array<std::vector<float>, kBuckets> ratios_;  // actual / predicted, ascending
};

// The range in words, as the page shows it: shown_wait.h.

}  // namespace hallq::view
