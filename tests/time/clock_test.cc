// The wall clocks programs are given: the system one reads real time, the
// manual one moves only when told; the engine's clock follows either.
#include <gtest/gtest.h>

#include <chrono>

#include "engine/time/engine_clock.h"
#include "engine/time/manual_clock.h"
#include "engine/time/system_clock.h"

namespace hallq::time {
namespace {

TEST(SystemClockTest, ReadsTheSystemsWallClock) {
  const auto real_us = [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const core::TimeUs before = real_us();
  const core::TimeUs read = system_clock().now_us();
  const core::TimeUs after = real_us();
  EXPECT_LE(before, read);
  EXPECT_LE(read, after);
  EXPECT_EQ(&system_clock(), &system_clock());  // one shared instance
}

TEST(ManualClockTest, MovesOnlyWhenTold) {
  ManualClock clock(1'700'000'000 * core::kUsPerSecond);
  const Clock& as_clock = clock;
  EXPECT_EQ(as_clock.now_us(), 1'700'000'000 * core::kUsPerSecond);
  EXPECT_EQ(as_clock.now_us(), 1'700'000'000 * core::kUsPerSecond);
  clock.advance(5 * core::kUsPerSecond);
  EXPECT_EQ(as_clock.now_us(), 1'700'000'005 * core::kUsPerSecond);
  clock.set(42);
  EXPECT_EQ(as_clock.now_us(), 42);
}

TEST(EngineClockTest, FollowsTheWallClockItIsGiven) {
  ManualClock wall(1'700'000'000 * core::kUsPerSecond);
  EngineClock engine;
  EXPECT_EQ(engine.now(wall), wall.now_us());
  wall.advance(3'600 * core::kUsPerSecond);  // a step forwards: followed at once
  EXPECT_EQ(engine.now(wall), wall.now_us());
  const core::TimeUs before = engine.now(wall);
  wall.advance(-600 * core::kUsPerSecond);  // a step back: never backwards
  EXPECT_GE(engine.now(wall), before);
  EXPECT_GT(engine.ahead(), 0);
}

}  // namespace
}  // namespace hallq::time
