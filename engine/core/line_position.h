// Where a waiting ticket stands in its service's own line: the tickets ahead
// of it, counting the queue classes called before its own in full, then its
// class in queue order. What a citizen is told ("前面还有 N 人") when no
// forecast over the open windows is at hand (engine/predict gives that one).
//
// Pure: a function of the hall. Thread: any (with the hall not changing).
#pragma once

#include <cstdint>

#include "engine/core/hall.h"

namespace hallq::core {

std::uint32_t ahead_in_line(const Hall& hall, const Ticket& t);

}  // namespace hallq::core
