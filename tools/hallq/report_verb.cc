#include "tools/hallq/report_verb.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/config/config_loader.h"
#include "engine/config/data_dir.h"
#include "engine/core/calendar.h"
#include "engine/device/usage_text.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/stats/history.h"
#include "engine/stats/report_tables.h"
#include "engine/stats/stats_json.h"
#include "engine/store/event_store.h"

namespace hallq::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr int kDone = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr std::int64_t kMaxDays = 366;

int fail(int code, const std::string& message) {
  std::cerr << "hallq report: " << message << std::endl;
  return code;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::shared_ptr<const core::HallConfig> config_from_snapshot(const store::EventStore& store,
                                                             const std::string& hall) {
  const auto snap = store.latest_snapshot(hall);
  if (!snap) return nullptr;
  const protocol::Bytes bytes = protocol::as_bytes(snap->bytes);
  protocol::DecodedSnapshot decoded;
  if (protocol::inspect(bytes) != protocol::MessageKind::kSnapshot ||
      !protocol::decode_snapshot(bytes, decoded).ok())
    return nullptr;
  return decoded.config;
}

namespace {

std::string local_now_text(const core::HallConfig& hall, const time::Clock& wall) {
  const core::TimeUs now = wall.now_us();
  const int s = hall.local_second_of_day(now);
  return fmt::format("{} {:02}:{:02}", core::format_date(hall.local_day(now)), s / 3600, s / 60 % 60);
}

std::string title_of(std::int64_t from, std::int64_t to, stats::Period by) {
  if (from == to) return "服务大厅运行日报";
  const bool whole_month = core::month_of_day(from) == core::month_of_day(to) &&
                           core::first_day_of_month(core::month_of_day(from)) == from &&
                           core::month_of_day(to + 1) != core::month_of_day(to);
  if (whole_month || by == stats::Period::kMonth) return "服务大厅运行月报";
  return "服务大厅运行报告";
}

}  // namespace

CLI::App* add_report_verb(CLI::App& app, ReportArgs& args) {
  CLI::App* sub = app.add_subcommand("report", "从事件历史生成运行日报或月报");
  device::add_hall_argument(sub, args.hall);
  sub->add_option("--data", args.data, "数据目录（hallqd --data）")->type_name("目录")->required();
  sub->add_option("--from", args.from, "第一天，YYYY-MM-DD（大厅当地日期）")->type_name("日期")->required();
  sub->add_option("--to", args.to, "最后一天，YYYY-MM-DD（含）")->type_name("日期")->required();
  sub->add_option("--out", args.out, "输出目录（默认 report-大厅-起-止）")->type_name("目录");
  sub->add_option("--by", args.by, "by_day.csv 的行：day 按日 | month 按月")
      ->type_name("粒度")
      ->check(CLI::IsMember({"day", "month"}));
  sub->add_option("--conf", args.conf, "大厅配置文件（默认取数据中最近的快照）")->type_name("文件");
  return sub;
}

int run_report(const ReportArgs& args, bool json_out, const time::Clock& wall) {
  const auto started = std::chrono::steady_clock::now();
  // 1. Arguments, before touching anything.
  const auto from = core::parse_day(args.from);
  const auto to = core::parse_day(args.to);
  if (!from)
    return fail(kUsage, fmt::format("--from {}：日期格式应为 YYYY-MM-DD（如 2026-01-05）", args.from));
  if (!to) return fail(kUsage, fmt::format("--to {}：日期格式应为 YYYY-MM-DD（如 2026-01-31）", args.to));
  if (*from > *to) return fail(kUsage, fmt::format("--from {} 晚于 --to {}", args.from, args.to));
  if (*to - *from + 1 > kMaxDays)
    return fail(kUsage, fmt::format("统计区间 {} 天，超过上限 {} 天", *to - *from + 1, kMaxDays));
  const stats::Period by = args.by == "month" ? stats::Period::kMonth : stats::Period::kDay;

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

  const std::string chart_path = config::chart_js();
  const auto chart_js = read_file(chart_path);
  if (!chart_js || chart_js->empty())
    return fail(kFailed,
                fmt::format("找不到图表库 Chart.js（{}）：请先构建 hallq_web_deps（npm ci）", chart_path));

  // 2. The store, read-only.
  try {
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

    // 3. Statistics and documents, all in memory.
    const stats::HistoryResult history =
        stats::read_history(store, config, {.first_day = *from, .last_day = *to, .period = by});
    const stats::Stats& st = history.stats;
    const std::string range_label =
        *from == *to ? args.from : fmt::format("{} 至 {}", core::format_date(*from), core::format_date(*to));
    const std::vector<std::pair<std::string, std::string>> files = {
        {"by_service.csv", stats::csv_by_service(st, *config)},
        {"by_window.csv", stats::csv_by_window(st, *config)},
        {"by_staff.csv", stats::csv_by_staff(st, *config)},
        {"by_day.csv", stats::csv_by_period(st)},
        {"report.html", stats::render_html(st, *config,
                                           {.title = title_of(*from, *to, by),
                                            .range_label = range_label,
                                            .generated_at = local_now_text(*config, wall),
                                            .chart_js = *chart_js})},
    };

    // 4. Write: each file under a temporary name, then all renamed.
    const std::string out_dir =
        args.out.empty() ? fmt::format("report-{}-{}-{}", args.hall, args.from, args.to) : args.out;
    const bool created = !fs::exists(out_dir);
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) return fail(kFailed, fmt::format("无法创建输出目录 {}：{}", out_dir, ec.message()));
    auto cleanup = [&] {
      for (const auto& [name, _] : files) fs::remove(fs::path(out_dir) / (name + ".tmp"), ec);
      if (created) fs::remove(out_dir, ec);
    };
    for (const auto& [name, content] : files) {
      std::ofstream f(fs::path(out_dir) / (name + ".tmp"), std::ios::binary | std::ios::trunc);
      f << content;
      f.close();
      if (!f) {
        cleanup();
        return fail(kFailed, fmt::format("无法写入 {}/{}", out_dir, name));
      }
    }
    for (const auto& [name, _] : files)
      fs::rename(fs::path(out_dir) / (name + ".tmp"), fs::path(out_dir) / name);

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (json_out) {
      json out = stats::stats_json(st, *config);
      json files_json = json::array();
      for (const auto& [name, _] : files) files_json.push_back((fs::path(out_dir) / name).string());
      std::cout << json{{"ok", true},
                        {"hall", args.hall},
                        {"from", args.from},
                        {"to", args.to},
                        {"out", out_dir},
                        {"files", files_json},
                        {"events", history.events_read},
                        {"seconds", seconds},
                        {"total", out["total"]},
                        {"services", out["services"]},
                        {"windows", out["windows"]},
                        {"staff", out["staff"]},
                        {"periods", out["periods"]}}
                       .dump()
                << std::endl;
    } else {
      const stats::Figures& t = st.total.hall;
      auto pct = [](double v) { return std::isnan(v) ? std::string("—") : fmt::format("{:.1f}%", v * 100); };
      std::cout << fmt::format(
                       "{} {}（{}）：取号 {}，办结 {}，平均等待 {:.1f} 分，满意率 {}，差评 {}，"
                       "回访率 {}，整改率 {}，逾期工单 {}\n",
                       config->name, title_of(*from, *to, by), range_label, t.issued, t.served,
                       std::isnan(t.wait_mean_min) ? 0.0 : t.wait_mean_min, pct(t.satisfaction), t.bad,
                       pct(t.callback_rate), pct(t.rectify_rate), t.overdue)
                << fmt::format("已写入 {}/（report.html 与 4 个 CSV），读取 {} 个事件，用时 {:.3f} 秒",
                               out_dir, history.events_read, seconds)
                << std::endl;
    }
    return kDone;
  } catch (const store::StoreError& e) {
    return fail(kFailed, fmt::format("{} 不是可读的 hallq 数据目录：{}", args.data, e.what()));
  } catch (const std::exception& e) {
    return fail(kFailed, e.what());
  }
}

}  // namespace hallq::cli
