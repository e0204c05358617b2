#include "tools/hallq/board_verb.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <iostream>
#include <zmq.hpp>

#include "engine/client/subscriber.h"
#include "engine/core/calendar.h"
#include "engine/device/signals.h"
#include "engine/view/hall_summary.h"
#include "tools/hallq/event_text.h"
#include "tools/hallq/usage_text.h"

namespace hallq::cli {
namespace {

using Clock = std::chrono::steady_clock;

class Board : public client::Subscriber::Listener {
 public:
  explicit Board(const time::Clock& wall) : wall_(wall) {}

  void on_event(const core::Hall&, const protocol::DecodedEvent& e, protocol::Bytes) override {
    if (std::holds_alternative<core::TicketCalled>(e.event.body) ||
        std::holds_alternative<core::TicketRecalled>(e.event.body)) {
      calls_.push_front(fmt::format("请 {} 号 到 {} 号窗口", e.number, e.window_number));
      if (calls_.size() > 6) calls_.pop_back();
      flash_until_ = Clock::now() + std::chrono::seconds(4);
    }
    dirty_ = true;
  }
  void on_reset(const core::Hall&) override { dirty_ = true; }
  void on_connection(std::string_view, bool) override { dirty_ = true; }

  std::string frame(const client::Subscriber& sub, const std::string& hall_id, bool ansi) {
    dirty_ = false;
    std::string out;
    const core::Hall* hall = sub.hall(hall_id);
    if (!hall || !sub.online(hall_id)) {
      return fmt::format("{}\n\n        系统连接中……\n", hall ? hall->config().name : hall_id);
    }
    const core::TimeUs now = wall_.now_us();
    const view::HallSummary s = view::summarize(*hall, now);
    const int offset = hall->config().utc_offset_min;
    out += fmt::format("{}    {}    等候 {} 人\n", s.name,
                       core::format_time_of_day(core::local_second_of_day(now, offset)), s.waiting);
    out += std::string(72, '=') + "\n";
    const bool flash = Clock::now() < flash_until_ && ansi;
    if (calls_.empty()) {
      out += "  欢迎光临，请取号等候\n";
    } else {
      out += fmt::format("  {}{}{}\n", flash ? "\x1b[1;33m" : "", calls_.front(), flash ? "\x1b[0m" : "");
      for (std::size_t i = 1; i < calls_.size(); ++i) out += "    " + calls_[i] + "\n";
    }
    out += std::string(72, '-') + "\n";
    out += pad("窗口", 8) + pad("名称", 20) + pad("当前", 8) + pad("状态", 10) + "工作人员\n";
    for (const auto& w : s.windows) {
      const std::string state = w.state == "closed"   ? "未开放"
                                : w.state == "paused" ? "暂停服务"
                                : w.state == "busy" ? (w.current_state == "called" ? "叫号中" : "办理中")
                                                    : "空闲";
      out += pad(fmt::format("{}号", w.number), 8) + pad(w.name, 20) +
             pad(w.current.empty() ? "-" : w.current, 8) + pad(state, 10) +
             (w.staff_name.empty() ? w.staff : w.staff_name) + "\n";
    }
    out += std::string(72, '-') + "\n";
    out += pad("事项", 22) + pad("等候", 8) + "预计等待\n";
    for (const auto& sv : s.services) {
      out += pad(fmt::format("{}（{}）", sv.name, sv.prefix), 22) + pad(std::to_string(sv.waiting), 8) +
             (sv.open_windows ? wait_text(sv.predicted_wait_s) : std::string("暂无窗口")) + "\n";
    }
    return out;
  }
  bool dirty() const { return dirty_; }

 private:
  const time::Clock& wall_;
  std::deque<std::string> calls_;
  Clock::time_point flash_until_{};
  bool dirty_ = true;
};

}  // namespace

CLI::App* add_board_verb(CLI::App& app, BoardArgs& args) {
  CLI::App* sub = app.add_subcommand("board", "在终端里显示大厅综合屏");
  add_hall_argument(sub, args.hall);
  sub->add_option("--seconds", args.seconds, "这么多秒后退出")->type_name("秒");
  sub->add_flag("--plain", args.plain, "不重绘屏幕：每 5 秒打印一屏（写日志、接管道时用）");
  return sub;
}

int run_board(const BoardArgs& args, const std::string& engine, const std::string& pub,
              const time::Clock& wall, const client::CurveOptions& curve) {
  device::install_stop_signals();  // Ctrl-C and SIGTERM end the loop: exit 0
  const bool ansi = !args.plain && isatty(STDOUT_FILENO);
  zmq::context_t ctx;
  Board board(wall);
  client::Subscriber sub(ctx, engine, pub, {args.hall}, &board, {.curve = curve});
  const auto start = Clock::now();
  auto last_draw = Clock::time_point{};
  int last_second = -1;
  while (!device::stop_requested()) {
    sub.poll(std::chrono::milliseconds(100));
    const auto now = Clock::now();
    if (args.seconds > 0 && std::chrono::duration<double>(now - start).count() >= args.seconds) break;
    const int second = static_cast<int>(std::chrono::duration<double>(now - start).count());
    if (ansi) {
      // Redraw on change (at most 10 per second) and once a second for the clock.
      if ((board.dirty() || second != last_second) && now - last_draw > std::chrono::milliseconds(100)) {
        std::cout << "\x1b[H\x1b[2J" << board.frame(sub, args.hall, true) << std::flush;
        last_draw = now;
        last_second = second;
      }
    } else if (sub.synced(args.hall) &&
               (last_draw == Clock::time_point{} || now - last_draw > std::chrono::seconds(5))) {
      std::cout << board.frame(sub, args.hall, false) << std::endl;
      last_draw = now;
    }
  }
  if (!ansi) std::cout << board.frame(sub, args.hall, false) << std::endl;
  return 0;
}

}  // namespace hallq::cli
