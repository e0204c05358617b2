#include "tools/hallq/evaluations_verb.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "engine/config/config_loader.h"
#include "engine/core/calendar.h"
#include "engine/device/usage_text.h"
#include "engine/stats/evaluation_csv.h"
#include "engine/stats/evaluation_log.h"
#include "engine/store/event_store.h"
#include "tools/hallq/report_verb.h"

namespace hallq::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kDone = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

int fail(int code, const std::string& message) {
  std::cerr << "hallq evaluations: " << message << std::endl;
  return code;
}

}  // namespace

CLI::App* add_evaluations_verb(CLI::App& app, EvaluationsArgs& args) {
  CLI::App* sub = app.add_subcommand("evaluations", "导出好差评记录（Excel 可打开的 CSV，供手工上报）");
  device::add_hall_argument(sub, args.hall);
  sub->add_option("--data", args.data, "数据目录（hallqd --data）")->type_name("目录")->required();
  sub->add_option("--from", args.from, "评价的第一天，YYYY-MM-DD（大厅当地日期）")
      ->type_name("日期")
      ->required();
  sub->add_option("--to", args.to, "评价的最后一天，YYYY-MM-DD（含）")->type_name("日期")->required();
  sub->add_option("--csv", args.csv, "写入这个文件（默认输出到标准输出）")->type_name("文件");
  sub->add_option("--conf", args.conf, "大厅配置文件（默认取数据中最近的快照）")->type_name("文件");
  return sub;
}

int run_evaluations(const EvaluationsArgs& args) {
  const auto from = core::parse_day(args.from);
  const auto to = core::parse_day(args.to);
  if (!from)
    return fail(kUsage, fmt::format("--from {}：日期格式应为 YYYY-MM-DD（如 2026-01-05）", args.from));
  if (!to) return fail(kUsage, fmt::format("--to {}：日期格式应为 YYYY-MM-DD（如 2026-01-31）", args.to));
  if (*from > *to) return fail(kUsage, fmt::format("--from {} 晚于 --to {}", args.from, args.to));

  std::shared_ptr<const core::HallConfig> config;
  if (!args.conf.empty()) {
    try {
      config = config::load_hall_config(args.conf);
    } catch (const config::ConfigError& e) {
      return fail(kUsage, e.what());
    }
    if (config->id != args.hall)
      return fail(kUsage, fmt::format("{} 是大厅 {} 的配置，不是 {}", args.conf, config->id, args.hall));
  }
  if (!fs::is_directory(args.data)) return fail(kFailed, fmt::format("数据目录 {} 不存在", args.data));
  store::EventStore store({.dir = args.data, .read_only = true});
  const auto halls = store.halls();
  if (std::find(halls.begin(), halls.end(), args.hall) == halls.end())
    return fail(kFailed, fmt::format("数据目录 {} 中没有大厅 {} 的记录（有：{}）", args.data, args.hall,
                                     fmt::join(halls, ", ")));
  if (!config) config = config_from_snapshot(store, args.hall);
  if (!config)
    return fail(kFailed,
                fmt::format("数据目录中没有大厅 {} 的快照：请用 --conf 指定大厅配置文件", args.hall));

  const std::string csv = stats::evaluation_csv(stats::read_records_between(store, config, *from, *to));
  if (args.csv.empty()) {
    std::cout << csv << std::flush;
    return kDone;
  }
  const std::string tmp = args.csv + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << csv;
    f.close();
    if (!f) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return fail(kFailed, fmt::format("无法写入 {}", args.csv));
    }
  }
  std::error_code ec;
  fs::rename(tmp, args.csv, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return fail(kFailed, fmt::format("无法写入 {}：{}", args.csv, ec.message()));
  }
  return kDone;
}

}  // namespace hallq::cli
