// `hallq simulate`: one day of a hall trace played against the live engine at
// an accelerated pace, by simulated citizens and clerks (the demo's traffic).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "engine/client/client.h"

namespace hallq::cli {

struct SimulateArgs {
  std::string hall, trace;
  int day = 0;
  double speed = 60;
  double seconds = 0;  // real seconds to play (0: the whole day)
  unsigned seed = 1;
  bool follow_engine = false;  // the trace at the engine's time of day (its heartbeats)
};

CLI::App* add_simulate_verb(CLI::App& app, SimulateArgs& args);

// Exit codes: 0 done, 1 refused by the engine, 2 trace error, 3 engine
// unreachable (or, following it, no heartbeat on `pub`).
int run_simulate(const SimulateArgs& args, const std::string& engine, const std::string& pub, int timeout_ms,
                 const client::CurveOptions& curve = {});

}  // namespace hallq::cli
