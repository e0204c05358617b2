// Per-address limit on failed ticket lookups, so that tokens cannot be
// enumerated: each source address has a bucket of `burst` failures that
// refills at `per_minute`; an address with an empty bucket is refused every
// lookup (good tokens too) until it refills. With 128-bit tokens and the
// default 10 a minute, guessing one is out of reach; a citizen mistyping a
// link a few times is never stopped.
//
// At most `max_addresses` addresses are remembered; beyond that the oldest
// full bucket is forgotten first (a full bucket holds no information), then
// the oldest, so memory stays bounded under a spoofed-address flood.
//
// Time comes in as a steady microsecond count. Thread: one owner thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace hallq::citizen {

class TokenThrottle {
 public:
  TokenThrottle(double burst, double per_minute, std::size_t max_addresses = 100'000);

  // Whether `address` may look up a token now.
  bool allowed(std::string_view address, std::int64_t now_us);
  // Records one failed lookup (bad token, unknown ticket, malformed link).
  void failed(std::string_view address, std::int64_t now_us);

  std::size_t addresses() const { return buckets_.size(); }
  std::uint64_t refused() const { return refused_; }

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t at_us = 0;
  };
  Bucket& bucket(std::string_view address, std::int64_t now_us);
  void refill(Bucket& b, std::int64_t now_us) const;

  double burst_, per_us_;
  std::size_t max_addresses_;
  std::map<std::string, Bucket, std::less<>> buckets_;
  std::uint64_t refused_ = 0;
};

}  // namespace hallq::citizen
