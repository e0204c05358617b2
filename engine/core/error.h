// The core's error model: a refused command yields an ErrorCode and a message
// meant for the person who issued it (Simplified Chinese, naming the ids
// involved). Expected refusals are values, never exceptions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace hallq::core {

// Stable codes. Their English names travel in `hallq --json`, the HTTP
// API's {"error": ...} and the logs; a reply on the wire carries the number
// (hallq.fbs ErrorCode, the same numbers), so a code keeps its number for
// good and a removed code's number is never given to another.
//
// Who produces each code:
//   core    engine/core: Hall::apply refusing a command
//   codec   engine/protocol: decoding what arrived (requests, replies, events)
//   engine  engine/server's Engine, around the core: size, hall, the store
//   access  engine/server's access policy: what a device's key may do
// The HTTP edge answers each with a status (engine/server/http_reply.h) and
// has refusals of its own (not_found, csrf, ...) that are not ErrorCodes.
enum class ErrorCode : std::uint8_t {
  kOk = 0,
  kMalformed,          // codec, engine: a message that fails verification, is incomplete or is no request
  kTooLarge,           // engine: a message over the size limit
  kBadArgument,        // core, codec: a field out of range (level 7, empty id, unknown priority ...)
  kUnknownHall,        // engine: no hall with that id
  kUnknownService,     // core
  kUnknownWindow,      // core
  kUnknownTicket,      // core: no ticket with that number today
  kUnknownStaff,       // core: not in the hall's staff list
  kWindowClosed,       // core: the window must be open for this
  kWindowPaused,       // core: window paused: no calls
  kWindowAlreadyOpen,  // core
  kWindowNotPaused,    // core
  kWindowBusy,         // core: the window has a current ticket
  kNoCurrentTicket,    // core: the window has no current ticket
  kQueueEmpty,         // core: call-next found nothing to call
  kWrongTicketState,   // core: the ticket's state does not allow the command
  kRecallLimit,        // core
  kReactivateExpired,  // core
  kAlreadyRated,       // core
  kSameService,        // core: transfer to the service it already is
  kLimitReached,       // core: a hall limit (tickets per day ...) is exhausted
  kStorage,            // engine: the durable write failed; nothing was applied
  // 23 was kUnavailable, which nothing produced; the number stays unused.
  kInternal = 24,    // core: a call policy chose a ticket it may not call;
                     // codec: a reply's code this build does not know
  kStaffOnDuty,      // core: the staff id is logged in at another window
  kWrongWindow,      // core: the ticket was served at another window than the one named
  kUnknownAdvisory,  // core: no open advisory with that id (accepted, replaced or expired)
  kForbidden,        // access: the device's key may not do this (role or scope); nothing applied
  kAlreadyThere,     // core: move: the staff member is already on duty at that window
  kUnknownBooking,   // core: no booking with that code
  kSlotFull,         // core: the appointment slot has no place left
  kAlreadyBooked,    // core: the person holds a booking of that service that day
  kNotCheckInTime,   // core: too early or too late to check in (or the booking was missed)
  kNotOwner,         // engine (--replicate): another engine extends this hall's history; nothing applied here
  kReplicationUnavailable,  // engine (--ack replicated): the cluster did not confirm; see the message
};
inline constexpr ErrorCode kLastErrorCode = ErrorCode::kReplicationUnavailable;

// Whether `number` is a code's number (0 ... kLastErrorCode but the unused 23).
bool is_error_code(int number);
std::string_view to_string(ErrorCode code);
// Inverse of to_string; returns kInternal for unknown names (a removed
// code's name included).
ErrorCode error_code_from_string(std::string_view name);
// The code of a number from the wire; kInternal for a number no code has
// (a newer engine's code, or a removed one).
ErrorCode error_code_from_number(int number);

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
