// `hallq simulate`: plays one day of a hall trace against a LIVE engine, at an
// accelerated pace, as the hall's citizens and clerks would: citizens take
// tickets at the kiosk (issue), clerks open and pause windows when the trace
// says, press call-next when free, start at once, finish after the citizen's
// handling time, recall and skip no-shows, and most citizens rate the service.
// It is the demo's traffic and a realistic load; it never reads the engine's
// internals, only its replies.
//
// Time: simulated seconds = trace day start + real seconds x speed. The engine
// stamps events with its real clock, so its learned handling times are the
// trace's divided by the speed.
#include "tools/hallq/simulate_verb.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <map>
#include <queue>
#include <random>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/device/signals.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "tools/hallq/usage_text.h"
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
  std::string current;
};

class Simulation {
 public:
  Simulation(const SimulateArgs& args, client::Client& client, std::shared_ptr<core::HallConfig> config,
             replay::Trace trace)
      : args_(args),
        c_(client),
        cfg_(std::move(config)),
        trace_(std::move(trace)),
        rng_(args.seed),
        windows_(cfg_->windows.size()) {}

  int run() {
    // The chosen day's rows.
    const double day_start = args_.day * 86400.0;
    for (std::size_t i = 0; i < trace_.rows.size(); ++i) {
      const replay::TraceRow& r = trace_.rows[i];
      if (r.time_s >= day_start - 3600 && r.time_s < day_start + 86400) push(r.time_s, Action::kRow, i);
    }
    if (agenda_.empty()) {
      std::cerr << fmt::format("hallq simulate: the trace has no rows on day {}\n", args_.day);
      return 2;
    }
    sim_start_ = agenda_.top().at - 1;
    real_start_ = Clock::now();
    std::cout << fmt::format("模拟 {}：第 {} 天，{} 倍速，{} 行", cfg_->name, args_.day, args_.speed,
                             agenda_.size())
              << std::endl;
    while (!agenda_.empty() && !device::stop_requested()) {
      const Agenda next = agenda_.top();
      if (args_.seconds > 0 && next.at > sim_start_ + args_.seconds * args_.speed) break;
      wait_until(next.at);
      if (device::stop_requested()) break;
      agenda_.pop();
      if (!step(next)) return 3;
    }
    std::cout << fmt::format("模拟结束：取号 {}，叫号 {}，办结 {}，评价 {}", issued_, called_, finished_,
                             rated_)
              << std::endl;
    return 0;
  }

 private:
  void push(double at, Action a, std::size_t index, std::string number = {}) {
    agenda_.push({at, ++order_, a, index, std::move(number)});
  }
  double sim_now() const {
    return sim_start_ + std::chrono::duration<double>(Clock::now() - real_start_).count() * args_.speed;
  }
  void wait_until(double sim_t) {
    while (!device::stop_requested()) {
      const double left_real = (sim_t - sim_now()) / args_.speed;
      if (left_real <= 0) return;
      std::this_thread::sleep_for(std::chrono::duration<double>(std::min(left_real, 0.2)));
    }
  }

  // Sends a command; false only if the engine is unreachable.
  bool send(const core::CommandBody& cmd, protocol::DecodedReply& reply) {
    auto r = c_.command(cfg_->id, cmd);
    if (!r) {
      std::cerr << "hallq simulate: 引擎没有应答，模拟停止" << std::endl;
      return false;
    }
    reply = std::move(*r);
    return true;
  }

  std::string staff_for(std::size_t w) {
    if (cfg_->staff.empty()) return {};
    // A/B posts: the first staff not already at another window.
    for (const core::StaffConfig& s : cfg_->staff)
      if (!on_duty_.count(s.id)) return s.id;
    (void)w;
    return {};
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
            by_number_[e.number] = a.index;
            if (row.patience_s) push(now + *row.patience_s, Action::kGiveUp, 0, e.number);
            return offer_idle(now);
          }
          case replay::TraceEvent::kOpen: {
            std::string staff = staff_for(row.window);
            if (!send(core::OpenWindow{wid, staff}, r)) return false;
            if (r.ok() || r.code == core::ErrorCode::kWindowAlreadyOpen) {
              w.open = true;
              w.paused = false;
              w.close_pending = false;
              if (!staff.empty()) {
                on_duty_.insert(staff);
                staff_of_[row.window] = staff;
              }
              push(now, Action::kIdleCheck, row.window);
            }
            break;
          }
          case replay::TraceEvent::kPause:
            if (w.busy) {
              w.pause_pending = true;
            } else if (!send(core::PauseWindow{wid}, r)) {
              return false;
            } else {
              w.paused = true;
            }
            break;
          case replay::TraceEvent::kResume:
            w.pause_pending = false;
            if (w.paused) {
              if (!send(core::ResumeWindow{wid}, r)) return false;
              w.paused = false;
              push(now, Action::kIdleCheck, row.window);
            }
            break;
          case replay::TraceEvent::kClose:
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
        if (!called_numbers_.count(a.number)) {
          if (!send(core::Cancel{a.number, core::LeaveReason::kGaveUp}, r)) return false;
        }
        break;
    }
    return true;
  }

  bool close(std::size_t w) {
    protocol::DecodedReply r;
    if (!send(core::CloseWindow{cfg_->windows[w].id}, r)) return false;
    windows_[w] = {};
    if (auto it = staff_of_.find(w); it != staff_of_.end()) {
      on_duty_.erase(it->second);
      staff_of_.erase(it);
    }
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
      win.paused = true;
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
    if (!win.open || win.paused || win.busy) return true;
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
  std::set<std::string> on_duty_;
  std::map<std::size_t, std::string> staff_of_;
  std::uint64_t issued_ = 0, called_ = 0, finished_ = 0, rated_ = 0;
};

}  // namespace

CLI::App* add_simulate_verb(CLI::App& app, SimulateArgs& args) {
  CLI::App* sub = app.add_subcommand("simulate", "按轨迹文件中的一天向运行中的引擎发送模拟业务（演示用）");
  add_hall_argument(sub, args.hall);
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
  return sub;
}

int run_simulate(const SimulateArgs& args, const std::string& engine, int timeout_ms,
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
    std::cerr << "hallq simulate: unreadable snapshot\n";
    return 1;
  }
  replay::Trace trace;
  try {
    trace = replay::load_trace(args.trace, *snap.config);
  } catch (const std::exception& e) {
    std::cerr << "hallq simulate: " << e.what() << "\n";
    return 2;
  }
  Simulation sim(args, c, snap.config, std::move(trace));
  return sim.run();
}

}  // namespace hallq::cli
