#include "adapters/citizen/token_throttle.h"

#include <algorithm>

namespace hallq::citizen {

TokenThrottle::TokenThrottle(double burst, double per_minute, std::size_t max_addresses)
    : burst_(burst), per_us_(per_minute / 60e6), max_addresses_(std::max<std::size_t>(1, max_addresses)) {}

void TokenThrottle::refill(Bucket& b, std::int64_t now_us) const {
  if (now_us > b.at_us)
    b.tokens = std::min(burst_, b.tokens + static_cast<double>(now_us - b.at_us) * per_us_);
  b.at_us = std::max(b.at_us, now_us);
}

TokenThrottle::Bucket& TokenThrottle::bucket(std::string_view address, std::int64_t now_us) {
  auto it = buckets_.find(address);
  if (it != buckets_.end()) {
    refill(it->second, now_us);
    return it->second;
  }
  if (buckets_.size() >= max_addresses_) {
    // Forget a full bucket if there is one (nothing is lost), else the stalest.
    auto victim = buckets_.begin();
    for (auto i = buckets_.begin(); i != buckets_.end(); ++i) {
      refill(i->second, now_us);
      if (i->second.tokens >= burst_) {
        victim = i;
        break;
      }
      if (i->second.at_us < victim->second.at_us) victim = i;
    }
    buckets_.erase(victim);
  }
  return buckets_.emplace(std::string(address), Bucket{burst_, now_us}).first->second;
}

bool TokenThrottle::allowed(std::string_view address, std::int64_t now_us) {
  auto it = buckets_.find(address);
  if (it == buckets_.end()) return true;
  refill(it->second, now_us);
  if (it->second.tokens >= 1) return true;
  ++refused_;
  return false;
}

void TokenThrottle::failed(std::string_view address, std::int64_t now_us) {
  Bucket& b = bucket(address, now_us);
  b.tokens = std::max(0.0, b.tokens - 1);
}

}  // namespace hallq::citizen
