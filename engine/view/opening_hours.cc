#include "engine/view/opening_hours.h"

#include <algorithm>

namespace hallq::view {

Opening opening(const core::HallConfig& cfg, core::TimeUs now) {
  Opening o;
  if (cfg.within_hours(now)) {
    o.open_now = true;
    return o;
  }
  const std::int64_t today = cfg.local_day(now);
  const int minute = cfg.local_second_of_day(now) / 60;
  int later = -1, first = cfg.hours.empty() ? 0 : 24 * 60;  // today's next start; the day's first start
  for (const core::TimeSpan& span : cfg.hours) {
    first = std::min(first, span.start_min);
    if (span.start_min > minute && (later < 0 || span.start_min < later)) later = span.start_min;
  }
  o.next_today = later >= 0 && cfg.open_on(today);
  o.next_minute = o.next_today ? later : first;
  // A working weekday follows the last holiday within a week (validate_and_index:
  // weekdays is never empty), so the search ends.
  std::int64_t day = today;
  if (!o.next_today) do
      ++day;
    while (!cfg.open_on(day));
  o.next = cfg.day_start(day) + o.next_minute * core::kUsPerMinute;
  return o;
}

}  // namespace hallq::view
