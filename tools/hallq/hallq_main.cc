// hallq: the command line of a hall. Every verb of DESIGN.md's contract:
//   hallq [--engine EP] [--json] [--key FILE --server-key KEY_OR_FILE] VERB ...
// (global options also after the verb). Everything it says for people is
// Chinese (usage_text, event_text). A command naming a service or window is
// checked against the hall's config (a snapshot) before it is sent.
// Exit codes: 0 done, 1 refused (the engine's reason printed, or an unknown
// service or window id), 2 usage error, 3 engine unreachable within the timeout.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/core/booking.h"
#include "engine/core/calendar.h"
#include "engine/core/types.h"
#include "engine/core/utf8.h"
#include "engine/device/signals.h"
#include "engine/device/usage_text.h"
#include "engine/keys/curve_keys.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/time/system_clock.h"
#include "engine/view/hall_summary.h"
#include "engine/view/json_view.h"
#include "tools/hallq/appointments_verb.h"
#include "tools/hallq/backup_verb.h"
#include "tools/hallq/board_verb.h"
#include "tools/hallq/evaluations_verb.h"
#include "tools/hallq/event_text.h"
#include "tools/hallq/halls_verb.h"
#include "tools/hallq/keys_verb.h"
#include "tools/hallq/move_hall_verb.h"
#include "tools/hallq/replay_verb.h"
#include "tools/hallq/report_verb.h"
#include "tools/hallq/simulate_verb.h"

