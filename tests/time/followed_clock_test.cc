#include "engine/time/followed_clock.h"

#include <gtest/gtest.h>

#include "engine/time/manual_clock.h"

namespace hallq::time {
namespace {

constexpr core::TimeUs kS = core::kUsPerSecond;

TEST(FollowedClockTest, FallsBackUntilTheEngineIsHeard) {
  ManualClock wall(1'000 * kS);
  FollowedClock c(wall);
  EXPECT_FALSE(c.following());
  EXPECT_EQ(c.now(5 * kS), 1'000 * kS);
}

TEST(FollowedClockTest, CarriesASimulatedClockForwardAtItsPace) {
  ManualClock wall(0);
  FollowedClock c(wall);
  const core::TimeUs start = 1'700'000'000 * kS;
  c.observe(start, 10 * kS);
  EXPECT_EQ(c.now(10 * kS), start);
  EXPECT_EQ(c.now(10 * kS + kS / 2), start + kS / 2);  // pace 1 until measured
  c.observe(start + 300 * kS, 11 * kS);                // 300x
  EXPECT_DOUBLE_EQ(c.pace(), 300.0);
  EXPECT_EQ(c.now(11 * kS + kS / 2), start + 450 * kS);
}

TEST(FollowedClockTest, NeverRunsBackwards) {
  ManualClock wall(0);
  FollowedClock c(wall);
  c.observe(1'000 * kS, 0);
  c.observe(1'300 * kS, kS);
  const core::TimeUs ahead = c.now(2 * kS);  // 1'600 s, extrapolated
  c.observe(1'500 * kS, 2 * kS);             // the engine was a little slower
  EXPECT_GE(c.now(2 * kS), ahead);
}

TEST(FollowedClockTest, AnotherEngineIsLearntAfresh) {
  ManualClock wall(0);
  FollowedClock c(wall);
  c.observe(5'000 * kS, 0);
  c.observe(5'300 * kS, kS);
  c.observe(1'000 * kS, 2 * kS);  // a new run, earlier in the day
  EXPECT_DOUBLE_EQ(c.pace(), 1.0);
  EXPECT_EQ(c.now(2 * kS), 1'000 * kS);
}

}  // namespace
}  // namespace hallq::time
