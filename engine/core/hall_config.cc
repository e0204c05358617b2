// Validation and lookups of a hall config.
#include "engine/core/hall_config.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/calendar.h"
#include "engine/core/utf8.h"

namespace hallq::core {
namespace {

constexpr const char* kNameText = "names must be UTF-8 text without control characters";

bool id_chars_ok(std::string_view id, bool allow_upper) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           (allow_upper && c >= 'A' && c <= 'Z');
  });
}

// Codes of the national systems (事项编码, 部门编码): letters, digits, '.', '_', '-'.
bool code_chars_ok(std::string_view code) {
  return code.size() <= 64 && std::all_of(code.begin(), code.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == '-';
         });
}

ConfigProblem problem(std::string section, int index, std::string key, std::string message) {
  return {std::move(section), index, std::move(key), std::move(message)};
}

template <class Map>
std::optional<std::uint32_t> lookup(const Map& m, std::string_view key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

// A list of days: ascending, unique, plausible dates, bounded.
std::optional<ConfigProblem> check_days(const std::vector<std::int64_t>& days, const char* key) {
  if (days.size() > kMaxListedDays)
    return problem("hall", -1, key, fmt::format("at most {} dates", kMaxListedDays));
  const std::int64_t first = day_number({1970, 1, 1}), last = day_number({2999, 12, 31});
  for (std::size_t i = 0; i < days.size(); ++i) {
    if (days[i] < first || days[i] > last)
      return problem("hall", -1, key, "dates must be between 1970-01-01 and 2999-12-31");
    if (i > 0 && days[i] <= days[i - 1])
      return problem("hall", -1, key,
                     fmt::format("dates must be in order, each once ({} after {})", format_date(days[i]),
                                 format_date(days[i - 1])));
  }
  return std::nullopt;
}

// Spans within a day, in order, not overlapping, at least one.
bool spans_ok(const std::vector<TimeSpan>& spans) {
  if (spans.empty()) return false;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const TimeSpan& h = spans[i];
    if (h.start_min < 0 || h.end_min > 24 * 60 || h.start_min >= h.end_min) return false;
    if (i > 0 && h.start_min < spans[i - 1].end_min) return false;
  }
  return true;
}

std::optional<ConfigProblem> check_appointments(const AppointmentConfig& a, std::size_t count) {
  const int at = a.service;
  auto bad = [&](const char* key, std::string message) {
    return problem("service", at, fmt::format("appointments.{}", key), std::move(message));
  };
  if (a.service >= count) return problem("service", -1, "appointments", "appointments of an unknown service");
  if (a.slot_min < 5 || a.slot_min > 240) return bad("slot_min", "must be 5..240 minutes");
  if (a.capacity < 1 || a.capacity > 1000) return bad("capacity", "must be 1..1000 bookings per slot");
  if (!spans_ok(a.hours))
    return bad("hours", "needs \"HH:MM-HH:MM\" spans, start before end, in order, not overlapping");
  if (a.weekdays > kEveryWeekday) return bad("days", "unknown weekday");
  if (a.sessions.size() > kMaxAppointmentSessions)
    return bad("session", fmt::format("at most {} sessions", kMaxAppointmentSessions));
  for (const AppointmentSession& s : a.sessions) {
    if (s.weekdays > kEveryWeekday) return bad("session", "unknown weekday");
    if (!spans_ok(s.hours))
      return bad("session", "needs \"HH:MM-HH:MM\" spans, start before end, in order, not overlapping");
  }
  if (a.check_in_before_min < 0 || a.check_in_before_min > 240)
    return bad("check_in_before_min", "must be 0..240 minutes");
  if (a.check_in_after_min < 0 || a.check_in_after_min > 240)
    return bad("check_in_after_min", "must be 0..240 minutes");
  if (a.check_in_after_min >= a.slot_min)
    return bad("check_in_after_min", fmt::format("must be less than the slot ({} minutes)", a.slot_min));
  if (a.book_ahead_days < 0 || a.book_ahead_days > 90) return bad("book_ahead_days", "must be 0..90 days");
  return std::nullopt;
}

