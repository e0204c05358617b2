// A stored history made by replaying a trace through the real core: each
// event encoded as the engine encodes it and written to a real LMDB store, as
// hallqd would have stored it. For the statistics tests and the report bench
// (hallq report on a replayed month).
//
// Errors: ReplayError (replay.h) and store::StoreError. Thread: any (the
// store is its own).
#pragma once

#include <memory>
#include <string>

#include "engine/core/hall_config.h"
#include "tools/replay/replay.h"
#include "tools/replay/trace.h"

namespace hallq::replay {

// Replays `trace` and stores its events under config->id in a new,
// non-durable store at `dir` (ReplayResult::events of them).
ReplayResult replay_into_store(const std::shared_ptr<const core::HallConfig>& config, const Trace& trace,
                               const std::string& dir);

}  // namespace hallq::replay