namespace hallq::cli {
namespace {

using json = nlohmann::json;

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;
constexpr int kUnreachable = 3;

struct Globals {
  std::string engine = "tcp://127.0.0.1:5570";
  std::string pub = "tcp://127.0.0.1:5571";
  bool json = false;
  int timeout_ms = 3000;
  client::CurveOptions curve;                        // from --key and --server-key
  const time::Clock* clock = &time::system_clock();  // the wall clock (summaries' waits)
};

json event_json(const protocol::EventSummary& e) { return view::to_json(e); }

int unreachable(const Globals& g) {
  const std::string msg = fmt::format("引擎 {} 在 {} 毫秒内没有应答", g.engine, g.timeout_ms);
  if (g.json) {
    std::cout << json{{"ok", false}, {"error", "unreachable"}, {"message", msg}}.dump() << std::endl;
  } else {
    std::cerr << "无法连接：" << msg << std::endl;
  }
  return kUnreachable;
}

int refused(const Globals& g, const protocol::DecodedReply& r) {
  if (g.json) {
    std::cout << json{{"ok", false}, {"error", core::to_string(r.code)}, {"message", r.message}}.dump()
              << std::endl;
  } else {
    std::cerr << "拒绝：" << r.message << "（" << core::to_string(r.code) << "）" << std::endl;
  }
  return kRefused;
}

client::Client make_client(zmq::context_t& ctx, const Globals& g) {
  client::ClientOptions o;
  o.attempts = 2;
  o.timeout = std::chrono::milliseconds(std::max(1, g.timeout_ms / o.attempts));
  o.curve = g.curve;
  return client::Client(ctx, g.engine, o);
}

std::optional<protocol::DecodedSnapshot> fetch_snapshot(const Globals& g, client::Client& c,
                                                        const std::string& hall, int& rc) {
  auto reply = c.snapshot(hall);
  if (!reply) {
    rc = unreachable(g);
    return std::nullopt;
  }
  if (!reply->ok()) {
    // An unknown hall, worded like an unknown service: the engine's halls
    // (from a ping) and the closest one.
    auto info = reply->code == core::ErrorCode::kUnknownHall && !g.json ? c.ping() : std::nullopt;
    if (info && info->ok() && info->engine) {
      std::cerr << device::unknown_id_text("大厅", hall, info->engine->halls, info->engine->halls)
                << std::flush;
      rc = kRefused;
    } else {
      rc = refused(g, *reply);
    }
    return std::nullopt;
  }
  protocol::DecodedSnapshot snap;
  if (protocol::inspect(protocol::as_bytes(reply->snapshot)) != protocol::MessageKind::kSnapshot ||
      !protocol::decode_snapshot(protocol::as_bytes(reply->snapshot), snap).ok()) {
    std::cerr << "引擎返回的快照无法解析" << std::endl;
    rc = kRefused;
    return std::nullopt;
  }
  return snap;
}

// The first service or window id in `cmd` that the hall does not have:
// {error code, Chinese text listing the valid ones}; nullopt if all are known.
std::optional<std::pair<std::string, std::string>> unknown_id(const core::HallConfig& c,
                                                              const core::CommandBody& cmd) {
  std::vector<std::string_view> services, windows;
  std::visit(
      [&](const auto& b) {
        if constexpr (requires { std::string_view(b.window); })
          if (!b.window.empty()) windows.push_back(b.window);  // Evaluate's is optional
        if constexpr (requires { std::string_view(b.service); }) services.push_back(b.service);
        if constexpr (requires { b.serves; })
          for (const auto& served : b.serves) services.push_back(served.first);
      },
      cmd);
  // The first of `typed` not in `items`, worded with all of them.
  auto first_unknown = [&](const std::vector<std::string_view>& typed, const auto& items, auto label,
                           const char* code,
                           std::string_view what) -> std::optional<std::pair<std::string, std::string>> {
    for (std::string_view id : typed) {
      if (std::any_of(items.begin(), items.end(), [&](const auto& item) { return item.id == id; })) continue;
      std::vector<std::string> ids, labels;
      for (const auto& item : items) {
        ids.push_back(item.id);
        labels.push_back(label(item.id));
      }
      return std::pair{std::string(code), device::unknown_id_text(what, id, ids, labels)};
    }
    return std::nullopt;
  };
  if (auto unknown = first_unknown(
          windows, c.windows, [&](std::string_view id) { return window_label(&c, id); }, "unknown_window",
          "窗口"))
    return unknown;
  return first_unknown(
      services, c.services, [&](std::string_view id) { return service_label(&c, id); }, "unknown_service",
      "事项");
}

// The hall's config is fetched first: the ids in `cmd` are checked against it
// before anything is sent, and the events are worded with its names.
int run_command(const Globals& g, const std::string& hall, const core::CommandBody& cmd,
                const std::string& request_id) {
  zmq::context_t ctx;
  client::Client c = make_client(ctx, g);
  int rc = kDone;
  const auto snap = fetch_snapshot(g, c, hall, rc);
  if (!snap) return rc;
  if (const auto unknown = unknown_id(*snap->config, cmd)) {
    if (g.json) {
      std::cout << json{{"ok", false}, {"error", unknown->first}, {"message", unknown->second}}.dump()
                << std::endl;
    } else {
      std::cerr << unknown->second << std::flush;
    }
    return kRefused;
  }
  auto reply = c.command(hall, cmd, request_id);
  if (!reply) return unreachable(g);
  if (!reply->ok()) return refused(g, *reply);

  json out = {{"ok", true}, {"hall", hall}, {"verb", core::verb(cmd)}, {"duplicate", reply->duplicate}};
  json events = json::array();
  std::vector<std::string> lines;
  for (const std::string& bytes : reply->events) {
    const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
    events.push_back(event_json(e));
    lines.push_back(describe(e, snap->config.get()));
    if (e.kind == "day_rolled") continue;
    if (!e.number.empty()) out["number"] = e.number;
    if (e.kind == "ticket_issued") {
      out["ticket"] = e.ticket;
      out["service"] = e.service;
      out["priority"] = e.priority;
      out["ahead"] = e.ahead;
      out["predicted_wait_s"] = e.predicted_wait_s;
    }
    if (!e.window.empty()) out["window"] = e.window;
    if (e.window_number) out["window_number"] = e.window_number;
    if (e.booking) out["code"] = e.booking;
    if (e.kind == "booking_made") {
      out["service"] = e.service;
      out["day"] = core::format_date(e.day);
      out["slot"] = core::format_slot_time(e.slot_min);
    }
  }
  out["events"] = events;
  if (g.json) {
    std::cout << out.dump() << std::endl;
  } else {
    for (const std::string& l : lines) std::cout << l << "\n";
    if (reply->duplicate) std::cout << "（重复请求：返回的是第一次的结果）\n";
    std::cout.flush();
  }
  return kDone;
}

std::string state_name(const std::string& s) {
  if (s == "idle") return "空闲";
  if (s == "busy") return "办理中";
  if (s == "paused") return "暂停服务";
  return "未开放";
}

int run_status(const Globals& g, const std::string& hall_id) {
  zmq::context_t ctx;
  client::Client c = make_client(ctx, g);
  int rc = kDone;
  auto snap = fetch_snapshot(g, c, hall_id, rc);
  if (!snap) return rc;
  // A replica of the hall as the snapshot has it; summarize() asks its predictor.
  core::Hall replica(snap->config, policy::find_policy(policy::kDefaultPolicy),
                     &predict::default_predictor());
  replica.import_state(std::move(snap->state));
  const view::HallSummary s = view::summarize(replica, g.clock->now_us());
  if (g.json) {
    std::cout << view::to_json(s).dump() << std::endl;
    return kDone;
  }
  std::cout << fmt::format("{} {}  共 {} 人等候  事件序号 {}\n\n", s.name, s.id, s.waiting, s.seq);
  // Each service and window with the id one types (issue, call, open ...).
  std::cout << core::pad_to_width("事项", 22) << core::pad_to_width("编号", 12)
            << core::pad_to_width("等候", 6) << core::pad_to_width("最久等待", 10)
            << core::pad_to_width("预计等待", 14) << "开放窗口\n";
  for (const auto& sv : s.services) {
    std::cout << core::pad_to_width(fmt::format("{}（{}）", sv.name, sv.prefix), 22)
              << core::pad_to_width(sv.id, 12) << core::pad_to_width(std::to_string(sv.waiting), 6)
              << core::pad_to_width(sv.waiting ? fmt::format("{}分", sv.longest_wait_s / 60) : "-", 10)
              << core::pad_to_width(sv.wait_text, 14) << sv.open_windows << "\n";
  }
  std::cout << "\n"
            << core::pad_to_width("窗口", 8) << core::pad_to_width("编号", 8)
            << core::pad_to_width("名称", 20) << core::pad_to_width("状态", 10)
            << core::pad_to_width("当前号", 8) << core::pad_to_width("工作人员", 16) << "今日办结\n";
  for (const auto& w : s.windows) {
    std::string staff = w.staff_name.empty() ? w.staff : fmt::format("{}({})", w.staff_name, w.staff);
    std::cout << core::pad_to_width(fmt::format("{}号", w.number), 8) << core::pad_to_width(w.id, 8)
              << core::pad_to_width(w.name, 20) << core::pad_to_width(state_name(w.state), 10)
              << core::pad_to_width(w.current.empty() ? "-" : w.current, 8)
              << core::pad_to_width(staff.empty() ? "-" : staff, 16) << w.served << "\n";
  }
  // Devices (a kiosk's printer ...) that are not ok, one line each.
  bool device_heading = false;
  for (const auto& d : s.devices) {
    if (d.ok) continue;
    if (!device_heading) std::cout << "\n";
    device_heading = true;
    std::cout << fmt::format(
        "设备异常：{}（{}）{}{}，{}\n", d.id, device_kind_name(d.kind), d.state_name,
        d.detail.empty() ? "" : fmt::format("（{}）", d.detail),
        d.since_s < 60 ? std::string("刚刚发生") : fmt::format("已 {} 分钟", d.since_s / 60));
  }
  for (const auto& a : s.advisories)
    std::cout << fmt::format("\n潮汐窗口建议 #{}：{}；{} 分钟内可接受：hallq accept {} {}\n", a.id, a.text,
                             (a.expires_in_s + 59) / 60, s.id, a.id);
  std::cout.flush();
  return kDone;
}

class WatchPrinter : public client::Subscriber::Listener {
 public:
  WatchPrinter(const Globals& g, int max_events) : g_(g), left_(max_events) {}

