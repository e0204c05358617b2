// Event-to-frame latency: (when the frame showing an event was presented) -
// (when the event was received). A log-scaled histogram (1 µs .. ~100 s, 5%
// buckets) so a day of events costs a fixed few kilobytes; percentiles are
// accurate to the bucket width. Pure; one thread.
#pragma once

#include <array>
#include <cstdint>

namespace hallq::display {

class LatencyStats {
 public:
  void record(std::int64_t micros);
  std::uint64_t count() const { return count_; }
  // The `p`-th percentile (0..100) in microseconds (the bucket's upper
  // bound, capped at the largest value seen); 0 if empty.
  std::int64_t percentile(double p) const;
  std::int64_t max() const { return max_; }

 private:
  static constexpr int kBuckets = 400;
  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace hallq::display
