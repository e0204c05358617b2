// Exponential backoff for retries: initial, doubled after each failure up to
// a cap, each delay multiplied by a factor in [1 - jitter, 1 + jitter] drawn
// from a seeded generator (so a run can be repeated; different programs
// should be given different seeds).
// Thread: one owner. Pure: no clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace hallq::outbound {

class Backoff {
 public:
  Backoff(int initial_ms, int max_ms, double jitter, std::uint64_t seed);
  // The delay before the next attempt; doubles the next one (up to the cap).
  std::chrono::milliseconds next();
  // After a success: the next failure waits `initial` again.
  void reset() { current_ms_ = initial_ms_; }

 private:
  int initial_ms_, max_ms_;
  double jitter_;
  double current_ms_;
  std::mt19937_64 random_;
};

}  // namespace hallq::outbound
