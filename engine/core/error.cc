// Names of error codes, by number.
#include "engine/core/error.h"

#include <array>

namespace hallq::core {
namespace {

constexpr std::array<std::string_view, 36> kNames = {
    "ok",
    "malformed",
    "too_large",
    "bad_argument",
    "unknown_hall",
    "unknown_service",
    "unknown_window",
    "unknown_ticket",
    "unknown_staff",
    "window_closed",
    "window_paused",
    "window_already_open",
    "window_not_paused",
    "window_busy",
    "no_current_ticket",
    "queue_empty",
    "wrong_ticket_state",
    "recall_limit",
    "reactivate_expired",
    "already_rated",
    "same_service",
    "limit_reached",
    "storage",
    "",  // 23: unused (was "unavailable")
    "internal",
    "staff_on_duty",
    "wrong_window",
    "unknown_advisory",
    "forbidden",
    "already_there",
    "unknown_booking",
    "slot_full",
    "already_booked",
    "not_check_in_time",
    "not_owner",
    "replication_unavailable",
};
static_assert(kNames.size() == static_cast<std::size_t>(kLastErrorCode) + 1);

}  // namespace

bool is_error_code(int number) {
  return number >= 0 && number < static_cast<int>(kNames.size()) && !kNames[number].empty();
}

std::string_view to_string(ErrorCode code) {
  const int i = static_cast<int>(code);
  return is_error_code(i) ? kNames[i] : std::string_view("internal");
}

ErrorCode error_code_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (!name.empty() && kNames[i] == name) return static_cast<ErrorCode>(i);
  return ErrorCode::kInternal;
}

ErrorCode error_code_from_number(int number) {
  return is_error_code(number) ? static_cast<ErrorCode>(number) : ErrorCode::kInternal;
}

}  // namespace hallq::core
