// Shared by the fuzz targets: the sample halls of conf/ (town, district, bank)
// loaded once per process, and a hall in mid-day (windows open, citizens
// waiting, one being served) for the commands a fuzzed request carries.
//
// The halls are immutable after the first call; every input gets a fresh
// core::Hall built from a copy of the mid-day state, so an input's outcome
// never depends on the inputs before it (a crash reproduces from its file).
// Thread: single-threaded, as libFuzzer and the regression runner call targets.
// Errors: a sample config that does not load throws (a broken checkout).
#pragma once

#include <cstddef>
#include <memory>

#include "engine/core/hall.h"
#include "engine/core/hall_config.h"

namespace hallq::fuzz {

inline constexpr std::size_t kSampleHalls = 3;  // town, district, bank

// The validated config of sample hall `i` (0 town, 1 district, 2 bank).
const core::HallConfig& sample_config(std::size_t i);
std::shared_ptr<const core::HallConfig> sample_config_ptr(std::size_t i);

// A fresh hall of sample `i` in mid-day: the state is the same for every call.
std::unique_ptr<core::Hall> mid_day_hall(std::size_t i);

// The simulated time of the mid-day state (later commands use it).
core::TimeUs mid_day_now();

}  // namespace hallq::fuzz
