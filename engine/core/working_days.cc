// Working-day arithmetic by walking the calendar one day at a time: deadlines
// are days to weeks away, and the holiday lists are sorted, so a binary search
// per day is all it costs.
#include "engine/core/working_days.h"

#include <algorithm>

#include "engine/core/calendar.h"

namespace hallq::core {

bool is_working_day(const HallConfig& cfg, std::int64_t day) {
  if (std::binary_search(cfg.extra_days.begin(), cfg.extra_days.end(), day)) return true;
  if (std::binary_search(cfg.closed_days.begin(), cfg.closed_days.end(), day)) return false;
  const unsigned wd = weekday(day);
  return wd >= 1 && wd <= 5;
}

std::int64_t add_working_days(const HallConfig& cfg, std::int64_t day, int n) {
  while (n > 0) {
    ++day;
    if (is_working_day(cfg, day)) --n;
  }
  return day;
}

int working_days_between(const HallConfig& cfg, std::int64_t from, std::int64_t to) {
  int n = 0;
  for (std::int64_t d = from + 1; d <= to; ++d)
    if (is_working_day(cfg, d)) ++n;
  return n;
}

}  // namespace hallq::core
