// The 80% range a waiting citizen is shown, learned from the hall's own
// outcomes (engine/view/wait_range.h). Expected ranges are worked out by
// hand from the factors and the outcomes the test adds.
#include "engine/view/wait_range.h"

#include <gtest/gtest.h>

namespace hallq::view {
namespace {

TEST(RangeCalibration, WithoutOutcomesItIsTheTracesFactors) {
  const RangeCalibration none;
  for (std::uint32_t ahead : {0u, 1u, 3u, 8u, 20u, 60u})
    for (std::int32_t p : {0, 30, 300, 1200, 5400}) {
      const WaitRange a = none.range(p, ahead), b = wait_range(p, ahead);
      EXPECT_EQ(a.low_s, b.low_s) << ahead << " " << p;
      EXPECT_EQ(a.high_s, b.high_s) << ahead << " " << p;
    }
  // One ahead: 0.6 and 3.0 times the forecast.
  EXPECT_EQ(none.range(600, 1).low_s, 360);
  EXPECT_EQ(none.range(600, 1).high_s, 1800);
}

TEST(RangeCalibration, MovesTowardTheHallsOwnQuantilesAndHoldsAboutEightyPercent) {
  RangeCalibration c;
  // 1,001 citizens with one ahead, predicted 10 minutes, who waited 5 to 15
  // minutes evenly: their 10% and 90% quantiles of actual / predicted are
  // 0.6 and 1.4.
  for (int i = 0; i <= 1000; ++i) c.add(1, 600, 300.0 + 0.6 * i);
  EXPECT_EQ(c.outcomes(), 1001u);
  // Weighted with the traces' factors (0.6, 3.0) as 30 outcomes:
  // low (30 x 0.6 + 1001 x 0.6) / 1031 = 0.6; high (30 x 3.0 + 1001 x 1.4) / 1031 = 1.4466.
  const WaitRange r = c.range(600, 1);
  EXPECT_EQ(r.low_s, 360);
  EXPECT_EQ(r.high_s, 867);
  int inside = 0;
  for (int i = 0; i <= 1000; ++i) inside += 300 + 0.6 * i >= r.low_s && 300 + 0.6 * i <= r.high_s;
  EXPECT_GE(inside, 750);  // the traces' factors held all 1,001 (up to 30 minutes): too wide for this hall
  EXPECT_LE(inside, 850);
  // Other buckets keep the traces' factors; a second bucket learns apart.
  EXPECT_EQ(c.range(600, 3).low_s, wait_range(600, 3).low_s);
  EXPECT_EQ(c.range(600, 3).high_s, wait_range(600, 3).high_s);
}

TEST(RangeCalibration, FewOutcomesMoveItLittleShortPredictionsNotAtAll) {
  RangeCalibration c;
  c.add(1, 30, 600);  // predicted under a minute: no range is shown for it, not learned
  c.add(1, -1, 600);  // no prediction
  c.add(1, 600, -5);  // no wait
  EXPECT_EQ(c.outcomes(), 0u);
  for (int i = 0; i < 3; ++i) c.add(1, 600, 1200);  // three who waited twice the forecast
  // (30 x 0.6 + 3 x 2) / 33 = 0.7273; (30 x 3.0 + 3 x 2) / 33 = 2.9091.
  const WaitRange r = c.range(600, 1);
  EXPECT_EQ(r.low_s, 436);
  EXPECT_EQ(r.high_s, 1745);
}

}  // namespace
}  // namespace hallq::view
