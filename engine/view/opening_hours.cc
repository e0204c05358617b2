#include "engine/view/opening_hours.h"

#include <algorithm>

namespace hallq::view {

Opening opening(const core::HallConfig& cfg, core::TimeUs now) {
  Opening o;
  if (cfg.hours.empty()) {
    o.open_now = true;
    return o;
  }
  const int minute = cfg.local_second_of_day(now) / 60;
  int later = -1, first = 24 * 60;  // today's next start; the day's first start
  for (const core::TimeSpan& span : cfg.hours) {
    if (minute >= span.start_min && minute < span.end_min) {
      o.open_now = true;
      return o;
    }
    first = std::min(first, span.start_min);
    if (span.start_min > minute && (later < 0 || span.start_min < later)) later = span.start_min;
  }
  o.next_today = later >= 0;
  o.next_minute = o.next_today ? later : first;
  o.next = cfg.day_start(cfg.local_day(now) + (o.next_today ? 0 : 1)) + o.next_minute * core::kUsPerMinute;
  return o;
}

}  // namespace hallq::view