  void on_reset(const core::Hall& hall) override {
    const view::HallSummary s = view::summarize(hall, g_.clock->now_us());
    offset_min_ = hall.config().utc_offset_min;
    if (g_.json) {
      std::cout << json{{"kind", "synced"}, {"hall", s.id}, {"seq", s.seq}, {"waiting", s.waiting}}.dump()
                << std::endl;
    } else {
      std::cout << fmt::format("已同步 {}：事件序号 {}，{} 人等候", s.name, s.seq, s.waiting) << std::endl;
    }
  }
  void on_event(const core::Hall& hall, const protocol::DecodedEvent&, protocol::Bytes raw) override {
    const protocol::EventSummary e = protocol::describe_event(raw);
    if (g_.json) {
      std::cout << event_json(e).dump() << std::endl;
    } else {
      std::string text = describe(e, &hall.config());
      if (e.kind == "advisory_issued") {  // worded with names, as on status and the dashboard
        for (const view::AdvisorySummary& a : view::summarize(hall, e.time).advisories)
          if (a.id == e.advisory)
            text = fmt::format("潮汐窗口建议 #{}：{}（hallq accept {} {} 接受）", a.id, a.text,
                               hall.config().id, a.id);
      }
      std::cout << core::format_time_of_day(core::local_second_of_day(e.time, offset_min_)) << "  " << text
                << std::endl;
    }
    if (left_ > 0 && --left_ == 0) device::request_stop();
  }
  void on_connection(std::string_view hall, bool online) override {
    if (g_.json) {
      std::cout << json{{"kind", online ? "online" : "offline"}, {"hall", hall}}.dump() << std::endl;
    } else {
      std::cout << (online ? "已连接引擎" : "与引擎失去联系，正在重连……") << std::endl;
    }
  }

