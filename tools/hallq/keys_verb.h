// `hallq keys gen NAME [--role R --hall H [--window W]] --out DIR [--enrol FILE]`:
// generates a CURVE key pair for a device (or, without --role, for the engine
// itself), writes DIR/NAME.key (secret, 0600) and DIR/NAME.pub, refusing to
// overwrite either, and with --enrol appends the device's [[key]] entry to the
// engine's keys file (created with a header if missing), after checking that
// the file still parses and does not already hold NAME.
//
// `hallq keys ticket-secret FILE`: writes 32 random bytes to FILE (mode
// 0600, refusing to overwrite), the secret the kiosks sign their tickets' QR
// tokens with and the citizen gateway checks them by (engine/keys/ticket_token.h).
// `hallq keys salt FILE`: writes the installation's person-hash salt (32
// random bytes, 0600; engine/keys/person_hash.h), refusing to overwrite one.
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
  std::string secret_file;            // ticket-secret
  CLI::App* ticket_secret = nullptr;  // set by add_keys_verb
  std::string salt_file;              // salt
  CLI::App* salt = nullptr;           // set by add_keys_verb
};

// Adds `keys` (with its `gen`, `ticket-secret` and `salt` subcommands) to `app`; returns `keys`.
CLI::App* add_keys_verb(CLI::App& app, KeysArgs& args);
// Runs the subcommand that was parsed.
int run_keys(const KeysArgs& args, bool json);

}  // namespace hallq::cli
