// `hallq simulate`: plays one day of a hall trace against a LIVE engine, at an
// accelerated pace, as the hall's citizens and clerks would: citizens take
// tickets at the kiosk (issue), clerks log in on their windows (the config's
// staff, A post first and the B post after a pause; made-up ids when the
// config lists none), open and pause windows when the trace says, press
// call-next when free and someone is waiting for their window, start at
// once, finish after the citizen's handling time, recall and skip no-shows,
// and most citizens rate the service. It is the demo's traffic and a
// realistic load; it never reads the engine's internals, only its replies.
// Commands the engine refuses are counted by reason and listed at the end.
//
// Time: with --follow-engine the trace is played at the engine's own time of
// day (learnt from its heartbeats, so an engine on simulated time, hallqd
// --time-scale, and the traffic share one clock). Otherwise simulated
// seconds = trace day start + real seconds x speed, and the engine stamps
// events with its own clock.
#include "tools/hallq/simulate_verb.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/core/calendar.h"
#include "engine/device/signals.h"
#include "engine/device/usage_text.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "tools/replay/trace.h"

namespace hallq::cli {
namespace {

using Clock = std::chrono::steady_clock;

enum class Action { kRow, kIdleCheck, kRecall, kSkip, kFinish, kGiveUp };

struct Agenda {
  double at = 0;  // simulated seconds
  std::uint64_t order = 0;
  Action action = Action::kRow;
  std::size_t index = 0;  // row index, or window index
  std::string number;     // ticket involved
  bool operator>(const Agenda& o) const { return at != o.at ? at > o.at : order > o.order; }
};

struct WindowSim {
  bool open = false, paused = false, busy = false;
  bool pause_pending = false, close_pending = false;
  bool b_post = false;  // the B post has taken over (after a pause)
  std::string current;
};

// Refusals of one kind: how many, and the engine's words for the first.
struct Refusals {
  std::uint64_t count = 0;
  std::string example;
};

class Simulation {
 public:
  Simulation(const SimulateArgs& args, client::Client& client, client::Subscriber* engine_time,
             std::shared_ptr<core::HallConfig> config, replay::Trace trace)
      : args_(args),
        c_(client),
        engine_time_(engine_time),
        cfg_(std::move(config)),
        trace_(std::move(trace)),
        rng_(args.seed),
        windows_(cfg_->windows.size()),
        waiting_(cfg_->services.size(), 0) {}

  int run() {
    // The chosen day's rows.
    const double day_start = args_.day * 86400.0;
    for (std::size_t i = 0; i < trace_.rows.size(); ++i) {
      const replay::TraceRow& r = trace_.rows[i];
      if (r.time_s >= day_start - 3600 && r.time_s < day_start + 86400) push(r.time_s, Action::kRow, i);
    }
    if (agenda_.empty()) {
      std::cerr << fmt::format("hallq simulate: 轨迹在第 {} 天没有记录\n", args_.day);
      return 2;
    }
    sim_start_ = agenda_.top().at - 1;
    real_start_ = Clock::now();
    if (engine_time_) {
      // The engine's time of day, once its first heartbeat is in.
      while (!engine_time_->engine_clock().following() && !device::stop_requested() &&
             Clock::now() - real_start_ < std::chrono::seconds(5))
        engine_time_->poll(std::chrono::milliseconds(100));
      if (!engine_time_->engine_clock().following()) {
        std::cerr << "hallq simulate: 没有收到引擎的心跳（--pub），无法跟随引擎时钟\n";
        return 3;
      }
      sim_start_ = sim_now();
      std::cout << fmt::format("模拟 {}：第 {} 天，按引擎时钟（当地 {}）播放，{} 行", cfg_->name, args_.day,
                               core::format_time_of_day(static_cast<int>(sim_start_ - day_start)),
                               agenda_.size())
                << std::endl;
    } else {
      std::cout << fmt::format("模拟 {}：第 {} 天，{} 倍速，{} 行", cfg_->name, args_.day, args_.speed,
                               agenda_.size())
                << std::endl;
    }
    while (!agenda_.empty() && !device::stop_requested()) {
      const Agenda next = agenda_.top();
      if (args_.seconds > 0 && !engine_time_ && next.at > sim_start_ + args_.seconds * args_.speed) break;
      wait_until(next.at);
      if (args_.seconds > 0 && engine_time_ &&
          std::chrono::duration<double>(Clock::now() - real_start_).count() >= args_.seconds)
        break;
      if (device::stop_requested()) break;
      agenda_.pop();
      if (!step(next)) return 3;
    }
    std::cout << fmt::format("模拟结束：取号 {}，叫号 {}，办结 {}，评价 {}；发出命令 {} 条，被拒绝 {} 条",
                             issued_, called_, finished_, rated_, sent_, refused_)
              << (engine_pauses_ ? fmt::format("；{} 条命令等过引擎，重试后得到应答", engine_pauses_) : "")
              << std::endl;
    for (const auto& [code, r] : refusals_)
      std::cout << fmt::format("  被拒绝 {} 条（{}）：{}；例如“{}”", r.count, core::to_string(code),
                               why(code), r.example)
                << std::endl;
    return 0;
  }

