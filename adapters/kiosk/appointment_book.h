// Appointment check-in (预约签到). The engine has no appointment table: the
// kiosk reads the day's appointments from a CSV file exported by the booking
// system, one per line:
//   code,service,date,slot,name        e.g.  482913,social,2025-03-01,09:00-09:30,张*明
// (a first line starting with "code" is a header; '#' lines are comments).
// A code is accepted on its date from `early_min` before the slot's start to
// `late_min` after its end, once: used codes are appended to a local log and
// fsynced before the ticket is printed, and read back at start-up, so a code
// is checked in once even across restarts.
//
// Errors: a malformed appointments file throws config::ConfigError
// naming file:line; check-in refusals are values with a reason in Chinese.
// Thread: one owner thread.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/calendar.h"

namespace hallq::kiosk {

struct Appointment {
  std::string code;
  std::string service;
  core::CivilDate date;
  int start_min = 0, end_min = 0;  // slot, minutes after local midnight
  std::string name;                // masked, e.g. "张*明"
};

struct CheckIn {
  const Appointment* appointment = nullptr;  // set when accepted
  std::string reason;                        // set when refused
  bool ok() const { return appointment != nullptr; }
};

class AppointmentBook {
 public:
  // Parses CSV `text`; `source` names it in errors.
  static AppointmentBook parse(std::string_view text, const std::string& source);
  static AppointmentBook load(const std::string& path);

  // Reads the used-codes log at `path` (missing: none used yet); later
  // mark_used() calls append to it.
  void open_used_log(const std::string& path);

  CheckIn check(std::string_view code, core::CivilDate today, int minute_of_day, int early_min,
                int late_min) const;
  // Records `code` as checked in (append + fsync); false with `error` if the
  // log cannot be written (the caller must not print then).
  bool mark_used(const Appointment& a, std::string& error);
  bool used(std::string_view code, core::CivilDate date) const;

  const std::vector<Appointment>& all() const { return appointments_; }

 private:
  std::vector<Appointment> appointments_;
  std::map<std::string, std::size_t, std::less<>> by_code_;
  std::set<std::string, std::less<>> used_;  // "date code"
  std::string used_path_;
};

std::string format_slot(int start_min, int end_min);

}  // namespace hallq::kiosk
