// Fuzz target "config": TOML text through the hall config parser
// (engine/config/config_loader). The contract: a validated HallConfig, or a
// ConfigError whose message starts with the source name and a line number
// ("fuzz.toml:12: ..."). Any other exception escapes and is reported by
// libFuzzer as a crash, like a sanitizer finding. An accepted config must
// also survive the engine's own use of it: a hall's snapshot (which embeds
// the config) decodes again, or the engine could not recover its store.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/config/config_loader.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/snapshot_codec.h"

namespace {

constexpr std::string_view kSource = "fuzz.toml";

// "fuzz.toml:<digits>: <text>"
bool names_file_and_line(std::string_view message) {
  if (!message.starts_with(kSource) || message.size() <= kSource.size() + 1 || message[kSource.size()] != ':')
    return false;
  message.remove_prefix(kSource.size() + 1);
  std::size_t digits = 0;
  while (digits < message.size() && message[digits] >= '0' && message[digits] <= '9') ++digits;
  return digits > 0 && message.substr(digits).starts_with(": ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto config = hallq::config::parse_hall_config(text, kSource);
    if (!config || config->services.empty() || config->windows.empty()) std::abort();
    const hallq::core::CallPolicy* policy = hallq::policy::find_policy(config->rules.policy);
    if (policy == nullptr) return 0;  // hallqd refuses an unknown policy at start
    hallq::core::Hall hall(config, policy, &hallq::predict::default_predictor());
    const std::string bytes = hallq::protocol::encode_snapshot(hall, 1, true);
    hallq::protocol::DecodedSnapshot decoded;
    if (hallq::protocol::inspect(hallq::protocol::as_bytes(bytes)) != hallq::protocol::MessageKind::kSnapshot)
      std::abort();
    if (const auto st = hallq::protocol::decode_snapshot(hallq::protocol::as_bytes(bytes), decoded);
        !st.ok()) {
      std::fprintf(stderr, "snapshot of an accepted config refused: %s\n", st.message().c_str());
      std::abort();
    }
    // ... and carries the names as configured (subscribers show them).
    bool same = decoded.config->name == config->name &&
                decoded.config->windows.size() == config->windows.size() &&
                decoded.config->services.size() == config->services.size();
    for (std::size_t i = 0; same && i < config->windows.size(); ++i)
      same = decoded.config->windows[i].name == config->windows[i].name;
    for (std::size_t i = 0; same && i < config->services.size(); ++i)
      same = decoded.config->services[i].name == config->services[i].name;
    if (!same) {
      std::fprintf(stderr, "a snapshot changed the config's names\n");
      std::abort();
    }
  } catch (const hallq::config::ConfigError& e) {
    if (!names_file_and_line(e.what())) std::abort();
  }
  return 0;
}
