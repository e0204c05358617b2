// The appointment slots of a service on a day (AppointmentConfig): which
// slots exist, and the instants that bound a booking's check-in.
//
// Pure: functions of the config. Thread: any.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/hall_config.h"

namespace hallq::core {

// Local minutes of day at which the slots of `a` start on local day `day`,
// ascending and unique: none on a holiday (closed_days); the main hours on
// the appointments' days (the hall's working days when `a.weekdays` is 0),
// and each session's hours on its days.
std::vector<int> slot_starts(const HallConfig& cfg, const AppointmentConfig& a, std::int64_t day);

// `start_min` starts a slot of `a` on `day`.
bool is_slot(const HallConfig& cfg, const AppointmentConfig& a, std::int64_t day, int start_min);

// The instant a slot starts.
TimeUs slot_time(const HallConfig& cfg, std::int64_t day, int start_min);

}  // namespace hallq::core
