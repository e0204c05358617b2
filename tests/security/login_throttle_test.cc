// LoginThrottle (engine/server/login_throttle.h) with a time passed in:
// counted before the check, per (name, address) and per address, doubling
// delays, another address unaffected.
#include "engine/server/login_throttle.h"

#include <gtest/gtest.h>

namespace hallq::server {
namespace {

using std::chrono::seconds;
using Clock = LoginThrottle::Clock;

TEST(LoginThrottleTest, ChecksUnderWayCountSoParallelGuessesGetOnlyTheLimit) {
  LoginThrottle t;
  const Clock::time_point now{};
  int admitted = 0;
  for (int i = 0; i < 40; ++i) admitted += t.begin("boss", "10.0.0.9", now) == seconds(0);
  EXPECT_EQ(admitted, 5);
  EXPECT_EQ(t.begin("boss", "10.0.0.1", now), seconds(0)) << "the real admin elsewhere";
}

TEST(LoginThrottleTest, LockoutsGrowAndASuccessForgetsTheName) {
  LoginThrottle t;
  Clock::time_point now{};
  auto fail_five = [&] {
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(t.begin("boss", "10.0.0.9", now), seconds(0)) << i;
      t.failed("boss", "10.0.0.9", now);
    }
  };
  fail_five();
  EXPECT_EQ(t.begin("boss", "10.0.0.9", now), seconds(60));
  now += seconds(61);
  fail_five();
  EXPECT_EQ(t.begin("boss", "10.0.0.9", now), seconds(120));
  now += seconds(121);
  fail_five();
  EXPECT_EQ(t.begin("boss", "10.0.0.9", now), seconds(240));
  EXPECT_EQ(t.begin("boss", "10.0.0.1", now), seconds(0));
  t.succeeded("boss", "10.0.0.1");
  now += seconds(241);
  ASSERT_EQ(t.begin("boss", "10.0.0.9", now), seconds(0));
  t.succeeded("boss", "10.0.0.9");
  fail_five();  // forgotten: five more before the first delay again
  EXPECT_EQ(t.begin("boss", "10.0.0.9", now), seconds(60));
}

TEST(LoginThrottleTest, ManyNamesFromOneAddressLockTheAddress) {
  LoginThrottle t;
  const Clock::time_point now{};
  for (int i = 0; i < 20; ++i) {
    const std::string name = "user" + std::to_string(i);
    ASSERT_EQ(t.begin(name, "10.0.0.9", now), seconds(0)) << i;
    t.failed(name, "10.0.0.9", now);
  }
  EXPECT_EQ(t.begin("boss", "10.0.0.9", now), seconds(60));
  EXPECT_EQ(t.begin("boss", "10.0.0.1", now), seconds(0));
}

TEST(LoginThrottleTest, MemoryIsBounded) {
  LoginThrottle t({.max_tracked = 100});
  Clock::time_point now{};
  for (int i = 0; i < 10'000; ++i) {
    const std::string address = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    if (t.begin("x", address, now) == seconds(0)) t.abandoned("x", address);
    now += std::chrono::hours(25);
  }
  EXPECT_LE(t.tracked(), 102u);
}

}  // namespace
}  // namespace hallq::server
