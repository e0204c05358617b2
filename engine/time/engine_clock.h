// The engine's clock: wall-clock time (events are stamped with it, days roll
// at local midnight) that never runs backwards and never stands still.
//
// The system clock can step: forwards (a hall PC without a clock battery
// boots in 2000 and NTP moves it to today; the engine must follow, or its day
// is wrong) and backwards (NTP corrects a clock that ran fast). The core
// already treats a `now` before the last one as the last one, so a step back
// cannot reorder events; but on its own that would freeze the hall's time
// for as long as the step: every service finished meanwhile would last zero
// seconds and teach the predictor that business takes no time.
//
// So `now(wall, steady)` advances with the steady (monotonic) clock and
//   - follows the wall clock whenever the wall clock is ahead (normal
//     running, or a step forwards);
//   - when the wall clock is behind (a step backwards), keeps advancing at
//     (1 - slew) of real time until the wall clock has caught up: a step back
//     of D is absorbed in D / slew of real time, with durations measured
//     that much shorter meanwhile (10 % by default), and the engine's clock
//     ahead of the wall clock by at most D.
// Pure: both clocks come in as arguments (microseconds); now(wall) is the
// same with the readings taken from `wall` and std::chrono::steady_clock.
//
// Simulated time (demos and soaks, never a real hall): `simulated(scale,
// start)` ignores the wall clock after its first reading and runs `scale`
// times faster than the steady clock from `start` (0: the first wall-clock
// reading), so a week of a hall, nights and day rolls included, passes in
// minutes and handling times are learnt in the hall's own seconds.
//
// Thread: not thread-safe; one owner.
#pragma once

#include "engine/core/types.h"
#include "engine/time/clock.h"

namespace hallq::time {

class EngineClock {
 public:
  explicit EngineClock(double slew = 0.1) : slew_(slew) {}
  static EngineClock simulated(double scale, core::TimeUs start = 0) {
    EngineClock c;
    c.scale_ = scale;
    c.start_ = start;
    return c;
  }

  // The engine's time for a wall-clock and a steady-clock reading taken
  // together; never less than the previous result.
  core::TimeUs now(core::TimeUs wall, core::TimeUs steady);
  core::TimeUs now(const Clock& wall);

  // How far the engine's clock is ahead of the wall clock (0 normally).
  core::TimeUs ahead() const { return ahead_; }

 private:
  double slew_;
  double scale_ = 0;        // > 0: simulated time
  core::TimeUs start_ = 0;  // simulated: the engine's time at the first reading (0: wall)
  bool started_ = false;
  core::TimeUs last_ = 0;
  core::TimeUs last_steady_ = 0;
  core::TimeUs ahead_ = 0;
};

}  // namespace hallq::time
