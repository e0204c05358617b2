#include "engine/policy/oldest_policy.h"

#include "engine/policy/head_selection.h"

namespace hallq::policy {

core::TicketId OldestPolicy::choose(const core::Hall& hall, core::WindowIdx window, core::TimeUs) const {
  return select_head(hall, window, {.max_level = 9, .level_delay = 0});
}

}  // namespace hallq::policy
