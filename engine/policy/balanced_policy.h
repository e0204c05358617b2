// `balanced` (the default): a window serves its level-1 services first and
// turns to a later-resort service when that queue's head has waited longer by
// more than the hall's level delay per level (rules.level_delay_min, default
// half the wait target), or when nothing of level 1 waits.
#pragma once

#include "engine/core/call_policy.h"

namespace hallq::policy {

class BalancedPolicy final : public core::CallPolicy {
 public:
  std::string_view name() const override { return "balanced"; }
  core::TicketId choose(const core::Hall& hall, core::WindowIdx window, core::TimeUs now) const override;
};

}  // namespace hallq::policy
