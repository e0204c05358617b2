// The table of the header as code. Reasons are built only on refusal, so the
// allowed path costs a few comparisons.
#include "engine/server/access_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>
#include <variant>

namespace hallq::server {
namespace {

core::Status forbid(const std::string& reason) {
  return {core::ErrorCode::kForbidden, fmt::format("无权执行此操作：{}", reason)};
}

std::string halls_text(const keys::KeyEntry& key) { return fmt::format("{}", fmt::join(key.halls, ", ")); }

std::string scope_reason(const keys::KeyEntry& key) {
  const std::string who = fmt::format("{} {}", to_string(key.role), key.name);
  switch (key.role) {
    case keys::DeviceRole::kKiosk:
      return fmt::format("{} may only issue tickets and check in bookings in {}", who, halls_text(key));
    case keys::DeviceRole::kCaller:
      return fmt::format("{} may only act on window {} in {}", who, key.window, halls_text(key));
    case keys::DeviceRole::kKeypad:
      return fmt::format("{} may only evaluate at window {} in {}", who, key.window, halls_text(key));
    case keys::DeviceRole::kDisplay:
    case keys::DeviceRole::kSpeaker:
    case keys::DeviceRole::kNotifier:
      return fmt::format("{} may only subscribe to {} (no commands)", who, halls_text(key));
    case keys::DeviceRole::kManager:
      return fmt::format("{} may only act in {}", who, halls_text(key));
    case keys::DeviceRole::kCitizen:
      return fmt::format(
          "{} may only take remote tickets, book, cancel and check in bookings, and cancel and "
          "evaluate tickets from the phone page in {}",
          who, halls_text(key));
  }
  return who;
}

// The window a caller's command acts on; "" for commands that name none.
std::string_view window_of(const core::CommandBody& body, std::string_view hall,
                           const TicketWindowLookup& lookup) {
  return std::visit(
      [&](const auto& c) -> std::string_view {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, core::OpenWindow> || std::is_same_v<T, core::CloseWindow> ||
                      std::is_same_v<T, core::PauseWindow> || std::is_same_v<T, core::ResumeWindow> ||
                      std::is_same_v<T, core::CallNext> || std::is_same_v<T, core::CallTicket> ||
                      std::is_same_v<T, core::Recall> || std::is_same_v<T, core::StartService> ||
                      std::is_same_v<T, core::SkipTicket> || std::is_same_v<T, core::HoldTicket> ||
                      std::is_same_v<T, core::Transfer> || std::is_same_v<T, core::Finish>) {
          return c.window;
        } else if constexpr (std::is_same_v<T, core::Reactivate> || std::is_same_v<T, core::UnholdTicket>) {
          return lookup ? lookup(hall, c.number) : std::string_view();
        } else {
          return {};
        }
      },
      body);
}

}  // namespace

core::Status authorize(const keys::KeyEntry& key, const protocol::DecodedRequest& request,
                       const TicketWindowLookup& lookup) {
  if (request.kind == protocol::RequestKind::kPing) return core::Status::Ok();
  if (std::find(key.halls.begin(), key.halls.end(), request.hall) == key.halls.end())
    return forbid(fmt::format("{} (not {})", scope_reason(key), request.hall));
  if (request.kind == protocol::RequestKind::kSnapshot) return core::Status::Ok();
  const core::CommandBody& body = request.command;
  switch (key.role) {
    case keys::DeviceRole::kManager:
      return core::Status::Ok();
    case keys::DeviceRole::kKiosk:
      if (std::holds_alternative<core::IssueTicket>(body)) return core::Status::Ok();
      // A ticket it issued but could not print (its reprint grace passed).
      if (const auto* c = std::get_if<core::Cancel>(&body); c && c->reason == core::LeaveReason::kNotPrinted)
        return core::Status::Ok();
      // Its printer's state, for the hall's managers.
      if (std::holds_alternative<core::ReportDevice>(body)) return core::Status::Ok();
      // A citizen with a booking code checks in at the kiosk (预约签到).
      if (std::holds_alternative<core::CheckIn>(body)) return core::Status::Ok();
      break;
    case keys::DeviceRole::kKeypad:
      // Today's tickets of its own window, as a keypad (评价器): never another
      // channel's rating or a 补充评价 of an earlier day.
      if (const auto* e = std::get_if<core::Evaluate>(&body);
          e != nullptr && e->window == key.window && e->channel == core::EvaluationChannel::kKeypad &&
          e->day == 0)
        return core::Status::Ok();
      break;
    case keys::DeviceRole::kCaller: {
      const std::string_view w = window_of(body, request.hall, lookup);
      if (!w.empty() && w == key.window) return core::Status::Ok();
      break;
    }
    case keys::DeviceRole::kCitizen:
      // The phone's commands only (issue 20): remote tickets (网上取号,
      // IssueRemote: the core holds them to their service's hours, daily
      // quota and one per person), bookings (book, cancel a booking, check
      // in), and for a ticket whose link the phone holds (the gateway checks
      // its token): 我不等了 and 好差评. Never a walk-in IssueTicket (the
      // kiosk's), and never a keypad's or terminal's rating or another
      // role's reason for a cancel (a kiosk's not printed, the statistics'
      // gave up), which would misreport the hall.
      if (const auto* e = std::get_if<core::Evaluate>(&body))
        return e->channel == core::EvaluationChannel::kPhone
                   ? core::Status::Ok()
                   : forbid(fmt::format("{} (an evaluation from the phone page only, not {})",
                                        scope_reason(key), core::to_string(e->channel)));
      if (const auto* c = std::get_if<core::Cancel>(&body))
        return c->reason == core::LeaveReason::kCancelled
                   ? core::Status::Ok()
                   : forbid(fmt::format("{} (a cancel by the citizen only, not {})", scope_reason(key),
                                        core::to_string(c->reason)));
      if (std::holds_alternative<core::IssueRemote>(body) || std::holds_alternative<core::Book>(body) ||
          std::holds_alternative<core::CancelBooking>(body) || std::holds_alternative<core::CheckIn>(body))
        return core::Status::Ok();
      break;
    case keys::DeviceRole::kDisplay:
    case keys::DeviceRole::kSpeaker:
    case keys::DeviceRole::kNotifier:
      break;
  }
  return forbid(fmt::format("{} (not {})", scope_reason(key), core::verb(body)));
}

core::Status socket_may_send(const protocol::DecodedRequest& request) {
  if (request.kind != protocol::RequestKind::kCommand) return core::Status::Ok();
  const core::CommandBody& body = request.command;
  if (std::holds_alternative<core::RecordUploadRejection>(body) ||
      std::holds_alternative<core::RequestUploadResend>(body) ||
      std::holds_alternative<core::RecordUploadAcceptance>(body)) {
    return forbid(
        fmt::format("{} is taken over the managers' HTTP API only "
                    "(/api/halls/{}/upload-rejections), which checks it against the event log",
                    core::verb(body), request.hall));
  }
  return core::Status::Ok();
}

}  // namespace hallq::server
