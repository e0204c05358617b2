// The calendar (engine/core/calendar.h) against dates known independently of
// it: day numbers from `date -d 'YYYY-MM-DD UTC' +%s` / 86400, weekdays from
// any calendar, and instants at offsets on both sides of UTC.
#include "engine/core/calendar.h"

#include <gtest/gtest.h>

namespace hallq::core {
namespace {

// An instant from a UTC date and time of day.
TimeUs utc(CivilDate d, int h, int m, int s = 0) {
  return (day_number(d) * 86400 + h * 3600 + m * 60 + s) * kUsPerSecond;
}

TEST(Calendar, DayNumbersOfKnownDates) {
  EXPECT_EQ(day_number({1970, 1, 1}), 0);
  EXPECT_EQ(day_number({1970, 1, 2}), 1);
  EXPECT_EQ(day_number({1969, 12, 31}), -1);
  EXPECT_EQ(day_number({1960, 1, 1}), -3653);
  EXPECT_EQ(day_number({2000, 3, 1}), 11017);  // after a leap day of a year divisible by 400
  EXPECT_EQ(day_number({2000, 2, 29}), 11016);
  EXPECT_EQ(day_number({2024, 2, 29}), 19782);
  EXPECT_EQ(day_number({2026, 1, 5}), 20458);
  EXPECT_EQ(day_number({2100, 3, 1}) - day_number({2100, 2, 28}), 1);  // 2100 is no leap year
  for (std::int64_t day : {-719468LL, -3653LL, -1LL, 0LL, 11016LL, 11017LL, 19782LL, 20458LL, 376200LL})
    EXPECT_EQ(day_number(civil_date(day)), day) << day;
  EXPECT_EQ(civil_date(-1), (CivilDate{1969, 12, 31}));
  EXPECT_EQ(civil_date(19782), (CivilDate{2024, 2, 29}));
  EXPECT_EQ(civil_date(11017), (CivilDate{2000, 3, 1}));
}

TEST(Calendar, WeekdaysOfKnownDates) {
  EXPECT_EQ(weekday(day_number({1970, 1, 1})), 4u);  // a Thursday
  EXPECT_EQ(weekday(day_number({2026, 1, 5})), 1u);  // a Monday
  EXPECT_EQ(weekday(day_number({2024, 2, 29})), 4u);
  EXPECT_EQ(weekday(day_number({1969, 12, 28})), 0u);  // a Sunday, before the epoch
}

TEST(Calendar, ValidDatesAreRealOnes) {
  EXPECT_TRUE(valid_date({2024, 2, 29}));
  EXPECT_FALSE(valid_date({2025, 2, 29}));
  EXPECT_TRUE(valid_date({2000, 2, 29}));
  EXPECT_FALSE(valid_date({1900, 2, 29}));
  EXPECT_FALSE(valid_date({2025, 4, 31}));
  EXPECT_FALSE(valid_date({2025, 13, 1}));
  EXPECT_FALSE(valid_date({2025, 0, 1}));
  EXPECT_FALSE(valid_date({2025, 1, 0}));
}

TEST(Calendar, ParsesAndFormatsStrictDates) {
  EXPECT_EQ(parse_date("2024-02-29"), (CivilDate{2024, 2, 29}));
  EXPECT_EQ(parse_day("1970-01-01"), 0);
  EXPECT_EQ(parse_day("2000-03-01"), 11017);
  EXPECT_EQ(parse_day("2999-12-31"), day_number({2999, 12, 31}));
  for (const char* bad :
       {"2025-02-29", "2026-02-30", "2026-1-5", "2026-13-01", "2026-00-10", "20260105", "2026/01/05", "",
        "1969-12-31", "3000-01-01", "abcd-ef-gh", "2026-01-05x", "+026-01-05", "-123-01-01", " 2026-01-5"})
    EXPECT_FALSE(parse_date(bad).has_value()) << bad;
  EXPECT_EQ(format_date(CivilDate{2024, 2, 29}), "2024-02-29");
  EXPECT_EQ(format_date(std::int64_t{0}), "1970-01-01");
  EXPECT_EQ(format_date(std::int64_t{20458}), "2026-01-05");
  EXPECT_EQ(format_date(CivilDate{987, 6, 5}), "0987-06-05");
}

TEST(Calendar, MonthsAreNumbersThatSubtract) {
  EXPECT_EQ(month_of_day(0), 1970 * 12);
  EXPECT_EQ(month_of_day(*parse_day("2026-12-31")) - month_of_day(*parse_day("2026-01-01")), 11);
  EXPECT_EQ(format_month(month_of_day(*parse_day("2026-12-31"))), "2026-12");
  EXPECT_EQ(format_date(first_day_of_month(month_of_day(*parse_day("2026-03-17")))), "2026-03-01");
  EXPECT_EQ(format_date(first_day_of_month(month_of_day(*parse_day("2024-02-29")) + 1)), "2024-03-01");
  EXPECT_EQ(format_date(first_day_of_month(month_of_day(*parse_day("2025-12-15")) + 1)), "2026-01-01");
  EXPECT_EQ(first_day_of_month(month_of_day(-1)), day_number({1969, 12, 1}));
  EXPECT_EQ(format_month(month_of_day(-1)), "1969-12");
}

TEST(Calendar, LocalTimeFollowsTheOffset) {
  // 2025-03-01 16:30 UTC is 2025-03-02 00:30 in China (+08:00).
  const TimeUs t = utc({2025, 3, 1}, 16, 30);
  EXPECT_EQ(local_date(t, 480), (CivilDate{2025, 3, 2}));
  EXPECT_EQ(local_minute_of_day(t, 480), 30);
  EXPECT_EQ(local_date(t, 0), (CivilDate{2025, 3, 1}));
  EXPECT_EQ(local_second_of_day(t, 0), 16 * 3600 + 30 * 60);
  // West of UTC: 2025-03-01 02:15:10 UTC is 2025-02-28 21:15:10 at -05:00, and 22:45:10 at -03:30.
  const TimeUs early = utc({2025, 3, 1}, 2, 15, 10);
  EXPECT_EQ(local_date(early, -300), (CivilDate{2025, 2, 28}));
  EXPECT_EQ(local_second_of_day(early, -300), 21 * 3600 + 15 * 60 + 10);
  EXPECT_EQ(format_time_of_day(local_second_of_day(early, -210)), "22:45:10");
  EXPECT_EQ(local_day(early, -300), day_number({2025, 2, 28}));
  // The epoch itself, seen from both sides.
  EXPECT_EQ(local_day(0, 0), 0);
  EXPECT_EQ(local_day(0, -60), -1);
  EXPECT_EQ(local_second_of_day(0, -60), 23 * 3600);
  EXPECT_EQ(local_day(-1, 0), -1);
  EXPECT_EQ(local_second_of_day(-1, 0), 86399);
  // Midnights: the instant a local day starts, and the last microsecond before it.
  const std::int64_t day = day_number({2024, 2, 29});
  EXPECT_EQ(day_start(day, 480), utc({2024, 2, 28}, 16, 0));
  EXPECT_EQ(day_start(day, -300), utc({2024, 2, 29}, 5, 0));
  EXPECT_EQ(local_day(day_start(day, 480), 480), day);
  EXPECT_EQ(local_day(day_start(day, 480) - 1, 480), day - 1);
  EXPECT_EQ(local_second_of_day(day_start(day, 480) - 1, 480), 86399);
  EXPECT_EQ(format_time_of_day(0), "00:00:00");
  EXPECT_EQ(format_time_of_day(86399), "23:59:59");
}

TEST(Calendar, AgeCountsBirthdays) {
  EXPECT_EQ(age_on({1960, 3, 2}, {2025, 3, 1}), 64);
  EXPECT_EQ(age_on({1960, 3, 1}, {2025, 3, 1}), 65);
  EXPECT_EQ(age_on({1960, 2, 29}, {2025, 2, 28}), 64);  // leap-day birthday: counts on 1 March
  EXPECT_EQ(age_on({1960, 2, 29}, {2025, 3, 1}), 65);
  EXPECT_EQ(age_on({1960, 2, 29}, {2024, 2, 29}), 64);
  EXPECT_EQ(age_on({2025, 3, 1}, {2025, 3, 1}), 0);
  EXPECT_EQ(civil_date(day_number({2024, 2, 29})), (CivilDate{2024, 2, 29}));
  EXPECT_EQ(day_number({1970, 1, 1}), 0);
  EXPECT_FALSE(parse_date("2025-02-29"));
  EXPECT_TRUE(parse_date("2024-02-29"));
}

}  // namespace
}  // namespace hallq::core
