#include "engine/policy/balanced_policy.h"

#include <algorithm>
#include <cmath>

#include "engine/policy/head_selection.h"

namespace hallq::policy {

core::TicketId BalancedPolicy::choose(const core::CallView& view, core::WindowIdx window,
                                      core::TimeUs now) const {
  const auto& skills = view.skills(window);
  bool own_waiting = false;
  for (const core::Skill& k : skills) {
    if (k.level != 1) break;  // sorted by level
    if (view.has_waiting(k.service)) {
      own_waiting = true;
      break;
    }
  }
  if (own_waiting) {
    return select_head(view, window, now, 1, [&](const Candidate& c) -> std::optional<double> {
      return c.age_s / std::sqrt(view.mean_handle_s(c.service));
    });
  }
  double own_load = 0;  // arrivals per second per open window, of the window's own services
  for (const core::Skill& k : skills) {
    if (k.level != 1) break;
    own_load += view.arrival_rate(k.service, now) / std::max(1, view.open_windows(k.service, 1));
  }
  const double help_load = view.config().rules.help_load;
  return select_head(view, window, now, 9, [&](const Candidate& c) -> std::optional<double> {
    if (own_load * view.mean_handle_s(c.service) > help_load) return std::nullopt;
    return c.age_s;
  });
}

}  // namespace hallq::policy
