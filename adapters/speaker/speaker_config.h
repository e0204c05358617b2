// The speaker's device settings (conf/devices/speaker-*.toml; keys in
// adapters/README.md):
//
//   [speaker]                 hall, engine, pub, windows | zone, template,
//                             recall_template, repeat, gap_ms, chime, volume,
//                             ticket_reading, window_reading, zero, two,
//                             queue_capacity, audio_device
//   [speaker.voice]           kind = "espeak" | "pack", name, rate_wpm, pitch,
//                             pack_dir, clip_gap_ms
//   [speaker.letters]         A = "诶" ... (how letters are read)
//   [[zone]]                  id, windows = ["w1", ...]
//   [security]                key_file, engine_public_key_file | engine_public_key
//                             (CURVE keys; engine/device/device_security.h)
//
// Errors are config::ConfigError naming file:line (engine/config/toml_reader.h).
// Window ids are checked against the hall later, when the engine's snapshot
// arrives (check_windows). Stateless; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/speaker/announcer.h"
#include "adapters/speaker/espeak_voice.h"
#include "adapters/speaker/voice_pack.h"
#include "engine/core/hall_config.h"
#include "engine/device/device_security.h"

namespace hallq::speaker {

enum class VoiceKind : std::uint8_t { kEspeak, kPack };

struct SpeakerConfig {
  std::string source;  // the file, for messages
  std::string hall;
  std::string engine = "tcp://127.0.0.1:5570";
  std::string pub = "tcp://127.0.0.1:5571";
  std::vector<std::string> windows;  // window ids announced; empty: every window of the hall
  std::string zone;                  // the zone they came from, if any
  std::uint32_t windows_line = 0;    // line of `windows` / `zone`, for check_windows
  AnnouncerOptions announcer;
  VoiceKind voice = VoiceKind::kEspeak;
  EspeakOptions espeak;
  std::string pack_dir;  // absolute, or relative to the config file's folder
  VoicePackOptions pack;
  std::size_t queue_capacity = 1000;
  std::string audio_device;         // SDL output device name; empty: the default
  device::SecurityConfig security;  // no [security]: plaintext
};

SpeakerConfig parse_speaker_config(std::string_view text, std::string_view source);
SpeakerConfig load_speaker_config(const std::string& path);

// Every configured window exists in `hall`; otherwise the message
// ("FILE:LINE: speaker.windows: hall "town" has no window "w99"").
std::optional<std::string> check_windows(const SpeakerConfig& config, const core::HallConfig& hall);

}  // namespace hallq::speaker
