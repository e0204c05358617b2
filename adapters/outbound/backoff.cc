#include "adapters/outbound/backoff.h"

#include <algorithm>

namespace hallq::outbound {

Backoff::Backoff(int initial_ms, int max_ms, double jitter, std::uint64_t seed)
    : initial_ms_(initial_ms), max_ms_(max_ms), jitter_(jitter), current_ms_(initial_ms), random_(seed) {}

std::chrono::milliseconds Backoff::next() {
  std::uniform_real_distribution<double> factor(1 - jitter_, 1 + jitter_);
  const double ms = current_ms_ * factor(random_);
  current_ms_ = std::min<double>(current_ms_ * 2, max_ms_);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(1.0, ms)));
}

}  // namespace hallq::outbound
