#include "engine/time/followed_clock.h"

#include <algorithm>
#include <chrono>

namespace hallq::time {

void FollowedClock::observe(core::TimeUs engine_us, core::TimeUs steady_us) {
  constexpr core::TimeUs kDay = 86'400 * core::kUsPerSecond;
  if (!have_ || engine_us < last_engine_ || engine_us - last_engine_ > kDay) {
    // First sight, or another engine (a restart, a new demo): learn afresh.
    have_ = true;
    first_engine_ = engine_us;
    first_steady_ = steady_us;
    pace_ = 1.0;
    shown_ = 0;
  } else if (steady_us - first_steady_ >= core::kUsPerSecond) {
    pace_ = static_cast<double>(engine_us - first_engine_) / static_cast<double>(steady_us - first_steady_);
  }
  last_engine_ = engine_us;
  last_steady_ = steady_us;
}

core::TimeUs FollowedClock::now(core::TimeUs steady_us) const {
  if (!have_) return fallback_.now_us();
  const core::TimeUs since = std::max<core::TimeUs>(0, steady_us - last_steady_);
  const core::TimeUs t = last_engine_ + static_cast<core::TimeUs>(pace_ * static_cast<double>(since));
  shown_ = std::max(shown_, t);
  return shown_;
}

core::TimeUs FollowedClock::now_us() const {
  const auto steady = std::chrono::steady_clock::now().time_since_epoch();
  return now(std::chrono::duration_cast<std::chrono::microseconds>(steady).count());
}

}  // namespace hallq::time
