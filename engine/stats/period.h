// The periods statistics are grouped by (hour, day, month, all) and their
// bucket keys in a hall's local time (HallConfig::utc_offset_min); dates and
// months are core's calendar (engine/core/calendar.h). Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/hall_config.h"
#include "engine/core/types.h"

namespace hallq::stats {

// How statistics are grouped in time.
enum class Period : std::uint8_t { kAll, kHour, kDay, kMonth };

// Bucket keys: kAll 0; kHour local day * 24 + local hour; kDay the local day;
// kMonth core::month_of_day. Hours are whole hours after local midnight.
std::int64_t bucket_of(const core::HallConfig& hall, Period p, core::TimeUs t);
// The instant a bucket starts (kAll: 0).
core::TimeUs bucket_start(const core::HallConfig& hall, Period p, std::int64_t key);
// "2026-01-05 09时", "2026-01-05", "2026-01", "全部".
std::string bucket_label(Period p, std::int64_t key);

}  // namespace hallq::stats
