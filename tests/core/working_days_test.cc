// Working days (engine/core/working_days.h) against a calendar read by hand:
// 2026's National Day holiday (10月1日 Thu to 7日 Wed closed, Sunday 9月20日
// and Saturday 10月10日 worked, 调休) and an ordinary week in January 2026
// (5 January is a Monday).
#include "engine/core/working_days.h"

#include <gtest/gtest.h>

#include "engine/core/calendar.h"

namespace hallq::core {
namespace {

std::int64_t d(int y, int m, int dd) { return day_number({y, m, dd}); }

HallConfig national_day_2026() {
  HallConfig cfg;
  for (int day = 1; day <= 7; ++day) cfg.closed_days.push_back(d(2026, 10, day));
  cfg.extra_days = {d(2026, 9, 20), d(2026, 10, 10)};
  return cfg;
}

TEST(WorkingDays, WeekdaysHolidaysAndSwappedDays) {
  const HallConfig cfg = national_day_2026();
  EXPECT_TRUE(is_working_day(cfg, d(2026, 9, 30)));    // Wednesday
  EXPECT_FALSE(is_working_day(cfg, d(2026, 9, 19)));   // Saturday
  EXPECT_TRUE(is_working_day(cfg, d(2026, 9, 20)));    // Sunday, 调休
  EXPECT_FALSE(is_working_day(cfg, d(2026, 10, 1)));   // Thursday, 国庆
  EXPECT_FALSE(is_working_day(cfg, d(2026, 10, 7)));   // Wednesday, 国庆
  EXPECT_TRUE(is_working_day(cfg, d(2026, 10, 8)));    // Thursday
  EXPECT_TRUE(is_working_day(cfg, d(2026, 10, 10)));   // Saturday, 调休
  EXPECT_FALSE(is_working_day(cfg, d(2026, 10, 11)));  // Sunday
}

TEST(WorkingDays, DeadlinesSkipTheNationalDayWeek) {
  const HallConfig cfg = national_day_2026();
  // Rated Wednesday 30 September: 8 Thu, 9 Fri, 10 Sat (调休), 12 Mon, 13 Tue.
  EXPECT_EQ(add_working_days(cfg, d(2026, 9, 30), 1), d(2026, 10, 8));
  EXPECT_EQ(add_working_days(cfg, d(2026, 9, 30), 3), d(2026, 10, 10));
  EXPECT_EQ(add_working_days(cfg, d(2026, 9, 30), 5), d(2026, 10, 13));
  // From Friday 18 September the next working day is Sunday the 20th (调休).
  EXPECT_EQ(add_working_days(cfg, d(2026, 9, 18), 1), d(2026, 9, 20));
  EXPECT_EQ(add_working_days(cfg, d(2026, 9, 18), 2), d(2026, 9, 21));
  // Rated on a holiday (a Saturday inside it): counting starts after it.
  EXPECT_EQ(add_working_days(cfg, d(2026, 10, 3), 1), d(2026, 10, 8));
  EXPECT_EQ(add_working_days(cfg, d(2026, 9, 30), 0), d(2026, 9, 30));
}

TEST(WorkingDays, AnOrdinaryWeekSkipsTheWeekend) {
  const HallConfig cfg;  // no holidays; open every day, which does not make Saturday a working day
  EXPECT_EQ(add_working_days(cfg, d(2026, 1, 9), 1), d(2026, 1, 12));  // Friday -> Monday
  EXPECT_EQ(add_working_days(cfg, d(2026, 1, 9), 5), d(2026, 1, 16));
  EXPECT_EQ(add_working_days(cfg, d(2026, 1, 10), 1), d(2026, 1, 12));  // Saturday -> Monday
  EXPECT_EQ(add_working_days(cfg, d(2026, 1, 5), 4), d(2026, 1, 9));
}

TEST(WorkingDays, CountsBetweenTwoDays) {
  const HallConfig cfg = national_day_2026();
  EXPECT_EQ(working_days_between(cfg, d(2026, 9, 30), d(2026, 10, 13)), 5);
  EXPECT_EQ(working_days_between(cfg, d(2026, 9, 30), d(2026, 10, 11)), 3);  // 8, 9, 10
  EXPECT_EQ(working_days_between(cfg, d(2026, 10, 1), d(2026, 10, 7)), 0);
  EXPECT_EQ(working_days_between(cfg, d(2026, 10, 13), d(2026, 9, 30)), 0);
  EXPECT_EQ(working_days_between(cfg, d(2026, 9, 30), d(2026, 9, 30)), 0);
  for (int n = 1; n <= 20; ++n)
    EXPECT_EQ(working_days_between(cfg, d(2026, 9, 25), add_working_days(cfg, d(2026, 9, 25), n)), n) << n;
}

}  // namespace
}  // namespace hallq::core
