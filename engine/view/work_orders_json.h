// The 差评工单 read-model (core/work_order.h) as JSON, for the managers' HTTP
// API (GET /api/halls/{hall}/work-orders), the dashboard's panel and
// `hallq --json`: the hall's open orders and those closed today, each with
// its ticket, service, window, staff, level, the rating's reasons (each
// code with its text in the hall's list, or the code again when the list no
// longer has it) and comment, due date, status on today's local day and
// steps, most urgent first (overdue, due soon, open, by due day; closed ones
// last), and the counts per status. The comment and the notes are personal
// data (engine/protocol/personal_data.h): only what may read them (the
// managers' API) serves this; a replica fed withheld events has them empty.
// Pure; any thread that may read the hall.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/core/hall.h"

namespace hallq::view {

// {"hall", "today": "YYYY-MM-DD", "due_soon_working_days",
//  "counts": {"open", "due_soon", "overdue", "closed"},
//  "orders": [{"ticket", "number", "service", "service_name", "window", "window_number",
//              "staff", "staff_name", "level", "level_name",
//              "reasons": [{"code", "name"}], "comment", "rated_at_us", "rated_on",
//              "due", "working_days_left", "status", "status_name",
//              "callbacks": [{"at_us", "reached", "note", "by"}],
//              "rectified_at_us" (0: open), "rectification", "rectified_by"}]}
nlohmann::json work_orders_json(const core::Hall& hall, core::TimeUs now);

}  // namespace hallq::view
