#include "engine/policy/dedicated_policy.h"

#include "engine/policy/head_selection.h"

namespace hallq::policy {

core::TicketId DedicatedPolicy::choose(const core::CallView& view, core::WindowIdx window,
                                       core::TimeUs now) const {
  return select_head(view, window, now, 1,
                     [](const Candidate& c) -> std::optional<double> { return c.age_s; });
}

}  // namespace hallq::policy
