// Test support: a stored history made by replaying a trace through the real
// core (tools/replay), each event encoded as the engine encodes it and written
// to a real LMDB store, as hallqd would have.
#pragma once

#include <memory>
#include <string>

#include "engine/core/hall.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/store/event_store.h"
#include "tools/replay/replay.h"

namespace hallq::stats::testing {

// Replays `trace` and stores its events under config->id in a new store at `dir`.
inline replay::ReplayResult replay_into_store(const std::shared_ptr<const core::HallConfig>& config,
                                              const replay::Trace& trace, const std::string& dir) {
  // A replica that applies each event, so the encoder sees the state just after it.
  core::Hall mirror(config, policy::find_policy(config->rules.policy), &predict::default_predictor());
  store::EventStore store({.dir = dir, .durable = false});
  store::EventStore::Batch batch;
  replay::ReplayOptions options;
  options.on_event = [&](const core::Event& e) {
    mirror.apply_event(e);
    batch.add_event(config->id, e.seq, protocol::encode_event(mirror, e, ""));
    if (batch.size() >= 10'000) {
      store.commit(batch);
      batch.clear();
    }
  };
  replay::ReplayResult result = replay::replay(config, trace, options);
  store.commit(batch);
  return result;
}

}  // namespace hallq::stats::testing
