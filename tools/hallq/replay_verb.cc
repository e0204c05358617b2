#include "tools/hallq/replay_verb.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "engine/config/config_loader.h"
#include "engine/policy/policy_registry.h"
#include "tools/replay/replay.h"
#include "tools/replay/trace.h"

namespace hallq::cli {

CLI::App* add_replay_verb(CLI::App& app, ReplayArgs& args) {
  CLI::App* sub =
      app.add_subcommand("replay", "replay a hall trace in simulated time (tools/traces/FORMAT.md)");
  sub->add_option("--conf", args.conf, "hall configuration (TOML)")->required();
  sub->add_option("--trace", args.trace, "trace CSV")->required();
  sub->add_option("--out", args.out, "results CSV to write")->required();
  sub->add_option(
      "--policy", args.policy,
      fmt::format("call policy (default: the config's): {}", fmt::join(policy::policy_names(), ", ")));
  return sub;
}

int run_replay(const ReplayArgs& args, bool json) {
  std::shared_ptr<core::HallConfig> config;
  replay::Trace trace;
  replay::ReplayOptions options;
  try {
    config = config::load_hall_config(args.conf);
    if (!args.policy.empty()) {
      options.policy = policy::find_policy(args.policy);
      if (options.policy == nullptr) {
        std::cerr << fmt::format("hallq replay: unknown policy \"{}\" (known: {})\n", args.policy,
                                 fmt::join(policy::policy_names(), ", "));
        return 2;
      }
    }
    trace = replay::load_trace(args.trace, *config);
  } catch (const std::exception& e) {  // ConfigError, TraceError
    std::cerr << "hallq replay: " << e.what() << "\n";
    return 2;
  }
  replay::ReplayResult result;
  try {
    result = replay::replay(config, trace, options);
  } catch (const std::exception& e) {
    std::cerr << "hallq replay: " << e.what() << "\n";
    return 1;
  }
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  if (out) replay::write_results_csv(out, result);
  out.close();
  if (!out) {
    std::cerr << fmt::format("hallq replay: {}: cannot write the results\n", args.out);
    return 2;
  }
  const replay::WaitSummary s = replay::summarize(result, config->wait_target_min);
  const std::string policy_name = options.policy ? std::string(options.policy->name()) : config->rules.policy;
  if (json) {
    std::cout << nlohmann::json{{"ok", true},
                                {"policy", policy_name},
                                {"tickets", s.tickets},
                                {"called", s.called},
                                {"left", s.left},
                                {"waited_all_min", s.waited_all_min},
                                {"unserved", s.unserved},
                                {"served_in_target", s.served_in_target},
                                {"mean_wait_min", s.mean_min},
                                {"p90_wait_min", s.p90_min},
                                {"max_wait_min", s.max_min},
                                {"over_target", s.over_target},
                                {"cpu_seconds", result.cpu_seconds},
                                {"out", args.out}}
                     .dump()
              << std::endl;
  } else {
    std::cout
        << fmt::format(
               "policy={} tickets={} called={} left={} mean_wait={:.2f}min p90={:.2f} max={:.1f} "
               "over_target={:.3f} | everyone: all_wait={:.2f}min unserved={} sl={:.3f} cpu={:.3f}s -> {}",
               policy_name, s.tickets, s.called, s.left, s.mean_min, s.p90_min, s.max_min, s.over_target,
               s.waited_all_min, s.unserved, s.served_in_target, result.cpu_seconds, args.out)
        << std::endl;
  }
  return 0;
}

}  // namespace hallq::cli
