// Calendar dates of a hall's local days: a local day is a day number (days
// since 1970-01-01 in hall time, as core::HallConfig::local_day gives it).
// Strict parsing of "YYYY-MM-DD", formatting, months and the period buckets
// statistics are grouped by. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/core/hall_config.h"
#include "engine/core/types.h"

namespace hallq::stats {

// Parses exactly "YYYY-MM-DD" (4-digit year 1970..2999, a real calendar date)
// into a local day number; nullopt for anything else ("2026-02-30", "2026-1-5").
std::optional<std::int64_t> parse_date(std::string_view text);
// "2026-01-05".
std::string format_date(std::int64_t day);
// Month number: year * 12 + (month - 1), and its first and last day.
std::int64_t month_of_day(std::int64_t day);
std::int64_t first_day_of_month(std::int64_t month);
// "2026-01".
std::string format_month(std::int64_t month);

// How statistics are grouped in time.
enum class Period : std::uint8_t { kAll, kHour, kDay, kMonth };

// Bucket keys: kAll 0; kHour local day * 24 + local hour; kDay the local day;
// kMonth month_of_day. Hours are whole hours after local midnight.
std::int64_t bucket_of(const core::HallConfig& hall, Period p, core::TimeUs t);
// The instant a bucket starts (kAll: 0).
core::TimeUs bucket_start(const core::HallConfig& hall, Period p, std::int64_t key);
// "2026-01-05 09时", "2026-01-05", "2026-01", "全部".
std::string bucket_label(Period p, std::int64_t key);

}  // namespace hallq::stats
