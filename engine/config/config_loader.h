// Reads hall configurations from TOML (schema: DESIGN.md "Hall configuration",
// plus the optional [rules] table and [[staff]] array documented in conf/README.md).
//
// Errors are ConfigErrors (config_error.h) naming the file, the line and what
// is wrong, e.g.
//   conf/town.toml:42: window "w3": serves: unknown service "socail" (did you mean "social"?)
// The first problem found is reported; nothing is returned for a broken file.
// Unknown keys are errors, except the top-level sections later loaders own
// (screen, speaker, kiosk, keypad, caller, device, notice, display and plurals),
// which are skipped. The functions share no state and may run on any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/config/config_error.h"
#include "engine/core/hall_config.h"

namespace hallq::config {

// Parses `toml_text`; `source_name` is used in error messages (a path).
// The result is validated and indexed (HallConfig::validate_and_index).
std::shared_ptr<core::HallConfig> parse_hall_config(std::string_view toml_text, std::string_view source_name);

// Reads and parses the file at `path`; a file that cannot be opened or read is
// a ConfigError naming the path and the OS reason.
std::shared_ptr<core::HallConfig> load_hall_config(const std::string& path);

}  // namespace hallq::config
