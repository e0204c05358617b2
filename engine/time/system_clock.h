// The real wall clock (std::chrono::system_clock), and one process-wide
// instance for code that has no clock handed to it by its program.
// Stateless; any thread.
#pragma once

#include "engine/time/clock.h"

namespace hallq::time {

class SystemClock final : public Clock {
 public:
  core::TimeUs now_us() const override;
};

// The shared SystemClock (lives for the whole program).
Clock& system_clock();

}  // namespace hallq::time
