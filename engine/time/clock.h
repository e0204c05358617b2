// Where programs read the wall clock: every program that needs the time of
// day (to stamp, to show a date, to compute a wait) takes a Clock instead of
// calling std::chrono::system_clock, so tests and replays can drive time by
// hand (STYLE.md 2; leveldb's Env::NowMicros). Measuring elapsed durations
// (timeouts, frame pacing, resend intervals) is not reading the wall clock:
// that stays on std::chrono::steady_clock.
//
// Implementations: SystemClock (system_clock.h), ManualClock (manual_clock.h,
// tests). The engine's own never-backwards time is EngineClock (engine_clock.h),
// fed from a Clock. Thread: implementations say; both here are thread-safe.
#pragma once

#include "engine/core/types.h"

namespace hallq::time {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch (UTC).
  virtual core::TimeUs now_us() const = 0;
};

}  // namespace hallq::time