std::optional<ConfigProblem> check_remote(const RemoteConfig& r, std::size_t count) {
  auto bad = [&](const char* key, std::string message) {
    return problem("service", r.service, fmt::format("remote.{}", key), std::move(message));
  };
  if (r.service >= count) return problem("service", -1, "remote", "remote tickets of an unknown service");
  if (!spans_ok(r.hours))
    return bad("hours", "needs \"HH:MM-HH:MM\" spans, start before end, in order, not overlapping");
  if (r.daily_quota < 1 || r.daily_quota > 9999)
    return bad("daily_quota", fmt::format("must be 1..9999 tickets a day, not {}", r.daily_quota));
  if (r.grace_min < 1 || r.grace_min > 240)
    return bad("grace_min", fmt::format("must be 1..240 minutes, not {}", r.grace_min));
  return std::nullopt;
}

}  // namespace

void sort_skills(std::vector<Skill>& skills) {
  std::sort(skills.begin(), skills.end(), [](const Skill& a, const Skill& b) {
    return a.level != b.level ? a.level < b.level : a.service < b.service;
  });
}

std::optional<ConfigProblem> HallConfig::validate_and_index() {
  index_.service.clear();
  index_.prefix.clear();
  index_.window.clear();
  index_.staff.clear();
  index_.window_number.clear();

  bool hall_id_ok = !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!hall_id_ok) return problem("hall", -1, "id", fmt::format("hall id \"{}\" must match [a-z0-9-]+", id));
  if (name.empty()) return problem("hall", -1, "name", "hall name is empty");
  // Names are shown on screens and travel in snapshots as C strings: no NUL,
  // no control characters (fuzz/regressions/config/nul-*).
  if (!printable_utf8(name)) return problem("hall", -1, "name", kNameText);
  for (const TimeSpan& h : hours) {
    if (h.start_min < 0 || h.end_min > 24 * 60 || h.start_min >= h.end_min)
      return problem("hall", -1, "hours", "each span must be \"HH:MM-HH:MM\" with start before end");
  }
  if (weekdays == 0 || weekdays > kEveryWeekday)
    return problem("hall", -1, "days", "must name at least one day of the week");
  if (auto p = check_days(closed_days, "closed")) return p;
  if (auto p = check_days(extra_days, "extra_days")) return p;
  for (std::int64_t day : extra_days) {
    if (std::binary_search(closed_days.begin(), closed_days.end(), day))
      return problem("hall", -1, "extra_days", fmt::format("{} is also in closed", format_date(day)));
  }
  if (!(wait_target_min > 0)) return problem("hall", -1, "wait_target_min", "must be positive");
  if (utc_offset_min < -12 * 60 || utc_offset_min > 14 * 60)
    return problem("hall", -1, "utc_offset", "must be between -12:00 and +14:00");

  if (!division_code.empty() &&
      ((division_code.size() != 6 && division_code.size() != 12) ||
       !std::all_of(division_code.begin(), division_code.end(), [](char c) { return c >= '0' && c <= '9'; })))
    return problem("hall", -1, "division_code",
                   fmt::format("区划编码 \"{}\" must be 6 or 12 digits", division_code));
  if (auto p = check_evaluation_config(evaluation)) return problem("evaluation", -1, p->key, p->message);

  const HallRules& r = rules;
  if (r.policy.empty()) return problem("rules", -1, "policy", "policy name is empty");
  if (!id_chars_ok(r.policy, false))  // it travels in snapshots as a C string
    return problem("rules", -1, "policy", fmt::format("policy name \"{}\" must match [a-z0-9_-]+", r.policy));
  if (r.recall_limit < 0 || r.recall_limit > 9) return problem("rules", -1, "recall_limit", "must be 0..9");
  if (r.reactivate_min < 0) return problem("rules", -1, "reactivate_min", "must not be negative");
  if (r.reactivate_behind < 0) return problem("rules", -1, "reactivate_behind", "must not be negative");
  if (r.priority_ratio < 1 || r.priority_ratio > 255)
    return problem("rules", -1, "priority_ratio", "must be 1..255");
  if (!(r.help_load >= 0) || r.help_load > 1000) return problem("rules", -1, "help_load", "must be 0..1000");
  if (!(r.remote_call_share > 0) || r.remote_call_share > 1)
    return problem("rules", -1, "remote_call_share",
                   fmt::format("must be a share above 0 and at most 1 (0.3: at most 30% of calls), not {}",
                               r.remote_call_share));
  if (r.number_digits < 1 || r.number_digits > 6)
    return problem("rules", -1, "number_digits", "must be 1..6");
  if (r.max_tickets_per_service < 1 || r.max_tickets_per_service > 999'999)
    return problem("rules", -1, "max_tickets_per_service", "must be 1..999999");

  if (services.empty()) return problem("service", -1, "", "a hall needs at least one [[service]]");
  if (services.size() > 1000) return problem("service", -1, "", "at most 1000 services");
  for (std::size_t i = 0; i < services.size(); ++i) {
    const ServiceConfig& s = services[i];
    const int at = static_cast<int>(i);
    if (!id_chars_ok(s.id, false))
      return problem("service", at, "id", fmt::format("service id \"{}\" must match [a-z0-9_-]+", s.id));
    if (!index_.service.emplace(s.id, static_cast<std::uint32_t>(i)).second)
      return problem("service", at, "id", fmt::format("service id \"{}\" appears twice", s.id));
    if (s.name.empty()) return problem("service", at, "name", "service name is empty");
    if (!printable_utf8(s.name)) return problem("service", at, "name", kNameText);
    const bool prefix_ok =
        !s.prefix.empty() && s.prefix.size() <= 2 &&
        std::all_of(s.prefix.begin(), s.prefix.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!prefix_ok)
      return problem("service", at, "prefix",
                     fmt::format("prefix \"{}\" must be 1 or 2 capital letters", s.prefix));
    if (!index_.prefix.emplace(s.prefix, static_cast<std::uint32_t>(i)).second)
      return problem("service", at, "prefix",
                     fmt::format("prefix \"{}\" is used by another service", s.prefix));
    if (!(s.expected_handle_min > 0) || s.expected_handle_min > 24 * 60)
      return problem("service", at, "expected_handle_min", "must be a positive number of minutes");
    if (!s.item_code.empty() && !code_chars_ok(s.item_code))
      return problem("service", at, "item_code",
                     fmt::format("事项编码 \"{}\" must be 1..64 of [0-9A-Za-z._-]", s.item_code));
    if (!s.department_code.empty() && !code_chars_ok(s.department_code))
      return problem("service", at, "department_code",
                     fmt::format("部门编码 \"{}\" must be 1..64 of [0-9A-Za-z._-]", s.department_code));
  }

  if (windows.empty()) return problem("window", -1, "", "a hall needs at least one [[window]]");
  if (windows.size() > 4000) return problem("window", -1, "", "at most 4000 windows");
  for (std::size_t i = 0; i < windows.size(); ++i) {
    WindowConfig& w = windows[i];
    const int at = static_cast<int>(i);
    if (!id_chars_ok(w.id, true))
      return problem("window", at, "id", fmt::format("window id \"{}\" must match [A-Za-z0-9_-]+", w.id));
    if (!index_.window.emplace(w.id, static_cast<std::uint32_t>(i)).second)
      return problem("window", at, "id", fmt::format("window id \"{}\" appears twice", w.id));
    if (w.number < 1 || w.number > 9999) return problem("window", at, "number", "must be 1..9999");
    if (!index_.window_number.emplace(w.number, static_cast<WindowIdx>(i)).second)
      return problem("window", at, "number", fmt::format("window number {} appears twice", w.number));
    if (w.name.empty()) return problem("window", at, "name", "window name is empty");
    if (!printable_utf8(w.name)) return problem("window", at, "name", kNameText);
    if (w.serves.empty()) return problem("window", at, "serves", "a window must serve at least one service");
    for (const Skill& k : w.serves) {
      if (k.service >= services.size()) return problem("window", at, "serves", "unknown service");
      if (k.level < 1 || k.level > 9) return problem("window", at, "serves", "skill levels are 1..9");
    }
    sort_skills(w.serves);
    for (std::size_t k = 1; k < w.serves.size(); ++k) {
      for (std::size_t j = 0; j < k; ++j)
        if (w.serves[j].service == w.serves[k].service)
          return problem("window", at, "serves", "a service is listed twice");
    }
  }

  for (std::size_t i = 0; i < appointments.size(); ++i) {
    if (auto p = check_appointments(appointments[i], services.size())) return p;
    if (i > 0 && appointments[i].service <= appointments[i - 1].service)
      return problem("service", appointments[i].service, "appointments",
                     "appointments listed twice or out of service order");
  }

  for (std::size_t i = 0; i < remote.size(); ++i) {
    if (auto p = check_remote(remote[i], services.size())) return p;
    if (i > 0 && remote[i].service <= remote[i - 1].service)
      return problem("service", remote[i].service, "remote", "remote listed twice or out of service order");
  }

  for (std::size_t i = 0; i < staff.size(); ++i) {
    const StaffConfig& s = staff[i];
    const int at = static_cast<int>(i);
    if (!id_chars_ok(s.id, true))
      return problem("staff", at, "id", fmt::format("staff id \"{}\" must match [A-Za-z0-9_-]+", s.id));
    if (!index_.staff.emplace(s.id, static_cast<std::uint32_t>(i)).second)
      return problem("staff", at, "id", fmt::format("staff id \"{}\" appears twice", s.id));
    if (!printable_utf8(s.name)) return problem("staff", at, "name", kNameText);
  }
  return std::nullopt;
}