 private:
  void push(double at, Action a, std::size_t index, std::string number = {}) {
    agenda_.push({at, ++order_, a, index, std::move(number)});
  }
  // Trace seconds now: the engine's local time of day on the trace's day, or
  // the trace's start plus real time at --speed.
  double sim_now() const {
    if (engine_time_) {
      const core::TimeUs t = engine_time_->engine_clock().now_us();
      return args_.day * 86400.0 + cfg_->local_second_of_day(t) +
             static_cast<double>(t % core::kUsPerSecond) / core::kUsPerSecond;
    }
    return sim_start_ + std::chrono::duration<double>(Clock::now() - real_start_).count() * args_.speed;
  }
  void wait_until(double sim_t) {
    while (!device::stop_requested()) {
      if (engine_time_) {
        if (sim_t <= sim_now()) return;
        if (args_.seconds > 0 &&
            std::chrono::duration<double>(Clock::now() - real_start_).count() >= args_.seconds)
          return;
        engine_time_->poll(std::chrono::milliseconds(20));  // heartbeats keep the clock
        continue;
      }
      const double left_real = (sim_t - sim_now()) / args_.speed;
      if (left_real <= 0) return;
      std::this_thread::sleep_for(std::chrono::duration<double>(std::min(left_real, 0.2)));
    }
  }

  // Sends a command and waits for its answer; false only if the engine has
  // not answered for kPatience (or the simulation is stopped meanwhile). A
  // slow disk can hold a durable commit for seconds on a busy machine, as an
  // engine restart can: the command is sent again under the SAME request id,
  // so the engine applies it once however many times it arrives.
  static constexpr std::chrono::seconds kPatience{60};
  bool send(const core::CommandBody& cmd, protocol::DecodedReply& reply) {
    const std::string id = c_.next_request_id();
    const auto first = Clock::now();
    std::optional<protocol::DecodedReply> r;
    while (!(r = c_.command(cfg_->id, cmd, id))) {
      const auto waited = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - first);
      if (device::stop_requested() || waited >= kPatience) {
        std::cerr << fmt::format("hallq simulate: 引擎 {} 秒没有应答，模拟停止", waited.count()) << std::endl;
        return false;
      }
      if (!waiting_for_engine_)
        std::cout << fmt::format("引擎 {} 秒没有应答（磁盘或引擎繁忙、重启中），用同一请求号继续重试……",
                                 waited.count())
                  << std::endl;
      waiting_for_engine_ = true;
    }
    if (waiting_for_engine_) {
      const double waited = std::chrono::duration<double>(Clock::now() - first).count();
      std::cout << fmt::format("引擎恢复应答（这条命令等了 {:.1f} 秒），模拟继续", waited) << std::endl;
      waiting_for_engine_ = false;
      ++engine_pauses_;
    }
    reply = std::move(*r);
    ++sent_;
    if (!reply.ok()) {
      ++refused_;
      Refusals& k = refusals_[reply.code];
      if (k.count++ == 0) k.example = reply.message;
    }
    return true;
  }

