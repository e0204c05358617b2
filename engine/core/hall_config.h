// The configuration model of one hall: its services, windows, staff and the
// calling rules. Built by config_loader from TOML (or by tests directly), then
// validated and indexed once; immutable afterwards and shared read-only by the
// hall state, policies, predictors and codecs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/core/evaluation_config.h"
#include "engine/core/types.h"

namespace hallq::core {

struct ServiceConfig {
  std::string id;                            // [a-z0-9_-]+, unique in the hall
  std::string name;                          // shown to citizens, e.g. "社保医保"
  std::string prefix;                        // ticket prefix, 1-2 capital letters, unique in the hall
  ServiceKind kind = ServiceKind::kInstant;  // 即办件 / 承诺件
  double expected_handle_min = 5;            // prior for predictions until history exists
  std::string item_code;  // 事项编码 (implementation code of the item); "" or 1..64 of [0-9A-Za-z._-]
  std::string department_code;  // 实施部门编码; "" or 1..64 of [0-9A-Za-z._-]
  bool operator==(const ServiceConfig&) const = default;
};

struct Skill {
  ServiceIdx service = 0;
  std::uint8_t level = 1;  // 1 primary; 2, 3 ... later resort
  bool operator==(const Skill&) const = default;
};

// Orders skills as windows keep them: by level, then service.
void sort_skills(std::vector<Skill>& skills);

struct WindowConfig {
  std::string id;    // unique in the hall
  int number = 0;    // the number painted above the counter, unique, >= 1
  std::string name;  // e.g. "社保医保窗口"
  WindowKind kind = WindowKind::kClassified;
  std::vector<Skill> serves;  // sorted by (level, service); never empty
  bool operator==(const WindowConfig&) const = default;
};

struct StaffConfig {
  std::string id;
  std::string name;
  bool operator==(const StaffConfig&) const = default;
};

// Daily opening span in minutes after local midnight, [start, end).
struct TimeSpan {
  int start_min = 0;
  int end_min = 0;
  bool operator==(const TimeSpan&) const = default;
};

// Appointment slots of one service (预约, [service.appointments] in the hall
// file): the day is cut into slots of `slot_min` minutes from the start of
// each span of `hours` (a last slot that would not fit is dropped) on
// `weekdays` (0: the hall's working days), plus extra sessions (错时/延时/
// weekend) with their own days and hours; each slot takes `capacity`
// bookings. A booking may be checked in from `check_in_before_min` before its
// slot starts until `check_in_after_min` after; bookings are taken for today
// and up to `book_ahead_days` days ahead. Holidays (closed_days) have no slots.
struct AppointmentSession {
  std::uint8_t weekdays = 0;    // weekday bits as HallConfig::weekdays; 0: the appointments' days
  std::vector<TimeSpan> hours;  // in order, not overlapping, at least one
  bool operator==(const AppointmentSession&) const = default;
};
inline constexpr std::size_t kMaxAppointmentSessions = 16;

struct AppointmentConfig {
  ServiceIdx service = 0;                    // the service booked; one AppointmentConfig per service at most
  int slot_min = 30;                         // 5..240
  int capacity = 1;                          // bookings per slot, 1..1000
  std::vector<TimeSpan> hours;               // in order, not overlapping, at least one
  std::uint8_t weekdays = 0;                 // weekday bits; 0: the hall's working days
  std::vector<AppointmentSession> sessions;  // at most kMaxAppointmentSessions
  int check_in_before_min = 30;              // 0..240
  int check_in_after_min = 15;               // 0..240, less than slot_min
  int book_ahead_days = 7;                   // 0..90
  bool operator==(const AppointmentConfig&) const = default;
};

// Remote tickets of one service (网上取号, [service.remote] in the hall file):
// citizens take them from the citizen gateway's page within `hours` on the
// hall's working days, at most `daily_quota` a day for the service. A remote
// ticket keeps the place of the moment it was taken but is called only once
// checked in at the hall; when its turn comes before that, it is held back
// `grace_min` minutes and then dropped as not arrived (remote_ticket.h).
struct RemoteConfig {
  ServiceIdx service = 0;       // one RemoteConfig per service at most
  std::vector<TimeSpan> hours;  // in order, not overlapping, at least one
  int daily_quota = 50;         // 1..9999 remote tickets a day
  int grace_min = 15;           // 1..240
  bool operator==(const RemoteConfig&) const = default;
};

// Calling rules; every field has a default so small halls need not state them.
struct HallRules {
  std::string policy = "balanced";     // call-next policy, see engine/policy
  int recall_limit = 2;                // recalls allowed after the first call
  int reactivate_min = 30;             // a no-show may be reactivated this long after the skip
  int reactivate_behind = 3;           // a reactivated ticket rejoins behind this many waiting
  int priority_ratio = 3;              // consecutive priority calls per window while normal wait
  double help_load = 1.0;              // balanced policy: a window helps with a later-resort
                                       // service only while (arrivals per hour of its own primary
                                       // services per open primary window) x (that service's mean
                                       // handling time in hours) is at most this
  int number_digits = 3;               // A001
  int max_tickets_per_service = 9999;  // per day
  double remote_call_share = 1.0;      // 0..1: the largest share of the day's calls that may go to
                                       // remote tickets; at it, a remote line head yields to the
                                       // first walk-in behind it (1: no cap)
  bool operator==(const HallRules&) const = default;
};

// What validate_and_index found wrong, and where: `section` is "hall", "rules", "evaluation",
// "service", "window" or "staff" (a service's appointments: "service" with a
// key "appointments.KEY", its remote tickets "remote.KEY"); `index` the item's position in its array
// (-1 for tables); `key` the offending key (may be empty).
struct ConfigProblem {
  std::string section;
  int index = -1;
  std::string key;
  std::string message;
  bool operator==(const ConfigProblem&) const = default;
};

// HallConfig::weekdays with every day set.
inline constexpr std::uint8_t kEveryWeekday = 0x7f;
// At most this many closed or extra days in a config.
inline constexpr std::size_t kMaxListedDays = 1000;

class HallConfig {
 public:
  std::string id;    // [a-z0-9-]+
  std::string name;  // e.g. "商家镇便民服务中心"
  std::vector<TimeSpan> hours;
  // Working days. Bit d (calendar.h weekday: 0 Sunday .. 6 Saturday) set: the
  // hall opens on that weekday; never 0. Default: every day.
  std::uint8_t weekdays = kEveryWeekday;
  std::vector<std::int64_t> closed_days;  // holidays: local day numbers, ascending, unique
  std::vector<std::int64_t> extra_days;   // 调休: days that open whatever their weekday, ascending,
                                          // unique, none of them in closed_days
  double wait_target_min = 20;
  int utc_offset_min = 8 * 60;  // China Standard Time; days roll at local midnight
  std::string division_code;    // 区划编码 of the hall: "" or 6 or 12 digits
  EvaluationConfig evaluation{.reasons = default_evaluation_reasons()};
  HallRules rules;
  std::vector<ServiceConfig> services;
  std::vector<WindowConfig> windows;
  std::vector<StaffConfig> staff;               // empty: any staff id is accepted
  std::vector<AppointmentConfig> appointments;  // ascending service; services without are not booked
  std::vector<RemoteConfig> remote;             // ascending service; services without take no remote tickets

