// Folding halls from snapshots and verified stream messages.
#include "displays/city/city_replicas.h"

#include <fmt/format.h>

#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/replicate/event_check.h"

namespace hallq::city {
namespace {

std::unique_ptr<core::Hall> make_hall(const std::shared_ptr<core::HallConfig>& config) {
  const core::CallPolicy* policy = policy::find_policy(config->rules.policy);
  if (policy == nullptr) policy = policy::find_policy(policy::kDefaultPolicy);
  return std::make_unique<core::Hall>(config, policy, &predict::default_predictor());
}

}  // namespace

std::string CityReplicas::describe(const std::string& hall, const std::string& snapshot,
                                   std::uint64_t revision) {
  protocol::DecodedSnapshot snap;
  const protocol::Bytes bytes = protocol::as_bytes(snapshot);
  if (protocol::inspect(bytes) != protocol::MessageKind::kSnapshot)
    return fmt::format("snapshot of {}: not a hallq snapshot", hall);
  const core::Status st = protocol::decode_snapshot(bytes, snap);
  if (!st.ok()) return fmt::format("snapshot of {}: {}", hall, st.message());
  if (snap.hall != hall) return fmt::format("snapshot of {}: it is hall \"{}\"'s", hall, snap.hall);
  auto it = halls_.find(hall);
  auto fresh = make_hall(snap.config);
  try {
    if (it == halls_.end() || it->second.hall->seq() <= snap.seq) {
      fresh->import_state(std::move(snap.state));
    } else {
      // Held beyond the snapshot: keep the state, in the snapshot's config.
      protocol::DecodedSnapshot mine;
      const std::string own = protocol::encode_snapshot(*it->second.hall, 0, false);
      if (!protocol::decode_snapshot(protocol::as_bytes(own), mine).ok())
        return fmt::format("snapshot of {}: the replica does not re-encode", hall);
      fresh->import_state(protocol::remap_state(mine, *snap.config));
    }
  } catch (const core::CorruptionError& e) {
    return fmt::format("snapshot of {}: {}", hall, e.what());
  }
  Replica& r = halls_[hall];
  r.hall = std::move(fresh);
  r.revision = revision;
  return {};
}

CityReplicas::Outcome CityReplicas::offer(const std::string& hall, const std::string& bytes,
                                          std::string_view where) {
  using Kind = Outcome::Kind;
  auto it = halls_.find(hall);
  const core::Seq held = it == halls_.end() ? 0 : it->second.hall->seq();
  const replicate::EventCheck c = replicate::check_event(bytes, hall, held, where);
  switch (c.verdict) {
    case replicate::EventCheck::Verdict::kRefused:
      return {Kind::kRefused, c.why};
    case replicate::EventCheck::Verdict::kHeld:
      if (it != halls_.end()) return {Kind::kHeld, {}};
      break;
    case replicate::EventCheck::Verdict::kGap:
      if (it != halls_.end()) return {Kind::kGap, c.why};
      break;
    case replicate::EventCheck::Verdict::kNext:
      break;
  }
  if (it == halls_.end())
    return {Kind::kUnknownHall, fmt::format("{}: no snapshot of hall {} yet", where, hall)};
  core::Hall& h = *it->second.hall;
  protocol::DecodedEvent decoded;
  const core::Status st = protocol::decode_event(protocol::as_bytes(bytes), h.config(), decoded);
  if (!st.ok())
    return {Kind::kUndecodable,
            fmt::format("{}: refused: does not decode against the hall's config: {}", where, st.message())};
  try {
    h.apply_event(decoded.event);
  } catch (const core::CorruptionError& e) {
    return {Kind::kUndecodable, fmt::format("{}: refused: does not fit the hall: {}", where, e.what())};
  }
  it->second.last_event_us = decoded.event.time;
  return {Kind::kApplied, {}};
}

const core::Hall* CityReplicas::hall(std::string_view id) const {
  auto it = halls_.find(id);
  return it == halls_.end() ? nullptr : it->second.hall.get();
}

std::uint64_t CityReplicas::revision(std::string_view id) const {
  auto it = halls_.find(id);
  return it == halls_.end() ? 0 : it->second.revision;
}

core::TimeUs CityReplicas::last_event_us(std::string_view id) const {
  auto it = halls_.find(id);
  return it == halls_.end() ? 0 : it->second.last_event_us;
}

std::vector<std::string> CityReplicas::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, r] : halls_) out.push_back(id);
  return out;
}

std::string CityReplicas::snapshot(std::string_view id) const {
  const core::Hall* h = hall(id);
  return h == nullptr ? std::string() : protocol::encode_snapshot(*h, 0, false);
}

}  // namespace hallq::city
