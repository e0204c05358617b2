// A device's or screen's `[security]` table: where its CURVE keys are, for an
// engine started with `hallqd --keys` (SECURITY.md). One reader for every
// device (kiosk, caller, keypad, speaker) and hallq-display:
//
//   [security]
//   key_file = "keys/kiosk-1.key"              # this device's secret key (hallq keys gen); required
//   engine_public_key_file = "keys/engine.pub"  # the engine's public key (.pub or .key file), or
//   engine_public_key = "<40 Z85 characters>"   # the same inline (exactly one of the two)
//
// Relative paths are taken from the config file's folder. No [security]
// table: plaintext, as before (SecurityConfig::enabled() false).
//
// Two steps, so that parsing stays pure:
//   read_security()  checks the table (keys, types, both halves present, an
//                    inline key being 40 Z85 characters) and resolves paths;
//   load_curve()     reads the key files into client::CurveOptions (the
//                    device's public key is derived from its secret key; a
//                    public_key stated in the .key file must belong to it).
// The command line may replace either half first (override_security, the
// hallq CLI's names: --key FILE, --server-key FILE|Z85).
//
// Errors: config::ConfigError naming "CONFIG:LINE: security.KEY: what",
// e.g. "kiosk.toml:9: security.key_file: keys/k.key: cannot open: No such file
// or directory"; for a value from the command line "--key: ...". A secret key
// file readable by group or others is NOT refused (hallqd does not check its
// own key file either): load_curve() returns a warning naming the file and
// its mode, which the programs print on stderr.
// Stateless; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/client/client.h"
#include "engine/config/toml_reader.h"

namespace hallq::device {

struct SecurityConfig {
  std::string source;                  // the config file, for messages
  std::string key_file;                // resolved; empty: plaintext
  std::uint32_t key_file_line = 0;     // 0: from the command line
  std::string engine_public_key;       // 40 Z85 characters given inline, or
  std::string engine_public_key_file;  // resolved path of a .pub / .key file
  std::uint32_t engine_key_line = 0;   // 0: from the command line
  bool enabled() const { return !key_file.empty(); }
};

// Reads `document`'s [security] table (absent: disabled). `document` is the
// reader of the file's top level (TableReader::document); the caller allows
// "security" among its sections.
SecurityConfig read_security(const config::TableReader& document);

// Command-line overrides: `key_file` (--key) and `server_key` (--server-key:
// 40 Z85 characters or a .pub/.key file) replace the config's values when
// not empty. Throws config::ConfigError if the result has one half without the
// other.
void override_security(SecurityConfig& security, const std::string& key_file, const std::string& server_key);

struct LoadedCurve {
  client::CurveOptions curve;         // empty (plaintext) when not enabled
  std::vector<std::string> warnings;  // e.g. a secret key file readable by others
};
// Reads the key files named by `security`.
LoadedCurve load_curve(const SecurityConfig& security);

}  // namespace hallq::device
