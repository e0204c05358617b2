// How good the engine's predicted waits were, against the two baselines of
// tools/traces/score.py, computed exactly as that script does from the same
// replay: QL = people of the same service still waiting ahead x mean handling
// time of that service so far (earlier days, then today's called tickets, the
// last 200, with expected_handle_min counted 3 times as a prior) / open windows
// serving it; LES = actual wait of the last ticket of that service (that day)
// to be called. Accuracy is the mean absolute error between a prediction at
// issue and the actual wait (issue to first call) over the called tickets.
//
// The baselines read the trace's ground truth (handling times of tickets
// already served) as score.py does; the engine's predictions never did.
#pragma once

#include <cstddef>

#include "engine/core/hall_config.h"
#include "tools/replay/replay.h"
#include "tools/replay/trace.h"

namespace hallq::replay {

struct PredictionScore {
  std::size_t called = 0;
  double mae_engine_min = 0;
  double mae_ql_min = 0;
  double mae_les_min = 0;
  // The engine's MAE over the better baseline's (< 1: the engine is better).
  double ratio() const;
};

// `result` must come from replaying `trace` against `config`.
PredictionScore score_predictions(const core::HallConfig& config, const Trace& trace,
                                  const ReplayResult& result);

}  // namespace hallq::replay