  // Why the engine refuses what the simulation sends, as far as it can
  // foresee: it calls only when someone waits for a service the window serves.
  static std::string why(core::ErrorCode code) {
    switch (code) {
      case core::ErrorCode::kQueueEmpty:
        return "窗口只有兼办事项有人等候，叫号规则此刻不让它兼办（balanced 策略的 "
               "help_load），或已被别的窗口叫走";
      case core::ErrorCode::kWindowBusy:
        return "窗口还有上次运行留下的号";
      case core::ErrorCode::kLimitReached:
        return "大厅的当日上限已满";
      default:
        return "意料之外，请看例子中引擎的说明";
    }
  }

  // The clerk on window `w`'s A or B post: the config's staff in window order,
  // A post then B post (conf/district.toml lists them so); made-up ids
  // ("clerk01a", "clerk01b") when the config lists none. Empty if the
  // config's list has no one left for this window.
  std::string staff_for(std::size_t w, bool b_post) {
    if (cfg_->staff.empty()) return fmt::format("clerk{:02}{}", cfg_->windows[w].number, b_post ? 'b' : 'a');
    const std::size_t at = 2 * w + (b_post ? 1 : 0);
    if (at < cfg_->staff.size() && !on_duty_.count(cfg_->staff[at].id)) return cfg_->staff[at].id;
    for (const core::StaffConfig& s : cfg_->staff)  // fewer staff than posts: whoever is free
      if (!on_duty_.count(s.id)) return s.id;
    return {};
  }
  void log_in(std::size_t w, const std::string& staff) {
    if (auto it = staff_of_.find(w); it != staff_of_.end()) on_duty_.erase(it->second);
    staff_of_.erase(w);
    if (staff.empty()) return;
    on_duty_.insert(staff);
    staff_of_[w] = staff;
  }
  // Someone is waiting whom window `w` serves (by the config's skills).
  bool someone_for(std::size_t w) const {
    for (const core::Skill& k : cfg_->windows[w].serves)
      if (waiting_[k.service] > 0) return true;
    return false;
  }
  void ticket_gone(const std::string& number) {
    const std::optional<core::ServiceIdx> s =
        cfg_->find_prefix(number.substr(0, number.find_first_of("0123456789")));
    if (s && waiting_[*s] > 0) --waiting_[*s];
  }

  bool step(const Agenda& a) {
    protocol::DecodedReply r;
    const double now = a.at;
    switch (a.action) {
      case Action::kRow: {
        const replay::TraceRow& row = trace_.rows[a.index];
        const std::string& wid = cfg_->windows[row.window].id;
        WindowSim& w = windows_[row.window];
        switch (row.event) {
          case replay::TraceEvent::kArrive: {
            if (!send(core::IssueTicket{cfg_->services[row.service].id, row.priority}, r)) return false;
            if (!r.ok() || r.events.empty()) break;
            const auto e = protocol::describe_event(protocol::as_bytes(r.events.back()));
            ++issued_;
            ++waiting_[row.service];
            by_number_[e.number] = a.index;
            if (row.patience_s) push(now + *row.patience_s, Action::kGiveUp, 0, e.number);
            return offer_idle(now);
          }
          case replay::TraceEvent::kOpen: {
            if (w.open) break;  // already open: nothing to do
            const std::string staff = staff_for(row.window, false);
            if (!send(core::OpenWindow{wid, staff}, r)) return false;
            if (r.ok() || r.code == core::ErrorCode::kWindowAlreadyOpen) {
              w.open = true;
              w.paused = false;
              w.close_pending = false;
              w.b_post = false;
              log_in(row.window, staff);
              push(now, Action::kIdleCheck, row.window);
            }
            break;
          }
          case replay::TraceEvent::kPause:
            if (!w.open || w.paused) break;
            if (w.busy) {
              w.pause_pending = true;
            } else if (!send(core::PauseWindow{wid}, r)) {
              return false;
            } else {
              w.paused = r.ok();
            }
            break;
          case replay::TraceEvent::kResume:
            w.pause_pending = false;
            if (w.open && w.paused) {
              if (!send(core::ResumeWindow{wid}, r)) return false;
              w.paused = false;
              // After the pause the B post takes the window over (A/B posts).
              if (!w.b_post) {
                const std::string staff = staff_for(row.window, true);
                if (!staff.empty()) {
                  if (!send(core::OpenWindow{wid, staff}, r)) return false;
                  if (r.ok()) {
                    log_in(row.window, staff);
                    w.b_post = true;
                  }
                }
              }
              push(now, Action::kIdleCheck, row.window);
            }
            break;
          case replay::TraceEvent::kClose:
            if (!w.open) break;
            if (w.busy) {
              w.close_pending = true;
            } else if (!close(row.window)) {
              return false;
            }
            break;
        }
        break;
      }
      case Action::kIdleCheck:
        return try_call(a.index, now);
      case Action::kRecall:
        if (!send(core::Recall{cfg_->windows[a.index].id}, r)) return false;
        break;
      case Action::kSkip:
        if (!send(core::SkipTicket{cfg_->windows[a.index].id}, r)) return false;
        return free_window(a.index, now);
      case Action::kFinish: {
        if (!send(core::Finish{cfg_->windows[a.index].id}, r)) return false;
        if (r.ok()) {
          ++finished_;
          // Most citizens press a key on the rating pad.
          std::uniform_real_distribution<double> u(0, 1);
          if (u(rng_) < 0.75) {
            const double x = u(rng_);
            const int level = x < 0.62 ? 5 : x < 0.88 ? 4 : x < 0.96 ? 3 : x < 0.99 ? 2 : 1;
            if (!send(core::Evaluate{a.number, level, cfg_->windows[a.index].id}, r)) return false;
            if (r.ok()) ++rated_;
          }
        }
        return free_window(a.index, now);
      }
      case Action::kGiveUp:
        if (!called_numbers_.count(a.number) && !gone_.count(a.number)) {
          if (!send(core::Cancel{a.number, core::LeaveReason::kGaveUp}, r)) return false;
          if (r.ok()) ticket_gone(a.number);
          gone_.insert(a.number);
        }
        break;
    }
    return true;
  }

