// A hall of any size built in code, for tests and benchmarks that need more
// windows than the shipped configs have: `windows` windows and `services`
// services; window w serves service w % services at level 1 and two
// neighbours at levels 2 and 3 (w + 1 and w + 7), and every 20th window is a
// fallback window serving everything else at level 2. Every third service is
// a promise service (承诺件); handling times 3..20 min; ticket letters skip I
// and O. Id "big", 20 min wait target, open `hours` (default 08:30–17:30).
//
// Errors: throws std::logic_error if the result does not validate (it always
// does for windows >= 1, services >= 1).
#pragma once

#include <memory>
#include <vector>

#include "engine/core/hall_config.h"

namespace hallq::testing {

std::shared_ptr<core::HallConfig> make_synthetic_hall(int windows, int services,
                                                      std::vector<core::TimeSpan> hours = {
                                                          {8 * 60 + 30, 17 * 60 + 30}});

}  // namespace hallq::testing
