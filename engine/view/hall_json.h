// The JSON documents of one hall that managers read (the HTTP API, the
// dashboard's WebSocket), computed from the hall's state (the engine's own
// or a replica) at `now`:
//   hall_json     the summary (json_view.h) plus "live" (today's figures),
//                 "wait_target_min" and "local_date" (the hall's own calendar
//                 day, for history queries);
//   tickets_json  today's tickets, with the forecast's wait for those waiting;
//   staff_json    the hall's staff and the window each is logged in at.
//
// Pure functions of the hall and `now`; any thread that may read the hall.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "engine/core/hall.h"

namespace hallq::view {

nlohmann::json hall_json(const core::Hall& hall, core::TimeUs now);

// [{id, number, service, priority, state, issued_at_us, predicted_wait_at_issue_s,
//   window?, waited_s?, ahead?, predicted_wait_s?, rating?}], tickets issued
// since the hall's local midnight; `waiting_only`: those still waiting.
nlohmann::json tickets_json(const core::Hall& hall, core::TimeUs now, bool waiting_only);

// [{id, name, window}]: window null when the staff is at no open or paused window.
nlohmann::json staff_json(const core::Hall& hall);

}  // namespace hallq::view
