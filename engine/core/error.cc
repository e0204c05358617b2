// Wire names of error codes.
#include "engine/core/error.h"

#include <array>

namespace hallq::core {
namespace {

constexpr std::array<std::string_view, 30> kNames = {
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
    "unavailable",
    "internal",
    "staff_on_duty",
    "wrong_window",
    "unknown_advisory",
    "forbidden",
    "already_there",
};
static_assert(kNames.size() == static_cast<std::size_t>(kLastErrorCode) + 1);

}  // namespace

std::string_view to_string(ErrorCode code) {
  const auto i = static_cast<std::size_t>(code);
  return i < kNames.size() ? kNames[i] : std::string_view("internal");
}

ErrorCode error_code_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<ErrorCode>(i);
  return ErrorCode::kInternal;
}

}  // namespace hallq::core
