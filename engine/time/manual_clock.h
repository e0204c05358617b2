// A clock that moves only when told (tests): set() and advance() from any
// thread, now_us() sees the latest. Thread-safe.
#pragma once

#include <atomic>

#include "engine/time/clock.h"

namespace hallq::time {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(core::TimeUs start = 0) : now_(start) {}
  core::TimeUs now_us() const override { return now_.load(); }
  void set(core::TimeUs t) { now_.store(t); }
  void advance(core::TimeUs by) { now_.fetch_add(by); }

 private:
  std::atomic<core::TimeUs> now_;
};

}  // namespace hallq::time
