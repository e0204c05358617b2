// The engine's time as a program away from the engine sees it: learnt from
// the instants the engine publishes (heartbeats, about once a second) and
// carried forward between them at the pace measured across them. A screen,
// `hallq board` or `hallq simulate` following an engine that runs on
// simulated time (hallqd --time-scale, demos) then shows the engine's day,
// not the wall clock's; against a real engine it reads the engine's clock
// to within a heartbeat's jitter.
//
// observe(engine_us, steady_us): the engine said `engine_us` when the
// steady clock read `steady_us`. The pace is the engine's advance over the
// steady clock's since the first observation (1 until two observations a
// second apart; restarts when the engine's time jumps back or by more
// than a day, i.e. another engine or a new run). Before any observation
// now_us() is the fallback clock's. Never runs backwards.
//
// Pure core: now(steady_us) takes the steady reading as an argument;
// now_us() reads std::chrono::steady_clock. Thread: one owner (not
// thread-safe); the fallback clock must outlive it.
#pragma once

#include "engine/time/clock.h"

namespace hallq::time {

class FollowedClock final : public Clock {
 public:
  explicit FollowedClock(const Clock& fallback) : fallback_(fallback) {}

  void observe(core::TimeUs engine_us, core::TimeUs steady_us);
  // True once the engine's time has been observed.
  bool following() const { return have_; }
  // The engine's time at steady reading `steady_us`.
  core::TimeUs now(core::TimeUs steady_us) const;
  core::TimeUs now_us() const override;
  // Engine seconds per steady second, as measured (1 until measured).
  double pace() const { return pace_; }

 private:
  const Clock& fallback_;
  bool have_ = false;
  core::TimeUs first_engine_ = 0, first_steady_ = 0;
  core::TimeUs last_engine_ = 0, last_steady_ = 0;
  double pace_ = 1.0;
  mutable core::TimeUs shown_ = 0;  // the latest result: never go back
};

}  // namespace hallq::time
