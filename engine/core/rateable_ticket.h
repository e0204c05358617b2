// A ticket of an earlier day that may still be rated from its phone page
// (补充评价): finished, and not rated 1..5 by the end of its day (a keypad
// that timed out, 未评价, counts as not rated). HallState keeps these for
// config.evaluation.supplement_days after their day; an entry rated later
// keeps its level so that a second rating is refused as such. It also keeps
// the finished visit's service, window and staff, which a later 差评's work
// order names (work_order.h).
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/types.h"

namespace hallq::core {

struct RateableTicket {
  TicketId ticket = 0;
  std::int64_t day = 0;           // the local day it was issued on
  ServiceIdx issued_service = 0;  // with `number`, the printed number ("A012")
  std::uint32_t number = 0;
  std::uint8_t rating = 0;  // 0 until rated later, then 1..5
  // The visit that finished it.
  ServiceIdx service = 0;
  WindowIdx window = kNoWindow;  // kNoWindow: not known (a snapshot written before these were kept)
  std::string staff;             // the staff id logged in at the finish; may be empty
  bool operator==(const RateableTicket&) const = default;
};

}  // namespace hallq::core
