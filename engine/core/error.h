// The core's error model: a refused command yields an ErrorCode and a message
// meant for the person who issued it (Simplified Chinese, naming the ids
// involved). Expected refusals are values, never exceptions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace hallq::core {

// Stable codes: their English names travel on the wire and in `hallq --json`.
enum class ErrorCode : std::uint8_t {
  kOk = 0,
  kMalformed,    // message failed verification or is incomplete
  kTooLarge,     // message over the size limit
  kBadArgument,  // a field out of range (level 7, empty id ...)
  kUnknownHall,
  kUnknownService,
  kUnknownWindow,
  kUnknownTicket,
  kUnknownStaff,
  kWindowClosed,  // window must be open for this
  kWindowPaused,  // window paused: no calls
  kWindowAlreadyOpen,
  kWindowNotPaused,
  kWindowBusy,        // window has a current ticket
  kNoCurrentTicket,   // window has no current ticket
  kQueueEmpty,        // call-next found nothing to call
  kWrongTicketState,  // ticket's state does not allow the command
  kRecallLimit,
  kReactivateExpired,
  kAlreadyRated,
  kSameService,   // transfer to the service it already is
  kLimitReached,  // a hall limit (tickets per day ...) is exhausted
  kStorage,       // durable write failed; nothing was applied
  kUnavailable,   // engine cannot accept commands right now
  kInternal,
  kStaffOnDuty,      // the staff id is logged in at another window
  kWrongWindow,      // the ticket was served at another window than the one named
  kUnknownAdvisory,  // no open advisory with that id (accepted, replaced or expired)
  kForbidden,        // the device's key may not do this (role or scope); nothing applied
  kAlreadyThere,     // move: the staff member is already on duty at that window
};
inline constexpr ErrorCode kLastErrorCode = ErrorCode::kAlreadyThere;

std::string_view to_string(ErrorCode code);
// Inverse of to_string; returns kInternal for unknown names.
ErrorCode error_code_from_string(std::string_view name);

// Either ok, or a code with a message.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

}  // namespace hallq::core