std::optional<ServiceIdx> HallConfig::find_service(std::string_view key) const {
  auto v = lookup(index_.service, key);
  return v ? std::optional<ServiceIdx>(static_cast<ServiceIdx>(*v)) : std::nullopt;
}

std::optional<ServiceIdx> HallConfig::find_prefix(std::string_view prefix) const {
  auto v = lookup(index_.prefix, prefix);
  return v ? std::optional<ServiceIdx>(static_cast<ServiceIdx>(*v)) : std::nullopt;
}

std::optional<WindowIdx> HallConfig::find_window(std::string_view key) const {
  auto v = lookup(index_.window, key);
  return v ? std::optional<WindowIdx>(static_cast<WindowIdx>(*v)) : std::nullopt;
}

std::optional<WindowIdx> HallConfig::find_window_number(int number) const {
  auto it = index_.window_number.find(number);
  if (it == index_.window_number.end()) return std::nullopt;
  return it->second;
}

bool HallConfig::staff_known(std::string_view staff_id) const {
  return index_.staff.find(staff_id) != index_.staff.end();
}

const AppointmentConfig* HallConfig::appointments_of(ServiceIdx s) const {
  auto it = std::lower_bound(appointments.begin(), appointments.end(), s,
                             [](const AppointmentConfig& a, ServiceIdx x) { return a.service < x; });
  return it != appointments.end() && it->service == s ? &*it : nullptr;
}

