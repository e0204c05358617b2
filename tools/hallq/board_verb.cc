#include "tools/hallq/board_verb.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <iostream>
#include <zmq.hpp>

#include "engine/client/subscriber.h"
#include "engine/device/signals.h"
#include "engine/device/usage_text.h"
#include "tools/hallq/board_text.h"

namespace hallq::cli {
namespace {

using Clock = std::chrono::steady_clock;

class Board : public client::Subscriber::Listener {
 public:
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
    const core::Hall* hall = sub.hall(hall_id);
    if (!hall || !sub.online(hall_id) || !sub.engine_clock().following()) {  // no time but the engine's
      return fmt::format("{}\n\n        系统连接中……\n", hall ? hall->config().name : hall_id);
    }
    const bool flash = Clock::now() < flash_until_ && ansi;
    return board_text(*hall, sub.engine_clock().now_us(), calls_, flash);
  }
  bool dirty() const { return dirty_; }

 private:
  std::deque<std::string> calls_;
  Clock::time_point flash_until_{};
  bool dirty_ = true;
};

}  // namespace

CLI::App* add_board_verb(CLI::App& app, BoardArgs& args) {
  CLI::App* sub = app.add_subcommand("board", "在终端里显示大厅综合屏");
  device::add_hall_argument(sub, args.hall);
  sub->add_option("--seconds", args.seconds, "这么多秒后退出")->type_name("秒");
  sub->add_flag("--plain", args.plain, "不重绘屏幕：每 5 秒打印一屏（写日志、接管道时用）");
  return sub;
}

int run_board(const BoardArgs& args, const std::string& engine, const std::string& pub,
              const time::Clock& wall, const client::CurveOptions& curve) {
  device::install_stop_signals();  // Ctrl-C and SIGTERM end the loop: exit 0
  const bool ansi = !args.plain && isatty(STDOUT_FILENO);
  zmq::context_t ctx;
  Board board;
  client::Subscriber sub(ctx, engine, pub, {args.hall}, &board, {.curve = curve, .wall_clock = &wall});
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
