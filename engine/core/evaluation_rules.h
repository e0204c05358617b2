// The rules of a 好差评 rating beyond its level, shared by Hall's deciding
// (hall_decide.cc): which reasons and comment a level may carry, the case
// number a clerk may give at finish, and which ticket of an earlier day a
// supplementary rating (补充评价) from the phone page may rate. Pure
// functions of their arguments; refusals carry the Chinese message the
// citizen or clerk sees.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/command.h"
#include "engine/core/error.h"
#include "engine/core/event.h"
#include "engine/core/hall_config.h"
#include "engine/core/rateable_ticket.h"

namespace hallq::core {

// The 办件编号 of a finish: "" (none given) or 1..kMaxCaseNumberBytes of
// [0-9A-Za-z._/-]. Empty when fine, else the refusal (Chinese) naming what is
// wrong: the first character that may not be there and its position
// (1-based, in characters; a space, a control character or a byte that is
// not UTF-8 named as such), or else the length against the limit.
std::string case_number_problem(std::string_view case_number);

// Reasons and comment only with levels 1..2; every reason a code of the
// hall's list, each at most once; the comment UTF-8 text of at most
// kMaxEvaluationComment characters; a known channel.
Status check_evaluation_details(const HallConfig& cfg, const Evaluate& c);

// Whether `reasons` and `comment` are what an accepted rating could carry, for
// the fold and a snapshot's import to check (a work order keeps them): at
// most kMaxEvaluationReasons codes of 1..kMaxReasonCodeBytes printable bytes,
// and a comment of printable UTF-8 of at most kMaxEvaluationComment characters.
bool plausible_rating_words(const std::vector<std::string>& reasons, std::string_view comment);

// The event of an accepted rating of ticket `id`.
TicketEvaluated evaluated(TicketId id, const Evaluate& c, bool supplementary);
// The work order a 差评 `c` of ticket `id` opens, due on local day `due_day`,
// with the rating's reasons and comment.
WorkOrderOpened work_order_opened(TicketId id, const Evaluate& c, std::int64_t due_day);

// The entry of `rateable` that `c` (c.day earlier than `today`) rates: the
// day within cfg.evaluation.supplement_days, the number that day's, the
// ticket finished and not yet rated 1..5, and no window named (a phone page
// has none). `out` points into `rateable` on success.
Status find_rateable(const HallConfig& cfg, const std::vector<RateableTicket>& rateable, const Evaluate& c,
                     std::int64_t today, const RateableTicket*& out);

}  // namespace hallq::core
