#include "tools/replay/replay_store.h"

#include "engine/core/hall.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/store/event_store.h"

namespace hallq::replay {

ReplayResult replay_into_store(const std::shared_ptr<const core::HallConfig>& config, const Trace& trace,
                               const std::string& dir) {
  // A replica that applies each event, so the encoder sees the state just after it.
  core::Hall mirror(config, policy::find_policy(config->rules.policy), &predict::default_predictor());
  store::EventStore store({.dir = dir, .durable = false});
  store::EventStore::Batch batch;
  ReplayOptions options;
  options.on_event = [&](const core::Event& e) {
    mirror.apply_event(e);
    batch.add_event(config->id, e.seq, protocol::encode_event(mirror, e, ""));
    if (batch.size() >= 10'000) {
      store.commit(batch);
      batch.clear();
    }
  };
  ReplayResult result = replay(config, trace, options);
  store.commit(batch);
  return result;
}

}  // namespace hallq::replay
