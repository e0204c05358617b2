// Statistics as JSON, for `hallq report --json` and the engine's history API:
// every figure of aggregate.h under its own name, NaN (a mean of nothing) as
// null, services, windows and staff with their ids and names. The 好差评
// figures: good, bad, good_rate, bad_rate, work_orders, called_back, reached,
// rectified, overdue, callback_rate, rectify_rate (aggregate.h).
//
//   {"period": "day", "from_us": .., "to_us": .., "wait_target_min": ..,
//    "total": {figures}, "services": [{"id", "name", figures}], "windows": [..],
//    "staff": [{"id", "name", figures}], "periods": [{"period": label, figures}]}
//
// Thread: any; no shared state.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "engine/core/hall_config.h"
#include "engine/stats/aggregate.h"

namespace hallq::stats {

nlohmann::json figures_json(const Figures& figures);
nlohmann::json stats_json(const Stats& stats, const core::HallConfig& hall);

}  // namespace hallq::stats
