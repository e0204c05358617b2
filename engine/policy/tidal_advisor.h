// Tidal windows (潮汐窗口): when a service's predicted wait for a newcomer
// exceeds the hall's target, propose one change that shortens it enough:
// open a closed window that serves it, or lend an open window to it (the
// service becomes one of its own, level 1) provided the lender's own
// services stay within the target. Of the changes that help enough, opening
// a closed window whose own service (level 1) it is comes first, then
// opening another closed window that serves it, then lending another
// service's window; within each, the one that shortens the wait most.
// Only inside the hall's opening hours. Each candidate is judged by a what-if
// forecast of the hall with the change made (engine/predict), so the
// proposal comes with its predicted effect.
//
// Pure: a function of the hall and `now`. The engine runs it about once a
// minute per hall and records a proposal as an advisory (core::Advise).
#pragma once

#include <optional>

#include "engine/core/command.h"
#include "engine/core/hall.h"

namespace hallq::policy {

struct AdvisorOptions {
  // A proposal must cut the predicted wait by at least this share and this much.
  double min_gain_share = 0.2;
  std::int32_t min_gain_s = 180;
};

// The proposal, ready to record, or none (nothing over target, outside
// opening hours, or nothing that helps enough).
std::optional<core::Advise> advise(const core::Hall& hall, core::TimeUs now,
                                   const AdvisorOptions& options = {});

}  // namespace hallq::policy
