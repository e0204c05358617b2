// An open tidal-window advisory (潮汐窗口建议): the engine proposes to open a
// window, or to lend one to a service, with the predicted effect; a manager
// accepts it with one command. Owned by Hall; derived from events.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/core/types.h"

namespace hallq::core {

struct Advisory {
  std::uint32_t id = 0;
  ServiceIdx service = 0;
  WindowIdx window = 0;
  AdvisoryAction action = AdvisoryAction::kLend;
  std::vector<Skill> skills;       // the window's skills if accepted
  std::int32_t wait_before_s = 0;  // the service's predicted newcomer wait when proposed
  std::int32_t wait_after_s = 0;   // ... with the proposal
  TimeUs issued_at = 0;
  bool operator==(const Advisory&) const = default;
};

// An advisory can be accepted this long after it was issued.
inline constexpr TimeUs kAdvisoryLifetime = 15 * kUsPerMinute;

}  // namespace hallq::core