 private:
  const Globals& g_;
  int left_;
  int offset_min_ = 480;
};

int run_watch(const Globals& g, const std::string& hall, int max_events, double seconds) {
  zmq::context_t ctx;
  WatchPrinter printer(g, max_events);
  client::Subscriber sub(ctx, g.engine, g.pub, {hall}, &printer, {.curve = g.curve});
  device::install_stop_signals();  // Ctrl-C and SIGTERM end the loop: exit 0
  const auto start = std::chrono::steady_clock::now();
  // Without a first snapshot within the timeout the engine is unreachable.
  while (!device::stop_requested()) {
    sub.poll(std::chrono::milliseconds(200));
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!sub.hall(hall) && elapsed * 1000 > g.timeout_ms) return unreachable(g);
    if (seconds > 0 && elapsed >= seconds) break;
  }
  return kDone;
}

int run_ping(const Globals& g) {
  zmq::context_t ctx;
  client::Client c = make_client(ctx, g);
  auto reply = c.ping();
  if (!reply) return unreachable(g);
  if (!reply->ok() || !reply->engine) return refused(g, *reply);
  const protocol::EngineInfo& info = *reply->engine;
  if (g.json) {
    std::cout
        << json{{"ok", true}, {"epoch", info.epoch}, {"version", info.version}, {"halls", info.halls}}.dump()
        << std::endl;
  } else {
    std::cout << fmt::format("{}  运行标识 {:016x}  大厅：{}", info.version, info.epoch,
                             fmt::join(info.halls, "、"))
              << std::endl;
  }
  return kDone;
}

}  // namespace
}  // namespace hallq::cli

