// hallq-kiosk: the self-service ticket kiosk (自助取号机) of one hall.
//   hallq-kiosk --config conf/devices/kiosk-town.toml [--engine EP] [--events EP]
//               [--key FILE --server-key FILE|Z85]   (CURVE; default: [security])
//               [--headless] [--snapshot FILE.png]
//   hallq-kiosk --decode SPOOL        print what an ESC/POS spool file holds
//   hallq-kiosk --render SPOOL --out FILE.png [--ticket N] [--width 576]
//                                     the spool's Nth ticket (default 1, the first)
// Appointments are checked in with the engine by booking code (no table in
// the config; an old [appointments] table is a config error naming the
// one-time import, kiosk_config.h).
// The device program skeleton (engine/device/device_program.h): exit codes 0
// done or stopped by SIGTERM/SIGINT, 2 usage or config error, 1 runtime failure.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "adapters/kiosk/escpos_decoder.h"
#include "adapters/kiosk/kiosk_app.h"
#include "adapters/kiosk/kiosk_config.h"
#include "adapters/kiosk/kiosk_screen.h"
#include "adapters/kiosk/ticket_image.h"
#include "engine/device/device_program.h"
#include "engine/device/signals.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open", path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Reads stdin lines without blocking the loop (stdin is polled first).
class LineReader {
 public:
  // Appends what is readable now; false at end of input.
  bool fill() {
    char buf[4096];
    const ssize_t n = hallq::device::read(0, buf, sizeof buf);
    if (n <= 0) return false;
    data_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  bool next(std::string& line) {
    const std::size_t nl = data_.find('\n');
    if (nl == std::string::npos) return false;
    line = data_.substr(0, nl);
    data_.erase(0, nl + 1);
    return true;
  }

 private:
  std::string data_;
};

int run_headless(hallq::kiosk::KioskApp& app) {
  LineReader reader;
  bool open = true, quit = false;
  while (!hallq::device::stop_requested() && !quit && open) {
    if (app.step(std::chrono::milliseconds(100), 0)) {
      open = reader.fill();
      std::string line;
      while (reader.next(line)) {
        if (!app.handle_line(line)) {
          quit = true;
          break;
        }
      }
    }
  }
  // Finish what was pressed: the pending request and its print job (after a
  // stop signal too, for a bounded time); with the printer out the unprinted
  // tickets are handed over in the pending file at once.
  hallq::device::finish_pending([&] { return app.settled(); },
                                [&] { app.step(std::chrono::milliseconds(100)); });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hallq;
  device::DeviceProgram program({.name = "hallq-kiosk",
                                 .description = "自助取号机（取号、优先通道；预约由引擎保管，凭预约码签到）",
                                 .config_help = "取号机的配置（conf/devices/kiosk-*.toml）",
                                 .headless_help = "不开窗口：从标准输入读操作，状态行写到标准输出",
                                 .config_required = false,  // --decode and --render need none
                                 .old_config_names = {"--conf"}});
  std::string snapshot, decode, render, out_png;
  int width = 0, ticket = 1;
  CLI::App& cli = program.cli();
  cli.add_option("--snapshot", snapshot, "每次画面变化后把屏幕写成 PNG（有无窗口都可）")->type_name("文件");
  cli.add_option("--decode", decode, "打印 ESC/POS 打印文件的内容后退出")->type_name("文件");
  cli.add_option("--render", render, "把 ESC/POS 打印文件中的一张号票画成 PNG（配合 --out）")
      ->type_name("文件");
  cli.add_option("--ticket", ticket, "--render 画第几张号票，从 1 数起（默认 1：第一张）")
      ->type_name("序号")
      ->check(CLI::PositiveNumber);
  cli.add_option("--out", out_png, "--render 写出的 PNG 文件")->type_name("文件");
  cli.add_option("--width", width, "--render 的纸宽点数（58 毫米纸 384，80 毫米纸 576）")->type_name("点数");
  return program.run(argc, argv, [&] {
    if (!decode.empty()) {
      const kiosk::DecodedPrint p = kiosk::decode_escpos(read_file(decode));
      std::cout << kiosk::describe(p);
      return p.error.empty() ? device::kExitOk : device::kExitFailure;
    }
    if (!render.empty()) {
      if (out_png.empty()) throw device::UsageError("--render needs --out FILE.png");
      const kiosk::DecodedPrint p = kiosk::decode_escpos(read_file(render));
      const auto tickets = p.split_at_cuts();
      if (tickets.empty()) throw std::runtime_error(render + ": no ticket in the file");
      if (static_cast<std::size_t>(ticket) > tickets.size())
        throw device::UsageError(
            fmt::format("--ticket {}: {} holds {} ticket(s)", ticket, render, tickets.size()));
      kiosk::render_ticket_png(tickets[static_cast<std::size_t>(ticket) - 1], width > 0 ? width : 576,
                               out_png, {});
      return device::kExitOk;
    }
    if (program.options().config.empty()) throw device::UsageError("--config FILE is required");
    kiosk::KioskConfig config = kiosk::load_kiosk_config(program.options().config);
    const device::LoadedCurve keys = program.apply_overrides({config.engine, config.events, config.security});
    zmq::context_t ctx;
    kiosk::KioskApp app(ctx, config, std::cout, keys.curve);
    const bool headless = program.options().headless;
    if (headless && snapshot.empty()) return run_headless(app);
    return kiosk::run_screen(app, config, headless, snapshot, device::stop_flag());
  });
}
