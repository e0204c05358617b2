// The rules of a 好差评 rating beyond its level, shared by Hall's deciding
// (hall_decide.cc): which reasons and comment a level may carry, the case
// number a clerk may give at finish, and which ticket of an earlier day a
// supplementary rating (补充评价) from the phone page may rate. Pure
// functions of their arguments; refusals carry the Chinese message the
// citizen or clerk sees.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/core/command.h"
#include "engine/core/error.h"
#include "engine/core/event.h"
#include "engine/core/hall_config.h"
#include "engine/core/rateable_ticket.h"

namespace hallq::core {

// The 办件编号 of a finish: "" (none given) or 1..kMaxCaseNumberBytes of
// [0-9A-Za-z._/-].
bool case_number_ok(std::string_view case_number);

// Reasons and comment only with levels 1..2; every reason a code of the
// hall's list, each at most once; the comment UTF-8 text of at most
// kMaxEvaluationComment characters; a known channel.
Status check_evaluation_details(const HallConfig& cfg, const Evaluate& c);

// The event of an accepted rating of ticket `id`.
TicketEvaluated evaluated(TicketId id, const Evaluate& c, bool supplementary);

// The entry of `rateable` that `c` (c.day earlier than `today`) rates: the
// day within cfg.evaluation.supplement_days, the number that day's, the
// ticket finished and not yet rated 1..5, and no window named (a phone page
// has none). `out` points into `rateable` on success.
Status find_rateable(const HallConfig& cfg, const std::vector<RateableTicket>& rateable, const Evaluate& c,
                     std::int64_t today, const RateableTicket*& out);

}  // namespace hallq::core