int main(int argc, char** argv) {
  using namespace hallq;
  using namespace hallq::cli;
  CLI::App app{"政务服务大厅的命令行：取号、叫号、窗口、大厅状态与维护"};
  device::use_chinese_help(app, "hallq");
  app.require_subcommand(1);
  app.fallthrough();  // global options (--json ...) also after the verb; the verbs inherit it
  Globals g;
  app.add_option("--engine", g.engine, "引擎的命令端点；多台引擎以逗号分隔，无应答时依次改试下一台")
      ->type_name("地址")
      ->capture_default_str();
  app.add_option("--pub", g.pub, "引擎的事件端点（watch、board 用）")
      ->type_name("地址")
      ->capture_default_str();
  app.add_flag("--json", g.json, "每个结果输出一个 JSON 对象（给程序读）");
  app.add_option("--timeout", g.timeout_ms, "等待引擎应答的毫秒数")->type_name("毫秒")->capture_default_str();
  std::string key_file, server_key;
  app.add_option("--key", key_file, "本机的 CURVE 私钥文件（hallq keys gen 生成），引擎启用 --keys 时使用")
      ->type_name("文件");
  app.add_option("--server-key", server_key, "引擎的 CURVE 公钥：40 个 Z85 字符，或它的 .pub 文件")
      ->type_name("公钥");

  std::string hall, window, service, number, staff, priority = "normal", request_id, ticket;
  int level = 0, count = 0;
  double seconds = 0;
  std::optional<core::CommandBody> command;

  auto add_hall = [&](CLI::App* sub) { device::add_hall_argument(sub, hall); };
  auto with_request_id = [&](CLI::App* sub) {
    sub->add_option("--request-id", request_id, "幂等键：用同一个键重试，命令只执行一次")->type_name("键");
  };
  auto window_verb = [&](const char* name, const char* help, auto make) {
    CLI::App* sub = app.add_subcommand(name, help);
    add_hall(sub);
    sub->add_option("window", window, "窗口编号，如 w5（hallq status 列出）")->type_name("窗口")->required();
    with_request_id(sub);
    sub->callback([&, make] { command = make(); });
    return sub;
  };
  auto number_verb = [&](const char* name, const char* help, auto make) {
    CLI::App* sub = app.add_subcommand(name, help);
    add_hall(sub);
    sub->add_option("number", number, "号码，如 A012")->type_name("号码")->required();
    with_request_id(sub);
    sub->callback([&, make] { command = make(); });
    return sub;
  };

  {
    CLI::App* sub = app.add_subcommand("issue", "取号");
    add_hall(sub);
    sub->add_option("service", service, "事项编号，如 social（hallq status 列出）")
        ->type_name("事项")
        ->required();
    sub->add_option("--priority", priority, "normal 普通 | priority 优先 | appointment 预约")
        ->type_name("类别")
        ->check(CLI::IsMember({"normal", "priority", "appointment"}))
        ->capture_default_str();
    with_request_id(sub);
    sub->callback([&] {
      core::Priority p = core::Priority::kNormal;
      core::parse(priority, p);
      command = core::IssueTicket{service, p};
    });
  }
  window_verb("open", "开窗，或在开着的窗口换人（AB 岗交接）",
              [&] {
                return core::CommandBody(core::OpenWindow{window, staff});
              })
      ->add_option("--staff", staff, "工号")
      ->type_name("工号");
  window_verb("close", "关窗（停止服务）", [&] { return core::CommandBody(core::CloseWindow{window}); });
  window_verb("pause", "暂停服务", [&] { return core::CommandBody(core::PauseWindow{window}); });
  window_verb("resume", "恢复暂停的窗口", [&] { return core::CommandBody(core::ResumeWindow{window}); });
  window_verb("call", "叫下一位，或叫指定的号",
              [&] {
                return ticket.empty() ? core::CommandBody(core::CallNext{window})
                                      : core::CommandBody(core::CallTicket{window, ticket});
              })
      ->add_option("--ticket", ticket, "叫这个号，而不是下一位")
      ->type_name("号码");
  window_verb("recall", "重呼当前的号", [&] { return core::CommandBody(core::Recall{window}); });
  window_verb("start", "群众已到窗口：开始办理",
              [&] { return core::CommandBody(core::StartService{window}); });
  window_verb("skip", "过号：叫号后未到", [&] { return core::CommandBody(core::SkipTicket{window}); });
  window_verb("hold", "挂起当前的号", [&] { return core::CommandBody(core::HoldTicket{window}); });
  std::string case_number, evaluation_comment, evaluation_date, evaluation_channel = "keypad";
  std::vector<std::string> evaluation_reasons;
  window_verb("finish", "办结当前的号",
              [&] {
                return core::CommandBody(core::Finish{window, case_number});
              })
      ->add_option("--case", case_number, "办件编号（本厅办件系统的编号，随好差评记录上报）")
      ->type_name("办件编号");
  {
    CLI::App* sub = window_verb("transfer", "转事项：当前的号改办另一个事项，号码不变", [&] {
      return core::CommandBody(core::Transfer{window, service});
    });
    sub->add_option("service", service, "转去的事项编号，如 tax")->type_name("事项")->required();
  }
  number_verb("reactivate", "回呼：过号的号重新排队",
              [&] { return core::CommandBody(core::Reactivate{number}); });
  number_verb("unhold", "挂起的号重新排队（排在最前）",
              [&] { return core::CommandBody(core::UnholdTicket{number}); });
  number_verb("cancel", "取消一个等候中的号", [&] { return core::CommandBody(core::Cancel{number}); });
  {
    CLI::App* sub = number_verb("evaluate", "评价办结的号：5 非常满意 … 1 非常不满意，0 未评价", [&] {
      core::Evaluate e{number, level, window};
      e.reasons.assign(evaluation_reasons.begin(), evaluation_reasons.end());
      e.comment = evaluation_comment;
      core::parse(evaluation_channel, e.channel);  // checked by the option
      if (!evaluation_date.empty()) {
        const std::optional<std::int64_t> day = core::parse_day(evaluation_date);
        if (!day) throw CLI::ValidationError("--date", "日期须为 YYYY-MM-DD：" + evaluation_date);
        e.day = *day;
      }
      return core::CommandBody(std::move(e));
    });
    sub->add_option("level", level, "1 到 5；0 表示未评价（评价器超时）")->type_name("评价等级")->required();
    sub->add_option("--window", window, "办理这个号的窗口（会核对）")->type_name("窗口");
    sub->add_option("--reason", evaluation_reasons, "差评原因的编码（1、2 级可选，可多次给出）")
        ->type_name("编码");
    sub->add_option("--comment", evaluation_comment, "意见（1、2 级，至多 200 字）")->type_name("文字");
    sub->add_option("--channel", evaluation_channel, "评价渠道：keypad、phone、tablet、terminal")
        ->check(CLI::IsMember({"keypad", "phone", "tablet", "terminal"}))
        ->type_name("渠道");
    sub->add_option("--date", evaluation_date, "补充评价：号所在的日期 YYYY-MM-DD（默认今天）")
        ->type_name("日期");
  }
  std::vector<std::string> serves_args;
  std::uint32_t advisory_id = 0;
  {
    CLI::App* sub = app.add_subcommand("skills", "即时调整窗口办理的事项（潮汐窗口）");
    add_hall(sub);
    sub->add_option("window", window, "窗口编号，如 w5")->type_name("窗口")->required();
    sub->add_option("serves", serves_args, "事项=级别 …（级别 1 为本窗口主办，2 及以上为后备）")
        ->type_name("事项=级别")
        ->required();
    with_request_id(sub);
    sub->callback([&] {
      core::SetWindowSkills c{window, {}};
      for (const std::string& a : serves_args) {
        const auto eq = a.find('=');
        int level = 0;
        if (eq == std::string::npos || eq == 0 ||
            std::from_chars(a.data() + eq + 1, a.data() + a.size(), level).ec != std::errc())
          throw CLI::ValidationError("serves", fmt::format("应写成 事项=级别，如 social=1，而不是 `{}`", a));
        c.serves.emplace_back(std::string_view(a).substr(0, eq), level);
      }
      command = std::move(c);
    });
  }
  {
    CLI::App* sub = app.add_subcommand("accept", "接受潮汐窗口建议");
    add_hall(sub);
    sub->add_option("advisory", advisory_id, "建议编号，见建议事件或 hallq status")
        ->type_name("建议编号")
        ->required();
    sub->add_option("--staff", staff, "工号：建议开启一个关着的窗口时填写")->type_name("工号");
    with_request_id(sub);
    sub->callback([&] { command = core::AcceptAdvisory{advisory_id, staff}; });
  }
  std::string notice_text;
  {
    CLI::App* sub = app.add_subcommand("notice", "在大厅屏幕上发布通知；\"\" 撤下通知");
    add_hall(sub);
    sub->add_option("text", notice_text, "通知内容，最多 200 个汉字")->type_name("通知")->required();
    with_request_id(sub);
    sub->callback([&] { command = core::SetNotice{notice_text}; });
  }
  std::string device_id, device_state, device_kind = "printer", device_detail;
  {
    CLI::App* sub =
        app.add_subcommand("device", "记录大厅设备的状态，如取号机打印机已修好（取号机会自己报告）");
    add_hall(sub);
    sub->add_option("device", device_id, "设备编号，见 hallq status（如 kiosk-town）")
        ->type_name("设备")
        ->required();
    sub->add_option("state", device_state,
                    "ok 正常 | paper_low 纸将尽 | paper_out 缺纸 | cover_open 盖未关 | offline 故障 | "
                    "unreachable 无法连接")
        ->type_name("状态")
        ->required();
    sub->add_option("--kind", device_kind, "设备类型")->type_name("类型")->capture_default_str();
    sub->add_option("--detail", device_detail, "故障说明，给管理人员看")->type_name("说明");
    with_request_id(sub);
    sub->callback([&] {
      core::DeviceState state = core::DeviceState::kOk;
      if (!core::parse(device_state, state))
        throw CLI::ValidationError(
            "state",
            fmt::format("没有状态 `{}`，可选：ok、paper_low、paper_out、cover_open、offline、unreachable",
                        device_state));
      command = core::ReportDevice{device_id, device_kind, state, device_detail};
    });
  }
  {
    CLI::App* sub = app.add_subcommand("move", "调岗：工作人员换到另一个窗口（原窗口关闭，新窗口开启）");
    add_hall(sub);
    sub->add_option("staff", staff, "工号")->type_name("工号")->required();
    sub->add_option("window", window, "要去的窗口编号，如 w8")->type_name("窗口")->required();
    with_request_id(sub);
    sub->callback([&] { command = core::MoveStaff{staff, window}; });
  }
  CLI::App* status = app.add_subcommand("status", "大厅状态：各事项的等候与预计等待，各窗口的当前号");
  add_hall(status);
  CLI::App* watch = app.add_subcommand("watch", "实时显示大厅的事件");
  add_hall(watch);
  watch->add_option("--count", count, "收到这么多个事件后退出")->type_name("个数");
  watch->add_option("--seconds", seconds, "这么多秒后退出")->type_name("秒");
  CLI::App* ping = app.add_subcommand("ping", "询问引擎的版本和它的大厅");
  ReplayArgs replay_args;
  CLI::App* replay = add_replay_verb(app, replay_args);
  SimulateArgs simulate_args;
  CLI::App* simulate = add_simulate_verb(app, simulate_args);
  BoardArgs board_args;
  CLI::App* board = add_board_verb(app, board_args);
  BackupArgs backup_args;
  CLI::App* backup = add_backup_verb(app, backup_args);
  ReportArgs report_args;
  CLI::App* report = add_report_verb(app, report_args);
  KeysArgs keys_args;
  CLI::App* keys_verb = add_keys_verb(app, keys_args);
  HallsArgs halls_args;
  CLI::App* halls_verb = add_halls_verb(app, halls_args);
  MoveHallArgs move_hall_args;
  CLI::App* move_hall_verb = add_move_hall_verb(app, move_hall_args);
  EvaluationsArgs evaluations_args;
  CLI::App* evaluations = add_evaluations_verb(app, evaluations_args);
  AppointmentsArgs appointments_args;
  add_appointments_verbs(app, appointments_args, hall, command, *g.clock);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help() << std::flush;
    return kDone;
  } catch (const CLI::ParseError& e) {
    std::cerr << device::usage_error(app, e) << std::flush;
    return kUsage;
  }
  if (key_file.empty() != server_key.empty()) {
    std::cerr << "--key 和 --server-key 要一起给出（CURVE 加密两者都需要）\n";
    return kUsage;
  }
  if (!key_file.empty()) {
    try {
      const keys::CurveKeyPair own = keys::read_secret_key_file(key_file);
      g.curve = {keys::read_public_key(server_key), own.public_key, own.secret_key};
    } catch (const std::exception& e) {
      std::cerr << "密钥无法读取：" << e.what() << "\n";
      return kUsage;
    }
  }
  try {
    if (keys_verb->parsed()) return run_keys(keys_args, g.json);
    if (command) return run_command(g, hall, *command, request_id);
    if (appointments_args.list->parsed())
      return run_appointments_list(appointments_args, hall, g.engine, g.timeout_ms, g.curve, g.json,
                                   *g.clock);
    if (appointments_args.import_csv->parsed())
      return run_appointments_import(appointments_args, hall, g.engine, g.timeout_ms, g.curve, g.json,
                                     *g.clock);
    if (status->parsed()) return run_status(g, hall);
    if (watch->parsed()) return run_watch(g, hall, count, seconds);
    if (ping->parsed()) return run_ping(g);
    if (replay->parsed()) return run_replay(replay_args, g.json);
    if (simulate->parsed()) return run_simulate(simulate_args, g.engine, g.pub, g.timeout_ms, g.curve);
    if (board->parsed()) return run_board(board_args, g.engine, g.pub, *g.clock, g.curve);
    if (backup->parsed()) return run_backup(backup_args, g.json);
    if (halls_verb->parsed()) return run_halls(halls_args, g.json);
    if (move_hall_verb->parsed()) return run_move_hall(move_hall_args, g.json);
    if (report->parsed()) return run_report(report_args, g.json, *g.clock);
    if (evaluations->parsed()) return run_evaluations(evaluations_args);
  } catch (const std::exception& e) {
    std::cerr << "出错：" << e.what() << std::endl;
    return kUsage;
  }
  return kUsage;
}
