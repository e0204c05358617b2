// Calendar dates in the proleptic Gregorian calendar, and the hall's local
// date of an instant (halls keep their own UTC offset, HallConfig::utc_offset_min).
// Pure functions; no clock is read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/types.h"

namespace hallq::kiosk {

struct CivilDate {
  int year = 1970, month = 1, day = 1;
  auto operator<=>(const CivilDate&) const = default;
};

// Days since 1970-01-01 and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(CivilDate d);
CivilDate civil_from_days(std::int64_t days);

bool valid_date(CivilDate d);
// Full years between `birth` and `today` (a birthday on 29 February counts on
// 1 March in common years).
int age_on(CivilDate birth, CivilDate today);

// "2025-03-01" -> date; nullopt if malformed or not a real date.
std::optional<CivilDate> parse_iso_date(std::string_view text);
std::string format_iso_date(CivilDate d);

// The local date and minute of the day of `t` at `utc_offset_min`.
CivilDate local_date(core::TimeUs t, int utc_offset_min);
int local_minute_of_day(core::TimeUs t, int utc_offset_min);

}  // namespace hallq::kiosk
