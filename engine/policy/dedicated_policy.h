// `dedicated`: the old one-window-per-department layout. A window calls only
// the services it serves at level 1, oldest first within each class.
#pragma once

#include "engine/core/call_policy.h"

namespace hallq::policy {

class DedicatedPolicy final : public core::CallPolicy {
 public:
  std::string_view name() const override { return "dedicated"; }
  core::TicketId choose(const core::CallView& view, core::WindowIdx window, core::TimeUs now) const override;
};

}  // namespace hallq::policy
