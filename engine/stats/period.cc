#include "engine/stats/period.h"

#include <fmt/format.h>

#include "engine/core/calendar.h"

namespace hallq::stats {

std::int64_t bucket_of(const core::HallConfig& hall, Period p, core::TimeUs t) {
  switch (p) {
    case Period::kAll:
      return 0;
    case Period::kHour:
      return hall.local_day(t) * 24 + hall.local_second_of_day(t) / 3600;
    case Period::kDay:
      return hall.local_day(t);
    case Period::kMonth:
      return core::month_of_day(hall.local_day(t));
  }
  return 0;
}

core::TimeUs bucket_start(const core::HallConfig& hall, Period p, std::int64_t key) {
  switch (p) {
    case Period::kAll:
      return 0;
    case Period::kHour: {
      const std::int64_t day = key >= 0 ? key / 24 : (key - 23) / 24;
      return hall.day_start(day) + (key - day * 24) * 3600 * core::kUsPerSecond;
    }
    case Period::kDay:
      return hall.day_start(key);
    case Period::kMonth:
      return hall.day_start(core::first_day_of_month(key));
  }
  return 0;
}

std::string bucket_label(Period p, std::int64_t key) {
  switch (p) {
    case Period::kAll:
      return "全部";
    case Period::kHour: {
      const std::int64_t day = key >= 0 ? key / 24 : (key - 23) / 24;
      return fmt::format("{} {:02}时", core::format_date(day), key - day * 24);
    }
    case Period::kDay:
      return core::format_date(key);
    case Period::kMonth:
      return core::format_month(key);
  }
  return {};
}

}  // namespace hallq::stats
