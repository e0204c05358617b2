#include "engine/core/event.h"

#include <array>

namespace hallq::core {

std::string_view event_name(const EventBody& body) {
  // One line per addition keeps merges apart.
  // clang-format off
  static constexpr std::array<std::string_view, std::variant_size_v<EventBody>> kNames = {
      "ticket_issued",      "window_opened",         "staff_changed",     "window_closed",
      "window_paused",      "window_resumed",        "ticket_called",     "ticket_recalled",
      "service_started",    "ticket_skipped",        "ticket_requeued",   "ticket_held",
      "ticket_transferred", "ticket_finished",       "ticket_evaluated",  "ticket_left",
      "day_rolled",         "window_skills_changed", "advisory_issued",   "notice_changed",
      "device_reported",    "booking_made",          "booking_cancelled", "booking_checked_in",
      "booking_missed",     "remote_ticket_issued",  "remote_checked_in", "remote_turn_came",
      "remote_missed",
      "work_order_opened", "work_order_called_back", "work_order_rectified",
      "upload_rejected", "upload_resend_requested",
      "upload_resend_accepted"};
  // clang-format on
  return kNames[body.index()];
}

}  // namespace hallq::core
