// `oldest`: a window calls the oldest ticket among all services it serves, at
// any skill level (priority classes first, as everywhere).
#pragma once

#include "engine/core/call_policy.h"

namespace hallq::policy {

class OldestPolicy final : public core::CallPolicy {
 public:
  std::string_view name() const override { return "oldest"; }
  core::TicketId choose(const core::CallView& view, core::WindowIdx window, core::TimeUs now) const override;
};

}  // namespace hallq::policy