  bool close(std::size_t w) {
    protocol::DecodedReply r;
    if (!send(core::CloseWindow{cfg_->windows[w].id}, r)) return false;
    windows_[w] = {};
    log_in(w, {});
    return true;
  }

  bool free_window(std::size_t w, double now) {
    WindowSim& win = windows_[w];
    win.busy = false;
    win.current.clear();
    protocol::DecodedReply r;
    if (win.close_pending) return close(w);
    if (win.pause_pending) {
      win.pause_pending = false;
      if (!send(core::PauseWindow{cfg_->windows[w].id}, r)) return false;
      win.paused = r.ok();
      return true;
    }
    return try_call(w, now);
  }

  bool offer_idle(double now) {
    for (std::size_t w = 0; w < windows_.size(); ++w) {
      const WindowSim& win = windows_[w];
      if (win.open && !win.paused && !win.busy && !try_call(w, now)) return false;
    }
    return true;
  }

  bool try_call(std::size_t w, double now) {
    WindowSim& win = windows_[w];
    if (!win.open || win.paused || win.busy || !someone_for(w)) return true;  // nothing to call: wait
    const std::string& wid = cfg_->windows[w].id;
    protocol::DecodedReply r;
    if (!send(core::CallNext{wid}, r)) return false;
    if (r.code == core::ErrorCode::kWindowBusy) {
      // Left over from an earlier run: finish it first.
      if (!send(core::StartService{wid}, r) || !send(core::Finish{wid}, r)) return false;
      if (!send(core::CallNext{wid}, r)) return false;
    }
    if (!r.ok()) return true;  // nothing to call: wait for the next arrival
    const auto e = protocol::describe_event(protocol::as_bytes(r.events.back()));
    ++called_;
    called_numbers_.insert(e.number);
    ticket_gone(e.number);
    win.busy = true;
    win.current = e.number;
    const auto row = by_number_.find(e.number);
    if (row != by_number_.end() && trace_.rows[row->second].absent) {
      push(now + 30, Action::kRecall, w);
      push(now + 60, Action::kSkip, w);
      return true;
    }
    if (!send(core::StartService{wid}, r)) return false;
    const double handle = row != by_number_.end() ? trace_.rows[row->second].handle_s
                                                  : cfg_->services[0].expected_handle_min * 60;
    push(now + handle, Action::kFinish, w, e.number);
    return true;
  }