  // Configs are equal when the fields above are (the lookup tables follow them).
  bool operator==(const HallConfig&) const = default;

  // Checks the invariants stated on the fields and builds the lookup tables.
  // Must be called once before the config is used. On failure the problem
  // says what is wrong and where (so a loader can name the line).
  std::optional<ConfigProblem> validate_and_index();

  std::optional<ServiceIdx> find_service(std::string_view id) const;
  std::optional<ServiceIdx> find_prefix(std::string_view prefix) const;
  std::optional<WindowIdx> find_window(std::string_view id) const;
  std::optional<WindowIdx> find_window_number(int number) const;
  bool staff_known(std::string_view staff_id) const;
  // The appointment slots of service `s`; null when it takes no bookings.
  const AppointmentConfig* appointments_of(ServiceIdx s) const;
  // The remote-ticket rules of service `s`; null when it takes none.
  const RemoteConfig* remote_of(ServiceIdx s) const;
  const StaffConfig* find_staff(std::string_view staff_id) const;

  // Local day number (days since 1970-01-01 in hall time) of an instant
  // (calendar.h at utc_offset_min).
  std::int64_t local_day(TimeUs t) const;
  // The hall works on local day `day`: an extra day, or a working weekday
  // that is not a holiday.
  bool open_on(std::int64_t day) const;
  // `t` falls on a working day inside one of the opening spans (a config
  // without spans is open all day on its working days).
  bool within_hours(TimeUs t) const;

  // Seconds since local midnight of an instant.
  int local_second_of_day(TimeUs t) const;
  // The instant of local midnight starting `day`.
  TimeUs day_start(std::int64_t day) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>>;
  // Built from the fields above by validate_and_index: derived, so it takes
  // no part in comparing configs.
  struct Indexes {
    Index service;
    Index prefix;
    Index window;
    Index staff;
    std::unordered_map<int, WindowIdx> window_number;
    bool operator==(const Indexes&) const { return true; }
  };
  Indexes index_;
};

}  // namespace hallq::core
