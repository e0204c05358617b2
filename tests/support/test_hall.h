// The test hall, shared by the core, policy, predict and protocol tests: a
// small N+1 hall built in code, a fixture that drives it and keeps every event
// it emitted, and assertions on events and whole hall states. Values compare
// with the core types' operator==; failure messages print them with
// tests/support/describe.h (gtest's EXPECT_EQ too, through PrintTo below).
//
// The default hall has three services and three windows:
//   social "A" (6 min), civil "B" (10 min), tax "C" (4 min);
//   w1 (no. 1, classified) serves A@1, B@2; w2 (no. 2, classified) serves B@1;
//   w3 (no. 3, fallback) serves A@2, B@2, C@1.
// Time starts at 09:00 local on 2024-03-04 (UTC+8).
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/core/command.h"
#include "engine/core/error.h"
#include "engine/core/event.h"
#include "engine/core/hall.h"
#include "engine/core/hall_config.h"
#include "engine/core/ticket.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "tests/support/describe.h"

namespace hallq::core {

// gtest prints core structs through describe() (found by argument-dependent
// lookup); containers and variants of them by its own printers around this.
template <class T>
requires(test::has_fields<T>()) void PrintTo(const T& v, std::ostream* os) { *os << test::describe(v); }

// The content of a config for describe() and diff() (its lookup tables are derived).
inline auto fields_of(const HallConfig& c) {
  return std::tie(c.id, c.name, c.hours, c.wait_target_min, c.utc_offset_min, c.rules, c.services, c.windows,
                  c.staff, c.weekdays, c.closed_days, c.extra_days, c.appointments, c.remote, c.division_code,
                  c.evaluation);
}

// Field names for diff paths ("state.tickets[3].state: waiting vs called").
inline auto field_names(const HallState&) {
  return std::to_array<std::string_view>(
      {"seq",        "clock",         "day",         "next_ticket", "next_queue_order", "staff_names",
       "windows",    "tickets",       "last_number", "stats",       "pauses",           "pause_seconds",
       "advisories", "next_advisory", "notice",      "devices",     "requests",         "bookings",
       "remotes",    "rateable",      "work_orders"});
}
inline auto field_names(const Ticket&) {
  return std::to_array<std::string_view>(
      {"id",          "number",      "issued_service",  "service",          "priority",
       "state",       "queue_class", "recalls",         "transfers",        "rating",
       "window",      "staff",       "ahead_at_issue",  "predicted_wait_s", "issued_at",
       "queue_key",   "queue_order", "first_called_at", "called_at",        "started_at",
       "finished_at", "ended_at"});
}
inline auto field_names(const Window&) {
  return std::to_array<std::string_view>(
      {"state", "staff", "current", "skills", "consecutive_priority", "state_since", "idle_since", "served"});
}
inline auto field_names(const ServiceStats&) {
  return std::to_array<std::string_view>(
      {"finished", "sum_handle_s", "ewma_handle_s", "arrivals", "last_arrival"});
}
inline auto field_names(const HallConfig&) {
  return std::to_array<std::string_view>(
      {"id", "name", "hours", "wait_target_min", "utc_offset_min", "rules", "services", "windows", "staff",
       "weekdays", "closed_days", "extra_days", "appointments", "remote", "division_code", "evaluation"});
}

}  // namespace hallq::core

