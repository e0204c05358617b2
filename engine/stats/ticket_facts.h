// The fold of a hall's events into facts for statistics: one TicketFacts per
// ticket (its service visits, waits, handling, rating and outcome) and the
// windows' activity as spans of time (open, paused, busy, by staff).
// Aggregation (aggregate.h) reads these; nothing here groups or averages.
//
// Transfers: a ticket transferred to another service (转事项) starts a new
// Visit of that service. A ticket's wait is its first visit's wait (issue to
// first call), as FORMAT.md and the replay define it; the handling time that
// counts is that of the visit that was finished. Holds: a held ticket's
// visit continues; its handling time is the sum of its serving segments.
// Staff: the staff logged in at a window (WindowOpened, StaffChanged for an
// A/B handover) when a ticket is finished is credited with it and its rating.
// 差评工单: a ticket's work order (WorkOrderOpened, its callbacks and its
// rectification) is kept in its facts as the instants of its steps; an order
// of a ticket rated days after its issue (补充评价) is folded like any other
// when the ticket's TicketIssued was folded.
//
// Folding may start anywhere in a hall's history (history.h starts early
// enough for the range it reports, at least a day before): events about
// tickets issued before the first folded TicketIssued (work-order steps
// included) are counted in unknown_ticket_events and ignored; windows are
// taken as closed until their first WindowOpened (a window open since before
// the fold start is seen from its next open only).
//
// Thread: not thread-safe; one owner. Pure: no I/O, no clock. Events must come
// in sequence order (times never decrease, as the core guarantees).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/core/event.h"
#include "engine/core/ticket.h"
#include "engine/core/types.h"

namespace hallq::stats {

using core::ServiceIdx;
using core::TimeUs;
using core::WindowIdx;

// Index into FactFold::staff_ids().
using StaffRef = std::uint32_t;
inline constexpr StaffRef kNoStaffRef = 0xFFFF'FFFF;

// How a ticket ended (its final state; a reactivated no-show that is served
// later is served).
enum class Outcome : std::uint8_t {
  kOpen,     // still waiting, at a window, held or a no-show that may come back
  kServed,   // finished (办结)
  kNoShow,   // skipped after its calls (过号) and not served since (stays so at the daily reset)
  kLeft,     // cancelled, or gave up waiting
  kExpired,  // waiting or held at the daily reset
};

// How one visit (a service's part of a ticket's life) ended.
enum class VisitEnd : std::uint8_t { kOpen, kFinished, kTransferred, kNoShow, kLeft, kExpired };

struct Visit {
  ServiceIdx service = 0;
  TimeUs queued_at = 0;                     // issue, or the transfer that started this visit
  TimeUs first_called_at = 0;               // 0: never called in this visit
  WindowIdx call_window = core::kNoWindow;  // window of the first call
  StaffRef call_staff = kNoStaffRef;        // staff there at that call
  TimeUs started_at = 0;                    // first ServiceStarted of the visit; 0: never
  TimeUs handling_us = 0;                   // time serving, summed over segments (holds interrupt)
  TimeUs ended_at = 0;                      // finish, transfer, skip, leave or expiry; 0: open
  WindowIdx end_window = core::kNoWindow;   // window that finished, transferred or skipped it
  StaffRef end_staff = kNoStaffRef;         // staff there at that moment
  VisitEnd end = VisitEnd::kOpen;
};

// A ticket's 差评 work order (work_order.h): when it was opened and when its
// steps first happened; 0: not (yet). The order's id is the ticket's.
struct OrderFacts {
  TimeUs opened_at = 0;       // WorkOrderOpened; 0: the ticket has no order
  std::int64_t due_day = 0;   // local day by whose end it must be rectified
  TimeUs called_back_at = 0;  // the first callback (回访), reached or not
  TimeUs reached_at = 0;      // the first callback that reached the citizen
  TimeUs rectified_at = 0;    // the rectification (整改), which closes it
};

struct TicketFacts {
  core::TicketId id = 0;
  ServiceIdx service = 0;  // issued for (gives the prefix)
  std::uint32_t number = 0;
  core::Priority priority = core::Priority::kNormal;
  TimeUs issued_at = 0;
  std::int8_t rating = -1;  // -1 never rated; 0 未评价 (keypad timed out); 1..5
  TimeUs rated_at = 0;
  // The rating's details (TicketEvaluated): 差评 reason codes and comment, where it
  // was given; a supplementary rating (补充评价) of an earlier day's ticket is
  // credited only when that day's facts are built from a log that includes it.
  std::vector<std::string> reasons;
  std::string comment;
  core::EvaluationChannel channel = core::EvaluationChannel::kKeypad;
  bool supplementary = false;
  std::string case_number;                                         // 办件编号 given at finish; "" if none
  core::LeaveReason leave_reason = core::LeaveReason::kCancelled;  // when outcome is kLeft
  Outcome outcome = Outcome::kOpen;
  core::TicketState state = core::TicketState::kWaiting;  // as the core has it
  std::uint16_t recalls = 0;                              // all recalls of the ticket
  OrderFacts order;                                       // its 差评 work order, if any
  std::vector<Visit> visits;                              // at least one; the last is the current or final

