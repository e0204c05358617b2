// The selection step all built-in policies share: among the heads of the
// queues a window serves, take returning tickets first, then priority ones
// (but at most `priority_ratio` in a row while normal tickets wait), then
// normal ones; within a class the earliest adjusted key wins, where a ticket
// of skill level L has its key pushed back by (L - 1) * level_delay.
#pragma once

#include "engine/core/hall.h"

namespace hallq::policy {

struct SelectionRule {
  int max_level = 9;             // skills above this level are ignored
  core::TimeUs level_delay = 0;  // handicap per skill level above 1
};

core::TicketId select_head(const core::Hall& hall, core::WindowIdx window, const SelectionRule& rule);

}  // namespace hallq::policy
