#include "engine/policy/balanced_policy.h"

#include "engine/policy/head_selection.h"

namespace hallq::policy {

core::TicketId BalancedPolicy::choose(const core::Hall& hall, core::WindowIdx window, core::TimeUs) const {
  return select_head(hall, window, {.max_level = 9, .level_delay = hall.config().level_delay_us()});
}

}  // namespace hallq::policy
