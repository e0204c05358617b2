#include "engine/time/engine_clock.h"

#include <algorithm>
#include <chrono>

namespace hallq::time {

core::TimeUs EngineClock::now(const Clock& wall) {
  const core::TimeUs wall_us = wall.now_us();
  const auto steady = std::chrono::steady_clock::now().time_since_epoch();
  return now(wall_us, std::chrono::duration_cast<std::chrono::microseconds>(steady).count());
}

core::TimeUs EngineClock::now(core::TimeUs wall, core::TimeUs steady) {
  if (!started_) {
    started_ = true;
    last_ = scale_ > 0 && start_ != 0 ? start_ : wall;
    start_ = last_;
    last_steady_ = steady;
    return last_;
  }
  if (scale_ > 0) {
    // Anchored at the first reading: no rounding drift from reading to reading.
    const auto elapsed = static_cast<double>(std::max<core::TimeUs>(0, steady - last_steady_));
    last_ = std::max(last_, start_ + static_cast<core::TimeUs>(elapsed * scale_));
    ahead_ = 0;
    return last_;
  }
  const core::TimeUs elapsed = std::max<core::TimeUs>(0, steady - last_steady_);
  last_steady_ = std::max(last_steady_, steady);
  if (wall >= last_ + elapsed) {
    last_ = wall;  // on time, or stepped forwards: follow
  } else {
    const auto slowed = static_cast<core::TimeUs>(static_cast<double>(elapsed) * (1.0 - slew_));
    last_ = std::max(last_ + slowed, std::max(wall, last_));
  }
  ahead_ = std::max<core::TimeUs>(0, last_ - wall);
  return last_;
}

}  // namespace hallq::time
