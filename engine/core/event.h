// Events: the facts a hall records. The hall's state is exactly the fold of its
// events (Hall::apply_event), which is how the engine recovers from its log and
// how subscribers keep replicas. So every event carries what is needed to apply
// it without consulting rules or policies that might change between runs
// (queue positions, for instance, are in the event, not recomputed).
// Events compare member-wise (defaulted operator==).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/core/types.h"

namespace hallq::core {

struct TicketIssued {
  TicketId ticket = 0;
  ServiceIdx service = 0;
  std::uint32_t number = 0;  // daily sequence of the service's prefix
  Priority priority = Priority::kNormal;
  std::uint32_t ahead = 0;            // people ahead at issue, as predicted
  std::int32_t predicted_wait_s = 0;  // predicted wait at issue
  bool operator==(const TicketIssued&) const = default;
};
struct WindowOpened {
  WindowIdx window = 0;
  std::string staff;  // staff id, may be empty
  bool operator==(const WindowOpened&) const = default;
};
struct StaffChanged {  // A/B handover on an open window; its ticket stays
  WindowIdx window = 0;
  std::string staff;
  bool operator==(const StaffChanged&) const = default;
};
struct WindowClosed {
  WindowIdx window = 0;
  bool operator==(const WindowClosed&) const = default;
};
struct WindowPaused {
  WindowIdx window = 0;
  bool operator==(const WindowPaused&) const = default;
};
struct WindowResumed {
  WindowIdx window = 0;
  bool operator==(const WindowResumed&) const = default;
};
struct TicketCalled {
  TicketId ticket = 0;
  WindowIdx window = 0;
  bool operator==(const TicketCalled&) const = default;
};
struct TicketRecalled {
  TicketId ticket = 0;
  WindowIdx window = 0;
  bool operator==(const TicketRecalled&) const = default;
};
struct ServiceStarted {
  TicketId ticket = 0;
  WindowIdx window = 0;
  bool operator==(const ServiceStarted&) const = default;
};
struct TicketSkipped {
  TicketId ticket = 0;
  WindowIdx window = 0;
  bool operator==(const TicketSkipped&) const = default;
};
struct TicketRequeued {  // reactivated no-show, resumed hold: back to waiting
  TicketId ticket = 0;
  TimeUs queue_key = 0;    // position in its queue (earlier key = further ahead)
  bool returning = false;  // true: ahead of all priority classes
  bool operator==(const TicketRequeued&) const = default;
};
struct TicketHeld {
  TicketId ticket = 0;
  WindowIdx window = 0;
  bool operator==(const TicketHeld&) const = default;
};
struct TicketTransferred {  // serving -> waiting for another service, returning
  TicketId ticket = 0;
  WindowIdx window = 0;
  ServiceIdx service = 0;  // the new service
  bool operator==(const TicketTransferred&) const = default;
};
struct TicketFinished {
  TicketId ticket = 0;
  WindowIdx window = 0;
  std::string case_number;  // 办件编号, when the clerk gave it
  bool operator==(const TicketFinished&) const = default;
};
struct TicketEvaluated {
  TicketId ticket = 0;
  std::uint8_t level = 0;            // 1..5; 0 not rated (未评价)
  std::vector<std::string> reasons;  // 差评 reason codes (levels 1..2)
  std::string comment;               // levels 1..2
  EvaluationChannel channel = EvaluationChannel::kKeypad;
  bool supplementary = false;  // rated after the ticket's day (补充评价); the ticket is then a
                               // HallState::rateable entry, no longer among the tickets
  bool operator==(const TicketEvaluated&) const = default;
};
struct TicketLeft {
  TicketId ticket = 0;
  LeaveReason reason = LeaveReason::kCancelled;
  bool operator==(const TicketLeft&) const = default;
};
struct DayRolled {       // daily number reset: open tickets expire, numbering restarts
  std::int64_t day = 0;  // the new local day
  bool operator==(const DayRolled&) const = default;
};
struct NoticeChanged {
  std::string text;  // empty: withdrawn
  bool operator==(const NoticeChanged&) const = default;
};
struct DeviceReported {  // a device's state changed (ReportDevice)
  std::string device;
  std::string kind;
  DeviceState state = DeviceState::kOk;
  std::string detail;
  bool operator==(const DeviceReported&) const = default;
};
struct WindowSkillsChanged {
  WindowIdx window = 0;
  std::vector<Skill> skills;   // sorted by (level, service)
  std::uint32_t advisory = 0;  // the advisory accepted, 0 if none
  bool operator==(const WindowSkillsChanged&) const = default;
};
struct AdvisoryIssued {        // a tidal-window proposal, open until accepted or replaced
  std::uint32_t advisory = 0;  // hall-wide id, from 1
  ServiceIdx service = 0;
  WindowIdx window = 0;
  AdvisoryAction action = AdvisoryAction::kLend;
  std::vector<Skill> skills;
  std::int32_t wait_before_s = 0;
  std::int32_t wait_after_s = 0;
  bool operator==(const AdvisoryIssued&) const = default;
};

struct BookingMade {  // Book accepted
  std::uint32_t code = 0;
  ServiceIdx service = 0;
  std::int64_t day = 0;
  int slot_min = 0;
  std::string person;
  std::string phone;
  bool operator==(const BookingMade&) const = default;
};
struct BookingCancelled {  // the booking is gone; its place is free
  std::uint32_t code = 0;
  bool operator==(const BookingCancelled&) const = default;
};
struct BookingCheckedIn {  // follows the TicketIssued of its appointment ticket
  std::uint32_t code = 0;
  TicketId ticket = 0;
  bool operator==(const BookingCheckedIn&) const = default;
};
struct BookingMissed {  // not checked in by the end of its margin: a no-show
  std::uint32_t code = 0;
  bool operator==(const BookingMissed&) const = default;
};

// Remote tickets (remote_ticket.h).
struct RemoteTicketIssued {  // IssueRemote accepted: a kNotArrived ticket, in no line
  TicketId ticket = 0;
  ServiceIdx service = 0;
  std::uint32_t number = 0;
  std::uint32_t code = 0;
  std::string person;
  std::string phone;
  std::uint32_t ahead = 0;            // people ahead at issue, as predicted
  std::int32_t predicted_wait_s = 0;  // predicted wait at issue
  bool operator==(const RemoteTicketIssued&) const = default;
};
struct RemoteCheckedIn {  // joins its line at its original key (its issue time)
  TicketId ticket = 0;
  bool operator==(const RemoteCheckedIn&) const = default;
};
struct RemoteTurnCame {  // a later walk-in was called first: held back until `until`
  TicketId ticket = 0;
  TimeUs until = 0;
  bool operator==(const RemoteTurnCame&) const = default;
};
struct RemoteMissed {  // not checked in by the end of its grace: a no-show, 号码已作废
  TicketId ticket = 0;
  bool operator==(const RemoteMissed&) const = default;
};

// 差评工单 (work_order.h); the order's id is the rated ticket's.
struct WorkOrderOpened {  // follows the TicketEvaluated of a level 1 or 2 (补充评价 too)
  TicketId ticket = 0;
  std::int64_t due_day = 0;  // local day the follow-up is due
  // The rating's reason codes and comment, copied so that the order shows why
  // (the hall keeps neither otherwise); empty in events stored before they were
  // copied. The comment is personal data like the rating's (personal_data.h).
  std::vector<std::string> reasons;
  std::string comment;
  bool operator==(const WorkOrderOpened&) const = default;
};
struct WorkOrderCalledBack {  // 回访
  TicketId ticket = 0;
  bool reached = false;
  std::string note;
  std::string by;
  bool operator==(const WorkOrderCalledBack&) const = default;
};
struct WorkOrderRectified {  // 整改: closes the order
  TicketId ticket = 0;
  std::string note;
  std::string by;
  bool operator==(const WorkOrderRectified&) const = default;
};

// A record the 好差评 platform refused (RecordUploadRejection); no state.
struct UploadRejected {
  std::string record_id;
  int status = 0;
  std::string reason;
  bool operator==(const UploadRejected&) const = default;
};

// A manager asked for a rejected record to be sent again
// (RequestUploadResend); no state. The records API yields the record, rebuilt
// from the log, at this event (engine/stats/evaluation_record.h).
struct UploadResendRequested {
  std::string record_id;
  bool operator==(const UploadResendRequested&) const = default;
};

// The platform accepted the Nth re-send of a rejected record
// (RecordUploadAcceptance); no state. The rejections list marks the re-send
// it follows (http_upload_rejections.h).
struct UploadResendAccepted {
  std::string record_id;
  int resend = 0;
  bool operator==(const UploadResendAccepted&) const = default;
};

using EventBody =
    std::variant<TicketIssued, WindowOpened, StaffChanged, WindowClosed, WindowPaused, WindowResumed,
                 TicketCalled, TicketRecalled, ServiceStarted, TicketSkipped, TicketRequeued, TicketHeld,
                 TicketTransferred, TicketFinished, TicketEvaluated, TicketLeft, DayRolled,
                 WindowSkillsChanged, AdvisoryIssued, NoticeChanged, DeviceReported, BookingMade,
                 BookingCancelled, BookingCheckedIn, BookingMissed, RemoteTicketIssued, RemoteCheckedIn,
                 RemoteTurnCame, RemoteMissed, WorkOrderOpened, WorkOrderCalledBack, WorkOrderRectified,
                 UploadRejected, UploadResendRequested, UploadResendAccepted>;

struct Event {
  Seq seq = 0;
  TimeUs time = 0;
  EventBody body;
  bool operator==(const Event&) const = default;
};

// English name of an event kind ("ticket_called" ...).
std::string_view event_name(const EventBody& body);

}  // namespace hallq::core
