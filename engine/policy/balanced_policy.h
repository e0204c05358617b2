// `balanced` (the default): the N+1 hall's rule. A window serves its own
// (level-1) services first; among them the head with the largest wait per
// square root of its mean handling time, so short business is not stuck
// behind long business. Only when none of its own citizens waits does it help
// with a later-resort service, and only with business short enough that its
// own citizens are unlikely to arrive meanwhile: (arrivals per second of its
// level-1 services per open level-1 window) x (that service's mean handling
// time) must not exceed rules.help_load. Among those it helps the one waiting
// longest.
//
// Why: in a hall where a high-volume short service (综合咨询) is a window's own,
// helping with an 18-minute business registration when its line is empty for
// a moment leaves the next dozen consultations waiting. Measured on the shared
// and generated traces with bench/replay_eval (bench/README.md).
#pragma once

#include "engine/core/call_policy.h"

namespace hallq::policy {

class BalancedPolicy final : public core::CallPolicy {
 public:
  std::string_view name() const override { return "balanced"; }
  core::TicketId choose(const core::CallView& view, core::WindowIdx window, core::TimeUs now) const override;
};

}  // namespace hallq::policy