  const SimulateArgs& args_;
  client::Client& c_;
  client::Subscriber* engine_time_;  // --follow-engine: the engine's clock; else null
  std::shared_ptr<core::HallConfig> cfg_;
  replay::Trace trace_;
  std::mt19937 rng_;
  std::vector<WindowSim> windows_;
  std::priority_queue<Agenda, std::vector<Agenda>, std::greater<>> agenda_;
  std::uint64_t order_ = 0;
  double sim_start_ = 0;
  Clock::time_point real_start_;
  std::map<std::string, std::size_t> by_number_;  // ticket number -> its trace row
  std::set<std::string> called_numbers_;
  std::set<std::string> gone_;          // gave up (cancelled, or tried to)
  std::vector<std::uint32_t> waiting_;  // per service: issued, not yet called or gone
  std::set<std::string> on_duty_;
  std::map<std::size_t, std::string> staff_of_;
  std::uint64_t issued_ = 0, called_ = 0, finished_ = 0, rated_ = 0, sent_ = 0, refused_ = 0;
  bool waiting_for_engine_ = false;  // a command is being sent again
  std::uint64_t engine_pauses_ = 0;  // commands answered only after a retry
  std::map<core::ErrorCode, Refusals> refusals_;
};

}  // namespace

CLI::App* add_simulate_verb(CLI::App& app, SimulateArgs& args) {
  CLI::App* sub = app.add_subcommand("simulate", "按轨迹文件中的一天向运行中的引擎发送模拟业务（演示用）");
  device::add_hall_argument(sub, args.hall);
  sub->add_option("--trace", args.trace, "轨迹 CSV 文件（tools/traces/FORMAT.md）")
      ->type_name("文件")
      ->required();
  sub->add_option("--day", args.day, "轨迹中的第几天（0 为第一天）")->type_name("天")->capture_default_str();
  sub->add_option("--speed", args.speed, "每真实秒模拟的秒数")
      ->type_name("倍速")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 100000.0));
  sub->add_option("--seconds", args.seconds, "这么多真实秒后停止（0：放完一整天）")->type_name("秒");
  sub->add_option("--seed", args.seed, "评价的随机种子")->type_name("整数")->capture_default_str();
  sub->add_flag(
      "--follow-engine", args.follow_engine,
      "按引擎自己的时钟（来自 --pub 的心跳）播放轨迹：引擎用 --time-scale 模拟时间时，业务与引擎同一个时钟；"
      "此时不看 --speed");
  return sub;
}

int run_simulate(const SimulateArgs& args, const std::string& engine, const std::string& pub, int timeout_ms,
                 const client::CurveOptions& curve) {
  device::install_stop_signals();  // Ctrl-C and SIGTERM end the simulation: exit 0
  zmq::context_t ctx;
  client::Client c(ctx, engine,
                   {.timeout = std::chrono::milliseconds(timeout_ms), .attempts = 2, .curve = curve});
  auto reply = c.snapshot(args.hall);
  if (!reply) {
    std::cerr << fmt::format("hallq simulate: 引擎 {} 没有应答\n", engine);
    return 3;
  }
  if (!reply->ok()) {
    std::cerr << "hallq simulate: " << reply->message << "\n";
    return 1;
  }
  protocol::DecodedSnapshot snap;
  if (!protocol::decode_snapshot(protocol::as_bytes(reply->snapshot), snap).ok()) {
    std::cerr << "hallq simulate: 无法读取引擎发来的大厅快照\n";
    return 1;
  }
  replay::Trace trace;
  try {
    trace = replay::load_trace(args.trace, *snap.config);
  } catch (const std::exception& e) {
    std::cerr << "hallq simulate: 轨迹文件有误：" << e.what() << "\n";
    return 2;
  }
  std::unique_ptr<client::Subscriber> engine_time;
  if (args.follow_engine)
    engine_time = std::make_unique<client::Subscriber>(ctx, engine, pub, std::vector<std::string>{args.hall},
                                                       nullptr, client::SubscriberOptions{.curve = curve});
  Simulation sim(args, c, engine_time.get(), snap.config, std::move(trace));
  return sim.run();
}

}  // namespace hallq::cli
