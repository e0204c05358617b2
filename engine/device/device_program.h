// The skeleton every device program's main() is built on (hallq-display,
// hallq-speaker, hallq-keypad, hallq-kiosk, hallq-caller): the same flags with
// the same meaning, one way to read a config's endpoints and CURVE keys with
// their command-line overrides, the same exit codes, the same signals.
//
//   --config FILE            the device's TOML
//   --engine ENDPOINT        the engine's command endpoint (overrides the config)
//   --events ENDPOINT        the engine's publisher endpoint (overrides the config)
//   --key FILE               this device's CURVE secret key file (overrides [security])
//   --server-key KEY|FILE    the engine's public key, 40 Z85 characters or a
//                            .pub/.key file (overrides [security])
//   --headless               where the program has one
// The old spellings --conf and --screen (of --config) and --pub (of --events)
// are hidden aliases for one release (ProgramSpec says which a program had).
//
// Exit codes: 0 success (a stop by SIGTERM/SIGINT included), 1 runtime
// failure, 2 usage or configuration error; a config::ConfigError prints
// "FILE:LINE: message" on stderr, other errors "PROGRAM: message".
// Signals: run() installs signals.h's handlers first.
// One DeviceProgram per process, on the main thread.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/device/device_security.h"

namespace hallq::device {

inline constexpr int kExitOk = 0;       // success, or stopped by SIGTERM/SIGINT
inline constexpr int kExitFailure = 1;  // runtime failure
inline constexpr int kExitUsage = 2;    // usage or configuration error

// A usage mistake found after parsing (e.g. a flag that needs another): exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The flags every device program shares.
struct CommonOptions {
  std::string config;
  std::string engine;
  std::string events;
  std::string key_file;
  std::string server_key;
  bool headless = false;
};

struct ProgramSpec {
  std::string name;                           // "hallq-kiosk": names the program in messages
  std::string description;                    // the first line of --help
  std::string config_help;                    // what --config is ("kiosk config (conf/devices/kiosk-*.toml)")
  std::string headless_help;                  // what --headless does; empty: the program has no --headless
  bool config_required = true;                // false: the program checks (a mode that needs none)
  std::vector<std::string> old_config_names;  // hidden aliases of --config: "--conf", "--screen"
  bool old_pub_name = false;                  // --pub, a hidden alias of --events
};

// The configuration a device reads from its file and the command line.
struct DeviceEndpoints {
  std::string& engine;
  std::string& events;
  SecurityConfig& security;
};

class DeviceProgram {
 public:
  explicit DeviceProgram(ProgramSpec spec);

  // For the program's own flags, added before parse().
  CLI::App& cli() { return cli_; }
  const CommonOptions& options() const { return options_; }
  const std::string& name() const { return spec_.name; }

  // Runs `body` after parsing argv: installs the stop signals, and maps what
  // it throws to an exit code (above). `body` returns the exit code.
  int run(int argc, char** argv, const std::function<int()>& body);

  // The one way a device applies the command line to what its config file
  // said: --engine/--events replace the endpoints, --key/--server-key the
  // [security] keys; then reads the key files. Warnings (a secret key
  // readable by others) go to stderr. Throws config::ConfigError.
  LoadedCurve apply_overrides(DeviceEndpoints config) const;

  // "PROGRAM: message" on stderr.
  void warn(std::string_view message) const;

 private:
  ProgramSpec spec_;
  CLI::App cli_;
  CommonOptions options_;
};

}  // namespace hallq::device
