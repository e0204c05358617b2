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
  CLI::App* sub = app.add_subcommand("replay", "在模拟时间里回放大厅轨迹（tools/traces/FORMAT.md）");
  sub->add_option("--conf", args.conf, "大厅配置文件（TOML）")->type_name("文件")->required();
  sub->add_option("--trace", args.trace, "轨迹 CSV 文件")->type_name("文件")->required();
  sub->add_option("--out", args.out, "要写出的结果 CSV 文件")->type_name("文件")->required();
  sub->add_option("--policy", args.policy,
                  fmt::format("叫号策略（默认用配置里的）：{}", fmt::join(policy::policy_names(), "、")))
      ->type_name("策略");
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
        std::cerr << fmt::format("没有叫号策略 `{}`。可用的策略：{}\n", args.policy,
                                 fmt::join(policy::policy_names(), "、"));
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
    std::cerr << fmt::format("无法写入回放结果：{}\n", args.out);
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
               "回放结果：policy={} tickets={} called={} left={} mean_wait={:.2f}min p90={:.2f} max={:.1f} "
               "over_target={:.3f} | everyone: all_wait={:.2f}min unserved={} sl={:.3f} cpu={:.3f}s -> {}",
               policy_name, s.tickets, s.called, s.left, s.mean_min, s.p90_min, s.max_min, s.over_target,
               s.waited_all_min, s.unserved, s.served_in_target, result.cpu_seconds, args.out)
        << std::endl;
  }
  return 0;
}

}  // namespace hallq::cli
