// Fuzz target "snapshot": a buffer as a stored snapshot (engine recovery) or a
// snapshot reply's blob (subscribers) through the snapshot decoder, then what
// its users do with an accepted one: import it into a hall, re-encode it,
// remap it onto the sample town config (recovery after a config change), and
// let the hall go on (a tick, a call at each window, an issue). The decoder's
// contract is that an accepted snapshot is consistent, so none of this may
// crash; remap_state may throw core::CorruptionError (documented) and
// import_state likewise.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/message.h"
#include "engine/protocol/snapshot_codec.h"
#include "fuzz/fuzz_halls.h"

using namespace hallq;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const protocol::Bytes bytes(data, size);
  if (protocol::inspect(bytes) != protocol::MessageKind::kSnapshot) return 0;
  protocol::DecodedSnapshot snap;
  if (!protocol::decode_snapshot(bytes, snap).ok()) return 0;
  try {
    (void)protocol::remap_state(snap, fuzz::sample_config(0));
  } catch (const core::CorruptionError&) {
  }
  const core::CallPolicy* policy = policy::find_policy(snap.config->rules.policy);
  if (policy == nullptr) policy = policy::find_policy("balanced");
  core::Hall hall(snap.config, policy, &predict::default_predictor());
  try {
    hall.import_state(std::move(snap.state));
  } catch (const core::CorruptionError&) {
    return 0;
  }
  // What the hall accepted is within its own bounds (an out-of-range skill
  // level once indexed past an array: fuzz/regressions/snapshot/skill-level-*).
  for (const core::Window& w : hall.windows())
    for (const core::Skill& k : w.skills)
      if (k.service >= hall.config().services.size() || k.level < 1 || k.level > 9) std::abort();
  // Learned handling times are spans a prediction can turn back into
  // microseconds (a huge negative one was cast to an integer: UB,
  // fuzz/regressions/snapshot/huge-handle-time-*).
  for (core::ServiceIdx i = 0; i < hall.config().services.size(); ++i) {
    const double mean = hall.mean_handle_s(i);
    if (!(mean >= 0 && mean <= static_cast<double>(core::kLatestTime / core::kUsPerSecond))) std::abort();
  }
  // Re-encoding an accepted snapshot gives one that decodes again.
  const std::string again = protocol::encode_snapshot(hall, snap.epoch, true);
  protocol::DecodedSnapshot second;
  if (protocol::inspect(protocol::as_bytes(again)) != protocol::MessageKind::kSnapshot) std::abort();
  if (const core::Status st = protocol::decode_snapshot(protocol::as_bytes(again), second); !st.ok()) {
    std::fprintf(stderr, "re-encoded snapshot refused: %s\n", st.message().c_str());
    std::abort();
  }
  std::vector<core::Event> out;
  const core::TimeUs now = hall.clock() + core::kUsPerSecond;
  (void)hall.apply(core::Command{{}, core::Tick{}}, now, out);
  for (const auto& w : hall.config().windows)
    (void)hall.apply(core::Command{{}, core::CallNext{w.id}}, now, out);
  for (const auto& s : hall.config().services)
    (void)hall.apply(core::Command{{}, core::IssueTicket{s.id}}, now, out);
  return 0;
}
