// `hallq replay`: runs a hall trace through the engine's core in simulated
// time and writes the per-ticket results (tools/traces/FORMAT.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace hallq::cli {

struct ReplayArgs {
  std::string conf, trace, out, policy;
};

// Registers the verb on `app`, filling `args` when parsed.
CLI::App* add_replay_verb(CLI::App& app, ReplayArgs& args);

// Exit codes: 0 done, 1 the replay failed (a core refusal), 2 a config, trace
// or output-file error, with the message on stderr.
int run_replay(const ReplayArgs& args, bool json);

}  // namespace hallq::cli
