// Working days (工作日) for deadlines such as a 差评 work order's: Monday to
// Friday unless the hall lists the day as a holiday (HallConfig::closed_days),
// and any day the hall lists in extra_days (调休, e.g. a Saturday worked before
// 国庆). Independent of the hall's opening weekdays: a hall open on Saturdays
// still counts deadlines in 工作日.
// Pure functions of a validated config and local day numbers (calendar.h);
// no clock; any thread.
#pragma once

#include <cstdint>

#include "engine/core/hall_config.h"

namespace hallq::core {

// `day` is a working day of the hall: in extra_days, or Monday..Friday and not
// in closed_days.
bool is_working_day(const HallConfig& cfg, std::int64_t day);

// The n-th working day after `day` (`day` itself not counted, whatever it is);
// `day` itself for n <= 0. add_working_days(Friday, 1) is the next Monday
// when it works.
std::int64_t add_working_days(const HallConfig& cfg, std::int64_t day, int n);

// The working days in (from, to]: 0 when to <= from. For a working day `to`,
// working_days_between(from, add_working_days(from, n)) == n.
int working_days_between(const HallConfig& cfg, std::int64_t from, std::int64_t to);

}  // namespace hallq::core