const RemoteConfig* HallConfig::remote_of(ServiceIdx s) const {
  auto it = std::lower_bound(remote.begin(), remote.end(), s,
                             [](const RemoteConfig& r, ServiceIdx x) { return r.service < x; });
  return it != remote.end() && it->service == s ? &*it : nullptr;
}

const StaffConfig* HallConfig::find_staff(std::string_view staff_id) const {
  auto v = lookup(index_.staff, staff_id);
  return v ? &staff[*v] : nullptr;
}

std::int64_t HallConfig::local_day(TimeUs t) const { return core::local_day(t, utc_offset_min); }

bool HallConfig::open_on(std::int64_t day) const {
  if (std::binary_search(extra_days.begin(), extra_days.end(), day)) return true;
  if (std::binary_search(closed_days.begin(), closed_days.end(), day)) return false;
  return (weekdays >> weekday(day)) & 1u;
}

bool HallConfig::within_hours(TimeUs t) const {
  if (!open_on(local_day(t))) return false;
  const int minute = local_second_of_day(t) / 60;
  for (const TimeSpan& span : hours)
    if (minute >= span.start_min && minute < span.end_min) return true;
  return hours.empty();
}

int HallConfig::local_second_of_day(TimeUs t) const { return core::local_second_of_day(t, utc_offset_min); }

TimeUs HallConfig::day_start(std::int64_t day) const { return core::day_start(day, utc_offset_min); }

}  // namespace hallq::core
