// hallq: the command line of a hall. Every verb of DESIGN.md's contract:
//   hallq [--engine EP] [--json] [--key FILE --server-key KEY_OR_FILE] VERB ...
// Exit codes: 0 done, 1 refused (the engine's reason printed), 2 usage error,
// 3 engine unreachable within the timeout.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/core/calendar.h"
#include "engine/core/types.h"
#include "engine/device/signals.h"
#include "engine/keys/curve_keys.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/time/system_clock.h"
#include "engine/view/hall_summary.h"
#include "engine/view/json_view.h"
#include "tools/hallq/backup_verb.h"
#include "tools/hallq/board_verb.h"
#include "tools/hallq/event_text.h"
#include "tools/hallq/keys_verb.h"
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

int run_command(const Globals& g, const std::string& hall, const core::CommandBody& cmd,
                const std::string& request_id) {
  zmq::context_t ctx;
  client::Client c = make_client(ctx, g);
  auto reply = c.command(hall, cmd, request_id);
  if (!reply) return unreachable(g);
  if (!reply->ok()) return refused(g, *reply);

  json out = {{"ok", true}, {"hall", hall}, {"verb", core::verb(cmd)}, {"duplicate", reply->duplicate}};
  json events = json::array();
  std::vector<std::string> lines;
  for (const std::string& bytes : reply->events) {
    const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
    events.push_back(event_json(e));
    lines.push_back(describe(e));
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

std::optional<protocol::DecodedSnapshot> fetch_snapshot(const Globals& g, const std::string& hall, int& rc) {
  zmq::context_t ctx;
  client::Client c = make_client(ctx, g);
  auto reply = c.snapshot(hall);
  if (!reply) {
    rc = unreachable(g);
    return std::nullopt;
  }
  if (!reply->ok()) {
    rc = refused(g, *reply);
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

std::string state_name(const std::string& s) {
  if (s == "idle") return "空闲";
  if (s == "busy") return "办理中";
  if (s == "paused") return "暂停服务";
  return "未开放";
}

// "printer" -> "打印机"; other kinds as they are.
std::string device_kind_name(const std::string& kind) { return kind == "printer" ? "打印机" : kind; }

int run_status(const Globals& g, const std::string& hall_id) {
  int rc = kDone;
  auto snap = fetch_snapshot(g, hall_id, rc);
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
  std::cout << fmt::format("{}（{}）  共 {} 人等候  事件序号 {}\n\n", s.name, s.id, s.waiting, s.seq);
  std::cout << pad("事项", 22) << pad("等候", 6) << pad("最久等待", 10) << pad("预计等待", 14)
            << "开放窗口\n";
  for (const auto& sv : s.services) {
    std::cout << pad(fmt::format("{}（{}）", sv.name, sv.prefix), 22) << pad(std::to_string(sv.waiting), 6)
              << pad(sv.waiting ? fmt::format("{}分", sv.longest_wait_s / 60) : "-", 10)
              << pad(wait_text(sv.predicted_wait_s), 14) << sv.open_windows << "\n";
  }
  std::cout << "\n"
            << pad("窗口", 8) << pad("名称", 20) << pad("状态", 10) << pad("当前号", 8) << pad("工作人员", 16)
            << "今日办结\n";
  for (const auto& w : s.windows) {
    std::string staff = w.staff_name.empty() ? w.staff : fmt::format("{}({})", w.staff_name, w.staff);
    std::cout << pad(fmt::format("{}号", w.number), 8) << pad(w.name, 20) << pad(state_name(w.state), 10)
              << pad(w.current.empty() ? "-" : w.current, 8) << pad(staff.empty() ? "-" : staff, 16)
              << w.served << "\n";
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
  for (const auto& a : s.advisories) {
    std::string serves;
    for (const auto& [id, level] : a.serves)
      serves += fmt::format("{}{}={}", serves.empty() ? "" : " ", id, level);
    std::cout << fmt::format(
        "\n潮汐窗口建议 #{}：{} {} 号窗口（{}），{} 预计等待 {} → {}；{} 分钟内可接受：hallq accept {} {}\n",
        a.id, a.action == "open" ? "开启" : "借调", a.window_number, serves, a.service,
        a.wait_before_s < 0 ? std::string("暂无窗口") : wait_text(a.wait_before_s), wait_text(a.wait_after_s),
        (a.expires_in_s + 59) / 60, s.id, a.id);
  }
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
  void on_event(const core::Hall&, const protocol::DecodedEvent&, protocol::Bytes raw) override {
    const protocol::EventSummary e = protocol::describe_event(raw);
    if (g_.json) {
      std::cout << event_json(e).dump() << std::endl;
    } else {
      std::cout << core::format_time_of_day(core::local_second_of_day(e.time, offset_min_)) << "  "
                << describe(e) << std::endl;
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
  CLI::App app{"hallq: command line of a hallq service hall"};
  app.require_subcommand(1);
  Globals g;
  app.add_option("--engine", g.engine, "engine command endpoint")->capture_default_str();
  app.add_option("--pub", g.pub, "engine event endpoint (watch)")->capture_default_str();
  app.add_flag("--json", g.json, "print one JSON object per result");
  app.add_option("--timeout", g.timeout_ms, "milliseconds to wait for the engine")->capture_default_str();
  std::string key_file, server_key;
  app.add_option("--key", key_file,
                 "this device's CURVE secret key file (hallq keys gen), for an engine with --keys");
  app.add_option("--server-key", server_key,
                 "the engine's CURVE public key: 40 Z85 characters or its .pub file");
  KeysArgs keys_args;
  CLI::App* keys_gen = add_keys_verb(app, keys_args);

  std::string hall, window, service, number, staff, priority = "normal", request_id, ticket;
  int level = 0, count = 0;
  double seconds = 0;
  std::optional<core::CommandBody> command;

  auto with_request_id = [&](CLI::App* sub) {
    sub->add_option("--request-id", request_id, "idempotency key: a retry with the same id is applied once");
  };
  auto window_verb = [&](const char* name, const char* help, auto make) {
    CLI::App* sub = app.add_subcommand(name, help);
    sub->add_option("hall", hall, "hall id")->required();
    sub->add_option("window", window, "window id")->required();
    with_request_id(sub);
    sub->callback([&, make] { command = make(); });
    return sub;
  };
  auto number_verb = [&](const char* name, const char* help, auto make) {
    CLI::App* sub = app.add_subcommand(name, help);
    sub->add_option("hall", hall, "hall id")->required();
    sub->add_option("number", number, "ticket number, e.g. A012")->required();
    with_request_id(sub);
    sub->callback([&, make] { command = make(); });
    return sub;
  };

  {
    CLI::App* sub = app.add_subcommand("issue", "issue a ticket (取号)");
    sub->add_option("hall", hall, "hall id")->required();
    sub->add_option("service", service, "service id")->required();
    sub->add_option("--priority", priority, "normal | priority | appointment")
        ->check(CLI::IsMember({"normal", "priority", "appointment"}));
    with_request_id(sub);
    sub->callback([&] {
      core::Priority p = core::Priority::kNormal;
      core::parse(priority, p);
      command = core::IssueTicket{service, p};
    });
  }
  window_verb("open", "open a window, or hand it over to another staff (开窗 / AB岗交接)", [&] {
    return core::CommandBody(core::OpenWindow{window, staff});
  })->add_option("--staff", staff, "staff id");
  window_verb("close", "close a window (停止服务)",
              [&] { return core::CommandBody(core::CloseWindow{window}); });
  window_verb("pause", "pause a window (暂停服务)",
              [&] { return core::CommandBody(core::PauseWindow{window}); });
  window_verb("resume", "resume a paused window (恢复服务)",
              [&] { return core::CommandBody(core::ResumeWindow{window}); });
  window_verb("call", "call the next ticket, or a given one (叫号)", [&] {
    return ticket.empty() ? core::CommandBody(core::CallNext{window})
                          : core::CommandBody(core::CallTicket{window, ticket});
  })->add_option("--ticket", ticket, "call this ticket number instead of the next");
  window_verb("recall", "call the current ticket again (重呼)",
              [&] { return core::CommandBody(core::Recall{window}); });
  window_verb("start", "the citizen is at the counter (开始办理)",
              [&] { return core::CommandBody(core::StartService{window}); });
  window_verb("skip", "the citizen did not come (过号)",
              [&] { return core::CommandBody(core::SkipTicket{window}); });
  window_verb("hold", "set the current ticket aside (挂起)",
              [&] { return core::CommandBody(core::HoldTicket{window}); });
  window_verb("finish", "finish the current ticket (办结)",
              [&] { return core::CommandBody(core::Finish{window}); });
  {
    CLI::App* sub =
        window_verb("transfer", "send the current ticket to another service, same number (转事项)", [&] {
          return core::CommandBody(core::Transfer{window, service});
        });
    sub->add_option("service", service, "the new service id")->required();
  }
  number_verb("reactivate", "put a no-show back in the queue (回呼)",
              [&] { return core::CommandBody(core::Reactivate{number}); });
  number_verb("unhold", "put a held ticket back in the queue (恢复排队)",
              [&] { return core::CommandBody(core::UnholdTicket{number}); });
  number_verb("cancel", "cancel a waiting ticket (取消)",
              [&] { return core::CommandBody(core::Cancel{number}); });
  {
    CLI::App* sub =
        number_verb("evaluate", "rate a finished ticket, 5 非常满意 … 1 非常不满意, 0 未评价 (评价)", [&] {
          return core::CommandBody(core::Evaluate{number, level, window});
        });
    sub->add_option("level", level, "1..5, or 0: not rated (the keypad's time ran out)")->required();
    sub->add_option("--window", window, "the window that served it (checked)");
  }
  std::vector<std::string> serves_args;
  std::uint32_t advisory_id = 0;
  {
    CLI::App* sub = app.add_subcommand("skills", "change what a window serves, live (潮汐窗口)");
    sub->add_option("hall", hall, "hall id")->required();
    sub->add_option("window", window, "window id")->required();
    sub->add_option("serves", serves_args, "service=level ... (level 1 = its own, 2.. later resort)")
        ->required();
    with_request_id(sub);
    sub->callback([&] {
      core::SetWindowSkills c{window, {}};
      for (const std::string& a : serves_args) {
        const auto eq = a.find('=');
        int level = 0;
        if (eq == std::string::npos || eq == 0 ||
            std::from_chars(a.data() + eq + 1, a.data() + a.size(), level).ec != std::errc())
          throw CLI::ValidationError("serves", "expected service=level, got " + a);
        c.serves.emplace_back(std::string_view(a).substr(0, eq), level);
      }
      command = std::move(c);
    });
  }
  {
    CLI::App* sub = app.add_subcommand("accept", "accept a tidal-window advisory (接受潮汐窗口建议)");
    sub->add_option("hall", hall, "hall id")->required();
    sub->add_option("advisory", advisory_id, "advisory number, as in the advisory event or `hallq status`")
        ->required();
    sub->add_option("--staff", staff, "staff id, when the advisory opens a closed window");
    with_request_id(sub);
    sub->callback([&] { command = core::AcceptAdvisory{advisory_id, staff}; });
  }
  std::string notice_text;
  {
    CLI::App* sub =
        app.add_subcommand("notice", "show a notice on the hall's screens; \"\" withdraws it (发布通知)");
    sub->add_option("hall", hall, "hall id")->required();
    sub->add_option("text", notice_text, "the notice, at most 200 Chinese characters")->required();
    with_request_id(sub);
    sub->callback([&] { command = core::SetNotice{notice_text}; });
  }
  std::string device_id, device_state, device_kind = "printer", device_detail;
  {
    CLI::App* sub = app.add_subcommand(
        "device",
        "record a hall device's state, e.g. a kiosk printer repaired (设备状态; kiosks report their own)");
    sub->add_option("hall", hall, "hall id")->required();
    sub->add_option("device", device_id, "device id, as in `hallq status` (e.g. kiosk-town)")->required();
    sub->add_option("state", device_state, "ok | paper_low | paper_out | cover_open | offline | unreachable")
        ->required();
    sub->add_option("--kind", device_kind, "what the device is (default printer)");
    sub->add_option("--detail", device_detail, "what is wrong, for the managers");
    with_request_id(sub);
    sub->callback([&] {
      core::DeviceState state = core::DeviceState::kOk;
      if (!core::parse(device_state, state))
        throw CLI::ValidationError(
            "state",
            "expected ok, paper_low, paper_out, cover_open, offline or unreachable, got " + device_state);
      command = core::ReportDevice{device_id, device_kind, state, device_detail};
    });
  }
  {
    CLI::App* sub = app.add_subcommand(
        "move", "move a staff member to another window: theirs closes, that one opens (调岗)");
    sub->add_option("hall", hall, "hall id")->required();
    sub->add_option("staff", staff, "staff id")->required();
    sub->add_option("window", window, "the window to move to")->required();
    with_request_id(sub);
    sub->callback([&] { command = core::MoveStaff{staff, window}; });
  }
  CLI::App* status = app.add_subcommand("status", "windows, current numbers and waiting per service");
  status->add_option("hall", hall, "hall id")->required();
  CLI::App* watch = app.add_subcommand("watch", "print the hall's events as they happen");
  watch->add_option("hall", hall, "hall id")->required();
  watch->add_option("--count", count, "exit after this many events");
  watch->add_option("--seconds", seconds, "exit after this many seconds");
  CLI::App* ping = app.add_subcommand("ping", "ask the engine who it is");
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kDone : kUsage;
  }
  if (key_file.empty() != server_key.empty()) {
    std::cerr << "hallq: --key and --server-key go together (CURVE needs both)\n";
    return kUsage;
  }
  if (!key_file.empty()) {
    try {
      const keys::CurveKeyPair own = keys::read_secret_key_file(key_file);
      g.curve = {keys::read_public_key(server_key), own.public_key, own.secret_key};
    } catch (const std::exception& e) {
      std::cerr << "hallq: " << e.what() << "\n";
      return kUsage;
    }
  }
  try {
    if (keys_gen->parsed()) return run_keys_gen(keys_args, g.json);
    if (command) return run_command(g, hall, *command, request_id);
    if (status->parsed()) return run_status(g, hall);
    if (watch->parsed()) return run_watch(g, hall, count, seconds);
    if (ping->parsed()) return run_ping(g);
    if (replay->parsed()) return run_replay(replay_args, g.json);
    if (simulate->parsed()) return run_simulate(simulate_args, g.engine, g.timeout_ms, g.curve);
    if (board->parsed()) return run_board(board_args, g.engine, g.pub, *g.clock, g.curve);
    if (backup->parsed()) return run_backup(backup_args, g.json);
    if (report->parsed()) return run_report(report_args, g.json, *g.clock);
  } catch (const std::exception& e) {
    std::cerr << "hallq: " << e.what() << std::endl;
    return kUsage;
  }
  return kUsage;
}
