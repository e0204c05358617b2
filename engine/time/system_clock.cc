#include "engine/time/system_clock.h"

#include <chrono>

namespace hallq::time {

core::TimeUs SystemClock::now_us() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

Clock& system_clock() {
  static SystemClock clock;
  return clock;
}

}  // namespace hallq::time
