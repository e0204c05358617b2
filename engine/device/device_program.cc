// The device program skeleton: common flags, overrides, exit codes.
#include "engine/device/device_program.h"

#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "engine/config/toml_reader.h"
#include "engine/device/signals.h"

namespace hallq::device {

DeviceProgram::DeviceProgram(ProgramSpec spec)
    : spec_(std::move(spec)), cli_(spec_.name + ": " + spec_.description) {
  cli_.add_option("--config", options_.config, spec_.config_help);
  for (const std::string& old : spec_.old_config_names)
    cli_.add_option(old, options_.config, "old spelling of --config")->group("");
  cli_.add_option("--engine", options_.engine, "engine command endpoint (overrides the config)");
  cli_.add_option("--events", options_.events, "engine event endpoint (overrides the config)");
  if (spec_.old_pub_name) cli_.add_option("--pub", options_.events, "old spelling of --events")->group("");
  cli_.add_option("--key", options_.key_file,
                  "this device's CURVE secret key file (overrides [security] key_file)");
  cli_.add_option("--server-key", options_.server_key,
                  "the engine's public key: a .pub/.key file or 40 Z85 characters (overrides [security])");
  if (!spec_.headless_help.empty()) cli_.add_flag("--headless", options_.headless, spec_.headless_help);
}

int DeviceProgram::run(int argc, char** argv, const std::function<int()>& body) {
  try {
    cli_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli_.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  install_stop_signals();
  try {
    if (spec_.config_required && options_.config.empty()) throw UsageError("--config FILE is required");
    return body();
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return kExitUsage;
  } catch (const UsageError& e) {
    warn(e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    warn(e.what());
    return kExitFailure;
  }
}

LoadedCurve DeviceProgram::apply_overrides(DeviceEndpoints config) const {
  if (!options_.engine.empty()) config.engine = options_.engine;
  if (!options_.events.empty()) config.events = options_.events;
  override_security(config.security, options_.key_file, options_.server_key);
  LoadedCurve keys = load_curve(config.security);
  for (const std::string& w : keys.warnings) warn(w);
  return keys;
}

void DeviceProgram::warn(std::string_view message) const {
  std::fprintf(stderr, "%s: %.*s\n", spec_.name.c_str(), static_cast<int>(message.size()), message.data());
}

}  // namespace hallq::device
