// `hallq keys gen NAME [--role R --hall H [--window W]] --out DIR [--enrol FILE]`:
// generates a CURVE key pair for a device (or, without --role, for the engine
// itself), writes DIR/NAME.key (secret, 0600) and DIR/NAME.pub, refusing to
// overwrite either, and with --enrol appends the device's [[key]] entry to the
// engine's keys file (created with a header if missing), after checking that
// the file still parses and does not already hold NAME.
//
// Exit codes: 0 done, 2 usage or file error (message on stderr).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace hallq::cli {

struct KeysArgs {
  std::string name, role, out = ".", enrol, window;
  std::vector<std::string> halls;
};

// Adds `keys` (with its `gen` subcommand) to `app`; returns `gen`.
CLI::App* add_keys_verb(CLI::App& app, KeysArgs& args);
int run_keys_gen(const KeysArgs& args, bool json);

}  // namespace hallq::cli
