#include "tests/chaos/engine_hall.h"

#include <utility>

#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/snapshot_codec.h"

namespace hallq::chaos {

std::unique_ptr<core::Hall> engine_hall(client::Client& c, const std::string& hall, std::uint64_t* epoch,
                                        std::string* bytes) {
  auto reply = c.snapshot(hall);
  if (!reply || !reply->ok()) return nullptr;
  protocol::DecodedSnapshot snap;
  if (!protocol::decode_snapshot(protocol::as_bytes(reply->snapshot), snap).ok()) return nullptr;
  auto h = std::make_unique<core::Hall>(snap.config, policy::find_policy(snap.config->rules.policy),
                                        &predict::default_predictor());
  h->import_state(std::move(snap.state));
  if (epoch) *epoch = snap.epoch;
  if (bytes) *bytes = std::move(reply->snapshot);
  return h;
}

}  // namespace hallq::chaos
