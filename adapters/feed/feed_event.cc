// The event kinds fed and their fields, from protocol::describe_event (the
// config-free reading of an event: ids and printed numbers as on the wire).
#include "adapters/feed/feed_event.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "engine/protocol/event_codec.h"
#include "engine/stats/evaluation_record.h"

namespace hallq::feed {
namespace {

// Which fields an event kind carries besides key, hall, seq, type and time.
enum Fields : unsigned {
  kTicket = 1u << 0,    // ticketId, number
  kWindow = 1u << 1,    // window, windowNumber
  kService = 1u << 2,   // service
  kIssue = 1u << 3,     // ahead, predictedWaitS
  kStaff = 1u << 4,     // staff (when given)
  kPriority = 1u << 5,  // priority
};

unsigned fields_of(std::string_view kind) {
  static const std::pair<std::string_view, unsigned> kFed[] = {
      {"ticket_issued", kTicket | kService | kIssue | kPriority},
      {"remote_ticket_issued", kTicket | kService | kIssue},
      {"remote_checked_in", kTicket},
      {"remote_missed", kTicket},
      {"ticket_called", kTicket | kWindow},
      {"ticket_recalled", kTicket | kWindow},
      {"service_started", kTicket | kWindow},
      {"ticket_skipped", kTicket | kWindow},
      {"ticket_held", kTicket | kWindow},
      {"ticket_requeued", kTicket},
      {"ticket_transferred", kTicket | kWindow | kService},
      {"ticket_finished", kTicket | kWindow},
      {"ticket_left", kTicket},
      {"ticket_evaluated", kTicket},
      {"window_opened", kWindow | kStaff},
      {"staff_changed", kWindow | kStaff},
      {"window_closed", kWindow},
      {"window_paused", kWindow},
      {"window_resumed", kWindow},
  };
  for (const auto& [name, fields] : kFed)
    if (name == kind) return fields;
  return 0;
}

}  // namespace

std::string idempotency_key(std::string_view hall, std::uint64_t seq) {
  return fmt::format("{}:{}", hall, seq);
}

std::optional<std::string> feed_json(std::string_view event_bytes, int utc_offset_min) {
  const protocol::Bytes b{reinterpret_cast<const std::uint8_t*>(event_bytes.data()), event_bytes.size()};
  const protocol::EventSummary s = protocol::describe_event(b);
  const unsigned fields = fields_of(s.kind);
  if (fields == 0) return std::nullopt;
  nlohmann::ordered_json j;
  j["key"] = idempotency_key(s.hall, s.seq);
  j["hall"] = s.hall;
  j["seq"] = s.seq;
  j["type"] = s.kind;
  j["time"] = stats::local_time_text(s.time, utc_offset_min);
  if (fields & kTicket) {
    j["ticketId"] = s.ticket;
    j["number"] = s.number;
  }
  if (fields & kService) j["service"] = s.service;
  if (fields & kPriority) j["priority"] = s.priority;
  if (fields & kIssue) {
    j["ahead"] = s.ahead;
    j["predictedWaitS"] = s.predicted_wait_s;
  }
  if (fields & kWindow) {
    j["window"] = s.window;
    j["windowNumber"] = s.window_number;
  }
  if ((fields & kStaff) && !s.staff.empty()) j["staff"] = s.staff;
  if (s.kind == "ticket_finished" && !s.case_number.empty()) j["caseNumber"] = s.case_number;
  if (s.kind == "ticket_left") j["reason"] = s.reason;
  if (s.kind == "ticket_evaluated") {
    j["level"] = s.level;
    j["reasons"] = s.reasons;
    j["channel"] = s.channel;
    j["supplementary"] = s.supplementary;
  }
  return j.dump();
}

}  // namespace hallq::feed
