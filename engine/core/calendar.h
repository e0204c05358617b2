// Calendar arithmetic for halls: civil dates <-> day numbers (days since
// 1970-01-01, negative before), the local day, minute and second of an
// instant at a hall's UTC offset (HallConfig::utc_offset_min; halls keep
// their own offset rather than the machine's time zone), strict
// "YYYY-MM-DD", months, ages. Built on <chrono>'s proleptic Gregorian
// calendar; the only date arithmetic of hallq.
// Pure functions: no clock is read, no time zone database; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/types.h"

namespace hallq::core {

struct CivilDate {
  int year = 1970, month = 1, day = 1;
  auto operator<=>(const CivilDate&) const = default;
};

// A real date: month 1..12, day within the month (29 February in leap years only).
bool valid_date(CivilDate d);
// Days since 1970-01-01 of a valid date, and back.
std::int64_t day_number(CivilDate d);
CivilDate civil_date(std::int64_t day);
// 0 Sunday, 1 Monday ... 6 Saturday.
unsigned weekday(std::int64_t day);

// Exactly "YYYY-MM-DD": four-digit year 1970..2999 (the dates a hall can
// hold, core::plausible_time), two-digit month and day, a real date;
// nullopt for anything else ("2026-02-30", "2026-1-5", "1969-12-31").
std::optional<CivilDate> parse_date(std::string_view text);
// The same, as a day number.
std::optional<std::int64_t> parse_day(std::string_view text);
// "2026-01-05".
std::string format_date(CivilDate d);
std::string format_date(std::int64_t day);

// Months as numbers, year * 12 + (month - 1), so that months subtract.
std::int64_t month_of_day(std::int64_t day);
std::int64_t first_day_of_month(std::int64_t month);
// "2026-01".
std::string format_month(std::int64_t month);

// An instant seen at `utc_offset_min` (minutes east of UTC): its local day,
// date, seconds and whole minutes since local midnight.
std::int64_t local_day(TimeUs t, int utc_offset_min);
CivilDate local_date(TimeUs t, int utc_offset_min);
int local_second_of_day(TimeUs t, int utc_offset_min);
int local_minute_of_day(TimeUs t, int utc_offset_min);
// The instant local midnight starts `day`.
TimeUs day_start(std::int64_t day, int utc_offset_min);
// "HH:MM:SS" of seconds since midnight (0..86399).
std::string format_time_of_day(int second_of_day);

// Whole years from `birth` to `today` (a birthday on 29 February counts on
// 1 March in common years).
int age_on(CivilDate birth, CivilDate today);

}  // namespace hallq::core