namespace hallq::test {

using namespace hallq::core;  // NOLINT: test support for the core's own vocabulary

// Index constants of the default hall.
inline constexpr ServiceIdx kSocial = 0;  // "A"
inline constexpr ServiceIdx kCivil = 1;   // "B"
inline constexpr ServiceIdx kTax = 2;     // "C"
inline constexpr WindowIdx kW1 = 0;
inline constexpr WindowIdx kW2 = 1;
inline constexpr WindowIdx kW3 = 2;

// 2024-03-04 as a day number (days since 1970-01-01).
inline constexpr std::int64_t kDay = 19786;

using ConfigTweak = std::function<void(HallConfig&)>;

// The default hall's config, changed by `tweak` before validation. Fails the
// test (and returns the unvalidated config) if validation finds a problem.
std::shared_ptr<HallConfig> make_config(const ConfigTweak& tweak = {});

// Adds a staff list (A/B posts) to the default hall.
inline void with_staff_list(HallConfig& cfg) {
  cfg.staff = {{"zhang", "张三"}, {"li", "李四"}, {"wang", "王五"}};
}

inline TimeUs minutes(double m) { return static_cast<TimeUs>(m * static_cast<double>(kUsPerMinute)); }

// ---------------------------------------------------------------- events

// The bodies of `got` are exactly `want`, in order.
::testing::AssertionResult bodies_are(const std::vector<Event>& got, const std::vector<EventBody>& want);

::testing::AssertionResult same_events(const std::vector<Event>& a, const std::vector<Event>& b);

// Sequence numbers 1, 2, 3 ... and times that never go backwards.
::testing::AssertionResult well_ordered(const std::vector<Event>& log, Seq first = 1);

// ---------------------------------------------------------------- states

// a == b; if not, the fields that differ (the first 30), named from `what`.
template <class T>
::testing::AssertionResult same_value(const T& a, const T& b, const std::string& what) {
  if (a == b) return ::testing::AssertionSuccess();
  const std::vector<std::string> d = diff(a, b, what);
  auto r = ::testing::AssertionFailure() << d.size() << " differences:";
  for (std::size_t i = 0; i < d.size() && i < 30; ++i) r << "\n  " << d[i];
  return r;
}

// The states are equal. `with_requests` false leaves out the remembered
// request ids (which events do not carry).
::testing::AssertionResult same_state(HallState a, HallState b, bool with_requests = true);

// ---------------------------------------------------------------- fixture

// Drives one hall; keeps every event it emitted in `log_`. At the end of each
// test it checks the log is gap-free and ordered, and that folding the log into
// a fresh hall rebuilds exactly the live state.
class HallFixture : public ::testing::Test {
 public:  // helpers are public so free test functions can drive a fixture
  void SetUp() override { build(); }

  void TearDown() override;

  // (Re)builds the hall with the default config changed by `tweak`.
  void build(const ConfigTweak& tweak = {}, std::string_view policy = "balanced");

  // 09:00 local on the test day plus `m` minutes.
  TimeUs at(double m) const { return t0_ + minutes(m); }

  // Applies a command; its events are in `last_` and appended to `log_`.
  Status apply(const CommandBody& body, TimeUs now, std::string_view request_id = {});

  // Applies a command that must be accepted; returns its events.
  std::vector<Event> ok(const CommandBody& body, TimeUs now, std::string_view request_id = {});

  // The command is refused with `code`, emits nothing and changes nothing.
  ::testing::AssertionResult refused(const CommandBody& body, ErrorCode code, TimeUs now,
                                     std::string_view request_id = {});

  // Today's ticket by printed number; fails the test if there is none.
  const Ticket& ticket(std::string_view number);

  // Ids of the waiting tickets of a service, in queue order (all classes).
  std::vector<std::string> queue_numbers(ServiceIdx s) const;

  // Calls next at `window` and returns the called ticket's number ("" if refused).
  std::string call_next(std::string_view window, TimeUs now);

  // Calls next, starts and finishes at `window`; returns the number served.
  std::string serve_next(std::string_view window, TimeUs now);

  std::shared_ptr<HallConfig> config_;
  const CallPolicy* policy_ = nullptr;
  const WaitPredictor* predictor_ = nullptr;
  std::unique_ptr<Hall> hall_;
  std::vector<Event> last_;
  std::vector<Event> log_;
  std::vector<std::pair<std::string, RequestRecord>> remembered_;
  TimeUs t0_ = 0;
  bool check_log_on_teardown_ = true;
};

}  // namespace hallq::test
