// A ticket of an earlier day that may still be rated from its phone page
// (补充评价): finished, and not rated 1..5 by the end of its day (a keypad
// that timed out, 未评价, counts as not rated). HallState keeps these for
// config.evaluation.supplement_days after their day; an entry rated later
// keeps its level so that a second rating is refused as such.
#pragma once

#include <cstdint>

#include "engine/core/types.h"

namespace hallq::core {

struct RateableTicket {
  TicketId ticket = 0;
  std::int64_t day = 0;           // the local day it was issued on
  ServiceIdx issued_service = 0;  // with `number`, the printed number ("A012")
  std::uint32_t number = 0;
  std::uint8_t rating = 0;  // 0 until rated later, then 1..5
  bool operator==(const RateableTicket&) const = default;
};

}  // namespace hallq::core
