// 差评工单: every rating of 1 or 2 (非常不满意, 不满意) opens a work order that
// managers follow up: one or more callbacks (回访: reached the citizen or not,
// what was said), then one rectification (整改), which closes it. It is due
// follow_up_working_days working days (working_days.h) after the rating's
// day. The order's id is the rated ticket's id (a ticket is rated once).
// Orders are part of HallState: open ones survive day rolls, closed ones stay
// until the next day roll. Plain values; the hall folds them (hall_fold.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/core/types.h"

namespace hallq::core {

// The hall's deadlines ([evaluation] follow_up_working_days, due_soon_working_days).
int follow_up_working_days(const HallConfig& cfg);
int due_soon_working_days(const HallConfig& cfg);

// A callback or rectification note: 1..kMaxWorkOrderNoteChars characters
// (code points) of printable UTF-8; who recorded it: 1..kMaxStaffIdBytes.
inline constexpr std::size_t kMaxWorkOrderNoteChars = 500;

struct WorkOrderCallback {  // 回访
  TimeUs at = 0;
  bool reached = false;  // the citizen was reached
  std::string note;
  std::string by;  // the manager's account
  bool operator==(const WorkOrderCallback&) const = default;
};

struct WorkOrder {
  TicketId ticket = 0;  // the order's id
  std::string number;   // "A012", as printed on the ticket
  ServiceIdx service = 0;
  WindowIdx window = 0;    // kNoWindow once the window is no longer configured
  std::string staff;       // staff id who finished the ticket; may be empty
  std::uint8_t level = 0;  // 1 or 2
  // Why, as the citizen rated it (from WorkOrderOpened): the hall's reason
  // codes (HallConfig::evaluation.reasons) and the free-text comment, which is
  // personal data (withheld with the notes). Empty for orders opened before
  // they were kept.
  std::vector<std::string> reasons;
  std::string comment;
  TimeUs opened_at = 0;  // when the rating came
  std::int64_t due_day = 0;
  std::vector<WorkOrderCallback> callbacks;  // in order; recorded again while not reached
  TimeUs rectified_at = 0;                   // 0: not rectified (open)
  std::string rectification;
  std::string rectified_by;
  bool closed() const { return rectified_at != 0; }
  bool reached() const;  // a callback reached the citizen
  bool operator==(const WorkOrder&) const = default;
};

// Where an order stands on local day `today`.
enum class WorkOrderStatus : std::uint8_t { kOpen, kDueSoon, kOverdue, kClosed };
// kClosed once rectified; kOverdue when today is past the due day; kDueSoon
// when the due day is at most `due_soon` working days after today; else kOpen.
WorkOrderStatus status_on(const HallConfig& cfg, const WorkOrder& order, std::int64_t today);
// "open" | "due_soon" | "overdue" | "closed".
std::string_view to_string(WorkOrderStatus s);
// 处理中 | 即将到期 | 已逾期 | 已整改.
std::string_view display_name(WorkOrderStatus s);

// Checks a note: nullopt-like empty string when fine, else the refusal text
// (Chinese) naming `what` ("回访记录", "整改说明").
std::string note_problem(std::string_view note, std::string_view what);

}  // namespace hallq::core
