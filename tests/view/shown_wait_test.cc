// The words a citizen's phone shows for a wait range, and the bounds they
// claim (engine/view/shown_wait.h). Every expected string and bound is
// written by hand from the rules in the header, not produced by the code.
#include "engine/view/shown_wait.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hallq::view {
namespace {

struct Case {
  WaitRange range;
  std::int32_t low_s, high_s;
  const char* text;
};

void expect_shown(const Case& c) {
  const ShownWait w = shown_wait(c.range);
  EXPECT_EQ(w.text, c.text) << c.range.low_s << ".." << c.range.high_s;
  EXPECT_EQ(w.low_s, c.low_s) << c.text;
  EXPECT_EQ(w.high_s, c.high_s) << c.text;
  EXPECT_FALSE(w.soon) << c.text;
}

TEST(ShownWait, UpToAMinuteIsSoonAndClaimsTheMinute) {
  for (const WaitRange r : {WaitRange{0, 0}, WaitRange{0, 50}, WaitRange{30, 60}}) {
    const ShownWait w = shown_wait(r);
    EXPECT_EQ(w.text, "即将轮到您");
    EXPECT_TRUE(w.soon);
    EXPECT_EQ(w.low_s, 0);
    EXPECT_EQ(w.high_s, 60);
  }
}

// Ranges ending within two minutes: the low end to the nearest half minute
// (15 s rounds up), the high end up to a half minute.
TEST(ShownWait, WithinTwoMinutesInHalfMinutes) {
  for (const Case& c : {
           Case{{0, 61}, 0, 90, "90 秒内"},
           Case{{14, 90}, 0, 90, "90 秒内"},
           Case{{15, 90}, 30, 90, "约 30–90 秒"},
           Case{{44, 80}, 30, 90, "约 30–90 秒"},
           Case{{45, 85}, 60, 90, "约 60–90 秒"},
           Case{{10, 91}, 0, 120, "2 分钟内"},
           Case{{40, 100}, 30, 120, "约 30 秒–2 分钟"},
           Case{{50, 120}, 60, 120, "约 1–2 分钟"},
           Case{{80, 110}, 90, 120, "约 90 秒–2 分钟"},
           // The low end rounded up onto the high end: half a minute below it.
           Case{{110, 115}, 90, 120, "约 90 秒–2 分钟"},
           Case{{80, 82}, 60, 90, "约 60–90 秒"},
       })
    expect_shown(c);
}

// Longer: whole minutes, the low end down and the high end up, at least a
// minute apart, as before; a low end of 0 minutes reads "N 分钟内".
TEST(ShownWait, LongerInWholeMinutesOutward) {
  for (const Case& c : {
           Case{{8 * 60 + 10, 11 * 60 + 50}, 8 * 60, 12 * 60, "约 8–12 分钟"},
           Case{{60, 121}, 60, 180, "约 1–3 分钟"},
           Case{{59, 121}, 0, 180, "3 分钟内"},
           Case{{0, 17 * 60 - 30}, 0, 17 * 60, "17 分钟内"},
           Case{{300, 300 + 1}, 300, 360, "约 5–6 分钟"},
           Case{{600, 600}, 600, 660, "约 10–11 分钟"},
           Case{{90 * 60, 135 * 60}, 90 * 60, 135 * 60, "约 90–135 分钟"},
       })
    expect_shown(c);
}

// What the words claim always holds the range itself: rounding never cuts it.
TEST(ShownWait, TheClaimedBoundsHoldTheRange) {
  for (std::int32_t high = 0; high <= 1800; high += 7)
    for (std::int32_t low = 0; low <= high; low += 11) {
      const ShownWait w = shown_wait({low, high});
      EXPECT_LE(w.high_s, std::max(60, high + 60)) << low << ".." << high;
      EXPECT_GE(w.high_s, high) << low << ".." << high;
      EXPECT_LT(w.low_s, w.high_s) << low << ".." << high;
      if (high > 120) {
        EXPECT_LE(w.low_s, low) << low << ".." << high;
      }
    }
}

}  // namespace
}  // namespace hallq::view
