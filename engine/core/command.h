// Commands: what clerks, kiosks, keypads and managers ask a hall to do. Ids are
// the config's string ids and ticket numbers as printed ("A012"); the hall
// resolves them, so an unknown id is refused like any other wrong command.
//
// Strings are views: they must stay valid for the duration of Hall::apply only
// (the server points them into the received message). Commands compare
// member-wise (defaulted operator==), strings by content.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/core/types.h"

namespace hallq::core {

struct IssueTicket {
  std::string_view service;
  Priority priority = Priority::kNormal;
  bool operator==(const IssueTicket&) const = default;
};
// Longest staff id a command may carry: printable UTF-8 (engine/core/utf8.h)
// of at most this many bytes, or the command is refused with bad_argument.
inline constexpr std::size_t kMaxStaffIdBytes = 64;
inline constexpr std::size_t kMaxCaseNumberBytes = 64;  // Finish::case_number

struct OpenWindow {  // on an open window with another staff id: A/B handover
  std::string_view window;
  std::string_view staff;  // may be empty when the hall lists no staff
  bool operator==(const OpenWindow&) const = default;
};
struct CloseWindow {
  std::string_view window;
  bool operator==(const CloseWindow&) const = default;
};
struct PauseWindow {
  std::string_view window;
  bool operator==(const PauseWindow&) const = default;
};
struct ResumeWindow {
  std::string_view window;
  bool operator==(const ResumeWindow&) const = default;
};
struct CallNext {
  std::string_view window;
  bool operator==(const CallNext&) const = default;
};
// Calls a particular waiting or held ticket: the clerk's override. The window
// need not serve the ticket's service (a fallback or assist window taking a
// citizen sent over), and a held ticket may be called back directly.
struct CallTicket {
  std::string_view window;
  std::string_view number;
  bool operator==(const CallTicket&) const = default;
};
struct Recall {
  std::string_view window;
  bool operator==(const Recall&) const = default;
};
struct StartService {
  std::string_view window;
  bool operator==(const StartService&) const = default;
};
struct SkipTicket {
  std::string_view window;
  bool operator==(const SkipTicket&) const = default;
};  // called, not answered: no-show
struct Reactivate {
  std::string_view number;
  bool operator==(const Reactivate&) const = default;
};  // no-show back to waiting
struct HoldTicket {
  std::string_view window;
  bool operator==(const HoldTicket&) const = default;
};  // serving -> held
struct UnholdTicket {
  std::string_view number;
  bool operator==(const UnholdTicket&) const = default;
};                 // held -> waiting (returns first)
struct Transfer {  // serving -> waiting for another service, same number
  std::string_view window;
  std::string_view service;
  bool operator==(const Transfer&) const = default;
};
struct Finish {
  std::string_view window;
  std::string_view case_number;  // 办件编号 from the hall's case system: "" or 1..64 of [0-9A-Za-z._/-]
  bool operator==(const Finish&) const = default;
};
struct Evaluate {
  std::string_view number;
  int level = 0;            // 1..5 (5 非常满意 ... 1 非常不满意); 0: not rated
                            // (未评价: the keypad's time ran out), which also
                            // closes the ticket's evaluation
  std::string_view window;  // optional: when given, must be the window that served it
                            // (a keypad names its window: kWrongWindow otherwise)
  std::vector<std::string_view>
      reasons;               // 差评 reasons (codes of config.evaluation.reasons), levels 1..2 only
  std::string_view comment;  // levels 1..2 only, at most kMaxEvaluationComment characters
  EvaluationChannel channel = EvaluationChannel::kKeypad;
  std::int64_t day = 0;  // 0 (or today): a ticket of today; an earlier local day: 补充评价 of a
                         // ticket of that day finished and not rated 1..5, within
                         // config.evaluation.supplement_days
  bool operator==(const Evaluate&) const = default;
};
struct Cancel {
  std::string_view number;
  LeaveReason reason = LeaveReason::kCancelled;
  bool operator==(const Cancel&) const = default;
};
struct Tick {
  bool operator==(const Tick&) const = default;
};  // time passes; may roll the day
// A manager changes what a window serves, live (tidal windows, 潮汐窗口).
struct SetWindowSkills {
  std::string_view window;
  std::vector<std::pair<std::string_view, int>> serves;  // service id -> level 1..9, not empty
  bool operator==(const SetWindowSkills&) const = default;
};
// The engine's tidal-window advisor records a proposal (internal: not sent
// by clients; indices refer to the hall's config).
struct Advise {
  ServiceIdx service = 0;
  WindowIdx window = 0;
  AdvisoryAction action = AdvisoryAction::kLend;
  std::vector<Skill> skills;       // the window's skills if accepted
  std::int32_t wait_before_s = 0;  // the service's predicted newcomer wait now
  std::int32_t wait_after_s = 0;   // ... and with the proposal
  bool operator==(const Advise&) const = default;
};
// A manager accepts an open advisory: the window opens if needed (with
// `staff`) and takes the proposed skills.
struct AcceptAdvisory {
  std::uint32_t advisory = 0;
  std::string_view staff;
  bool operator==(const AcceptAdvisory&) const = default;
};
// A manager broadcasts a notice to the hall's screens (replacing the last
// one); empty text withdraws it. At most kMaxNoticeBytes of valid UTF-8,
// without control characters.
inline constexpr std::size_t kMaxNoticeBytes = 600;  // 200 Chinese characters
struct SetNotice {
  std::string_view text;
  bool operator==(const SetNotice&) const = default;
};

// A manager moves a staff member to `window` in one step: the window they are
// on duty at, if any, closes (it must have no current ticket) and `window`
// opens with them, or is handed over to them if it is open. The events are
// those of CloseWindow and OpenWindow; refused as a whole (already_there if
// they are on duty at `window`) or applied as a whole.
struct MoveStaff {
  std::string_view staff;
  std::string_view window;
  bool operator==(const MoveStaff&) const = default;
};

// A hall device (a kiosk's printer ...) reports its state; sent on each
// change, so managers see what is out (the hall's devices(), "设备"). The
// device id (1..kMaxDeviceIdBytes) and kind (1..kMaxDeviceKindBytes) are
// printable UTF-8 (engine/core/utf8.h), the detail at most
// kMaxDeviceDetailBytes of it; a hall keeps at most kMaxDevices devices
// (limit_reached for a new one beyond). A report that changes nothing is
// accepted without an event.
inline constexpr std::size_t kMaxDeviceIdBytes = 64;
inline constexpr std::size_t kMaxDeviceKindBytes = 32;
inline constexpr std::size_t kMaxDeviceDetailBytes = 300;
inline constexpr std::size_t kMaxDevices = 64;
struct ReportDevice {
  std::string_view device;
  std::string_view kind;
  DeviceState state = DeviceState::kOk;
  std::string_view detail;
  bool operator==(const ReportDevice&) const = default;
};

// Books a place in an appointment slot of `service` (预约; AppointmentConfig):
// `day` today or up to book_ahead_days ahead, `slot_min` a slot's start, not
// yet past its check-in margin. Refused when the slot is full (slot_full),
// the person already holds a booking of the service that day
// (already_booked), or any field is wrong (bad_argument). `nonce` is random
// from the sender: it picks the booking code (the core has no randomness),
// so codes do not follow each other.
struct Book {
  std::string_view service;
  std::int64_t day = 0;     // local day
  int slot_min = 0;         // local minute of day the slot starts
  std::string_view person;  // hash of the ID number (booking.h), never the number
  std::string_view phone;   // optional: for reminders
  std::uint32_t nonce = 0;
  bool operator==(const Book&) const = default;
};
// Withdraws a booking not yet checked in; its place is free again.
struct CancelBooking {
  std::uint32_t code = 0;
  bool operator==(const CancelBooking&) const = default;
};
// The citizen arrived (kiosk, phone): within the slot's check-in margins the
// booking becomes an appointment ticket (Priority::kAppointment). A remote
// ticket's code instead puts that ticket into its line at its original place
// (RemoteCheckedIn), unless it was dropped.
struct CheckIn {
  std::uint32_t code = 0;
  bool operator==(const CheckIn&) const = default;
};

// Takes a remote ticket (网上取号) of `service` for `person` (RemoteConfig):
// the ticket is numbered now and keeps this moment as its place, but waits
// in state kNotArrived, in no line, until checked in (CheckIn with its code,
// which `nonce` picks as for Book). Refused when the service takes no remote
// tickets (bad_argument), outside its remote hours (not_check_in_time), over
// its daily quota (limit_reached), when the person holds an active remote
// ticket in the hall (already_booked), or a field is wrong (bad_argument).
struct IssueRemote {
  std::string_view service;
  std::string_view person;  // hash of the ID number (booking.h), never the number
  std::string_view phone;   // optional
  std::uint32_t nonce = 0;
  bool operator==(const IssueRemote&) const = default;
};

// 差评工单 steps (work_order.h), by a manager `by` (1..kMaxStaffIdBytes of
// printable UTF-8: the logged-in account). A callback (回访) may be recorded
// again while the citizen was not reached; the rectification (整改) needs a
// callback before it and closes the order. Refused, nothing changed: no such
// order (unknown_ticket), the order closed or the step out of order
// (wrong_ticket_state), an empty or over-long note (more than
// kMaxWorkOrderNoteChars characters) or a bad `by` (bad_argument).
struct RecordCallback {
  TicketId ticket = 0;
  bool reached = false;
  std::string_view note;
  std::string_view by;
  bool operator==(const RecordCallback&) const = default;
};
struct RecordRectification {
  TicketId ticket = 0;
  std::string_view note;
  std::string_view by;
  bool operator==(const RecordRectification&) const = default;
};

// A 好差评 record the platform refused for good (upload_rejection.h), as
// hallq-upload reports it: the record's id (of this hall), the platform's
// HTTP status (400..499) and its reason (1..kMaxUploadReasonChars
// characters of printable UTF-8). Refused, nothing changed, with
// bad_argument: an id of another form or hall, a status or reason out of
// range. No hall state is checked: the record may be of any past day.
struct RecordUploadRejection {
  std::string_view record_id;
  int status = 0;
  std::string_view reason;
  bool operator==(const RecordUploadRejection&) const = default;
};

// A manager's request to send a rejected 好差评 record again once its cause
// is fixed (upload_rejection.h): the record's id (of this hall). Refused,
// nothing changed, with bad_argument: an id of another form or hall.
// Whether the record was rejected, and not already asked for again, is the
// HTTP layer's check against the event log (http_upload_rejections.h): the
// hall keeps no state of it.
struct RequestUploadResend {
  std::string_view record_id;
  bool operator==(const RequestUploadResend&) const = default;
};

// hallq-upload's report that the platform accepted the Nth re-send of a
// rejected record (upload_rejection.h): the record's id (of this hall) and
// N (1..kMaxUploadResend). Refused, nothing changed, with bad_argument: an
// id of another form or hall, N out of range. Whether the record was
// rejected, re-sent N times and its acceptance not yet recorded is the HTTP
// layer's check against the event log (http_upload_rejections.h).
struct RecordUploadAcceptance {
  std::string_view record_id;
  std::int64_t resend = 0;  // wide enough for any value on the wire
  bool operator==(const RecordUploadAcceptance&) const = default;
};

using CommandBody =
    std::variant<IssueTicket, OpenWindow, CloseWindow, PauseWindow, ResumeWindow, CallNext, CallTicket,
                 Recall, StartService, SkipTicket, Reactivate, HoldTicket, UnholdTicket, Transfer, Finish,
                 Evaluate, Cancel, Tick, SetWindowSkills, Advise, AcceptAdvisory, SetNotice, MoveStaff,
                 ReportDevice, Book, CancelBooking, CheckIn, IssueRemote, RecordCallback, RecordRectification,
                 RecordUploadRejection, RequestUploadResend, RecordUploadAcceptance>;

struct Command {
  // Client-chosen id for retries: a command repeated with the same non-empty id
  // is answered with the first one's outcome instead of being applied again.
  // At most kMaxRequestIdLength bytes.
  std::string_view request_id;
  CommandBody body;
  bool operator==(const Command&) const = default;
};

inline constexpr std::size_t kMaxRequestIdLength = 64;

// English verb of a command body ("issue", "call" ...), for logs and errors.
std::string_view verb(const CommandBody& body);

}  // namespace hallq::core
