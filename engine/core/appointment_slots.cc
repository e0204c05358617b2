#include "engine/core/appointment_slots.h"

#include <algorithm>

#include "engine/core/calendar.h"

namespace hallq::core {
namespace {

void add_slots(const std::vector<TimeSpan>& spans, int slot_min, std::vector<int>& out) {
  for (const TimeSpan& span : spans)
    for (int t = span.start_min; t + slot_min <= span.end_min; t += slot_min) out.push_back(t);
}

bool on_weekday(std::uint8_t bits, std::int64_t day) { return (bits >> weekday(day)) & 1u; }

}  // namespace

std::vector<int> slot_starts(const HallConfig& cfg, const AppointmentConfig& a, std::int64_t day) {
  std::vector<int> out;
  if (std::binary_search(cfg.closed_days.begin(), cfg.closed_days.end(), day)) return out;
  const bool main_day = a.weekdays == 0 ? cfg.open_on(day) : on_weekday(a.weekdays, day);
  if (main_day) add_slots(a.hours, a.slot_min, out);
  for (const AppointmentSession& s : a.sessions) {
    const bool session_day = s.weekdays == 0 ? main_day : on_weekday(s.weekdays, day);
    if (session_day) add_slots(s.hours, a.slot_min, out);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool is_slot(const HallConfig& cfg, const AppointmentConfig& a, std::int64_t day, int start_min) {
  const std::vector<int> starts = slot_starts(cfg, a, day);
  return std::binary_search(starts.begin(), starts.end(), start_min);
}

TimeUs slot_time(const HallConfig& cfg, std::int64_t day, int start_min) {
  return cfg.day_start(day) + start_min * kUsPerMinute;
}

}  // namespace hallq::core