  const Visit& first() const { return visits.front(); }
  const Visit& last() const { return visits.back(); }
  TimeUs first_called_at() const { return visits.front().first_called_at; }
  // Only meaningful when first_called_at() != 0. From joining the line (the issue; a remote ticket's
  // check-in) to the first call.
  TimeUs wait_us() const { return visits.front().first_called_at - visits.front().queued_at; }
};

// A stretch of a window's time with one state. Windows are closed outside spans.
struct WindowSpan {
  WindowIdx window = 0;
  StaffRef staff = kNoStaffRef;
  TimeUs begin = 0;
  TimeUs end = 0;
  bool paused = false;  // paused (暂停) rather than open
  bool busy = false;    // a ticket called or being served at the window
};

class FactFold {
 public:
  explicit FactFold(std::size_t windows);

  // Folds one event. Events about unknown tickets or windows beyond the
  // config are counted and ignored (never thrown): statistics read history
  // that may start mid-way.
  void add(const core::Event& e);

  // Tickets in id order.
  const std::vector<TicketFacts>& tickets() const { return tickets_; }
  // Closed spans, in the order they ended.
  const std::vector<WindowSpan>& spans() const { return spans_; }
  // The spans still going on (open windows), each ending at `as_of`.
  std::vector<WindowSpan> open_spans(TimeUs as_of) const;
  const std::vector<std::string>& staff_ids() const { return staff_ids_; }
  TimeUs last_time() const { return last_time_; }
  std::uint64_t events() const { return events_; }
  std::uint64_t unknown_ticket_events() const { return unknown_ticket_events_; }

 private:
  struct WindowNow {
    bool open = false;
    bool paused = false;
    StaffRef staff = kNoStaffRef;
    core::TicketId current = 0;
    TimeUs since = 0;  // start of the current span
  };
  TicketFacts* find(core::TicketId id);
  StaffRef intern(const std::string& staff);
  // Ends the window's current span at `t` (if it is open) and starts a new one.
  void cut(WindowIdx w, TimeUs t);
  void end_serving_segment(TicketFacts& t, TimeUs now);

  std::vector<TicketFacts> tickets_;
  std::vector<TimeUs>
      serving_since_;  // per ticket (parallel to tickets_): start of the current segment, 0 none
  std::vector<WindowSpan> spans_;
  std::vector<WindowNow> windows_;
  std::vector<std::string> staff_ids_;
  std::unordered_map<std::string, StaffRef> staff_index_;
  TimeUs last_time_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t unknown_ticket_events_ = 0;
  std::size_t expiry_scan_from_ = 0;  // tickets before it can no longer expire
};

std::string_view to_string(Outcome o);

}  // namespace hallq::stats
