// hallq-keypad (评价器): after its window finishes a ticket, asks the citizen
// for a rating and sends the evaluation tied to the ticket and window (the
// engine adds the staff who finished it); a timeout records "not rated".
//
// One thread: the app (keypad_app.h) polls the engine's sockets and the input
// (stdin or a serial line), or with keypad.input = "sdl" the window
// (keypad_screen.h) adds the keyboard. State changes are printed on stdout,
// one line each (README), which the tests read; on a serial line the box gets
// OK / ERR / STATE answers. Against an engine with --keys both sockets speak
// CURVE with the keys of [security] or --key FILE --server-key FILE|Z85.
// The device program skeleton (engine/device/device_program.h): --config,
// --engine, --events (old: --pub); exit codes 0 done or stopped by
// SIGTERM/SIGINT, 2 usage or config error (a font that cannot be opened too),
// 1 runtime failure.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <zmq.hpp>

#include "adapters/keypad/keypad_app.h"
#include "adapters/keypad/keypad_config.h"
#include "adapters/keypad/keypad_screen.h"
#include "adapters/keypad/line_encoding.h"
#include "adapters/keypad/line_protocol.h"
#include "adapters/keypad/serial_port.h"
#include "engine/client/client.h"
#include "engine/device/device_program.h"
#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/sdl_init.h"
#include "engine/device/signals.h"

namespace hallq::keypad {
namespace {

void say(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// The loop without a window: stdin or a serial line (in `encoding`).
void run_lines(KeypadApp& app, SerialPort* port, Encoding encoding) {
  LineEncoding line_encoding(encoding);
  const int input_fd = port ? port->fd() : STDIN_FILENO;
  std::string buffer;
  bool input_open = true;
  while (!device::stop_requested() && app.fatal().empty()) {
    if (!app.step(std::chrono::milliseconds(100), input_open ? input_fd : -1)) continue;
    char chunk[512];
    const ssize_t n = device::read(input_fd, chunk, sizeof chunk);
    if (n > 0) {
      buffer.append(chunk, static_cast<std::size_t>(n));
      for_each_line(buffer, [&](std::string_view raw) {
        if (!port) {
          if (const std::string answer = app.handle_line(raw); !answer.empty()) say(answer);
          return;
        }
        // GBK never has '\n' or '\r' in a character's second byte: the lines split as bytes.
        const std::optional<std::string> line = line_encoding.decode(raw);
        const std::string answer =
            line ? app.handle_line(*line) : std::string("ERR 无法识别的字符（编码应为 GBK）");
        if (!answer.empty()) port->write_line(line_encoding.encode(answer));
      });
      app.update();
    } else if (n == 0 && !port) {
      input_open = false;  // stdin closed: keep serving the engine side
    } else if (port && (n == 0 || (errno != EAGAIN && errno != EINTR))) {
      // The line hung up (a box unplugged): stop reading it rather than spin.
      say("ERR serial line closed: keypad input stopped");
      input_open = false;
    }
  }
}

int run(device::DeviceProgram& program, const std::string& serial, bool window, const std::string& snapshot) {
  KeypadConfig config = load_keypad_config(program.options().config);
  const device::LoadedCurve keys = program.apply_overrides({config.engine, config.pub, config.security});
  const bool headless = program.options().headless;
  if (!serial.empty()) config.input = InputKind::kSerial, config.serial_device = serial;
  if (window) config.input = InputKind::kSdl;

  std::unique_ptr<SerialPort> port;
  if (config.input == InputKind::kSerial)
    port = std::make_unique<SerialPort>(config.serial_device, config.baud);

  zmq::context_t ctx;
  {
    client::Client probe(ctx, config.engine, {std::chrono::milliseconds(700), 1, false, keys.curve});
    if (auto pong = probe.ping(); pong && pong->engine) {
      const auto& halls = pong->engine->halls;
      if (std::find(halls.begin(), halls.end(), config.hall) == halls.end()) {
        fmt::print(stderr, "{}:1: keypad.hall: the engine at {} has no hall \"{}\"\n", config.source,
                   config.engine, config.hall);
        return 2;
      }
    }
  }
  KeypadApp app(ctx, config, say, keys.curve);
  const std::string input = config.input == InputKind::kSdl ? std::string(headless ? "sdl-headless" : "sdl")
                            : port                          ? config.serial_device
                                                            : std::string("stdin");
  say(fmt::format("hallq-keypad ready hall={} window={} input={}", config.hall, config.window, input));

  if (config.input == InputKind::kSdl)
    run_screen(app, config, headless, snapshot, say, device::stop_flag());
  else
    run_lines(app, port.get(), config.serial_encoding);
  // Hand over what was pressed: ratings in the outbox are sent while the engine is there (for a
  // bounded time after a stop signal).
  if (app.fatal().empty())
    device::finish_pending([&] { return app.pending() == 0 || !app.online(); },
                           [&] { app.step(std::chrono::milliseconds(100), -1); });

  say(fmt::format("stopped pending={}", app.pending()));
  if (!app.fatal().empty()) throw device::UsageError(app.fatal());  // e.g. an unknown window: exit 2
  return device::kExitOk;
}

}  // namespace
}  // namespace hallq::keypad

int main(int argc, char** argv) {
  using namespace hallq;
  device::DeviceProgram program(
      {.name = "hallq-keypad",
       .description = "窗口的好差评评价器",
       .config_help = "评价器的配置（conf/devices/keypad-*.toml）",
       .headless_help = "不用真实屏幕：input = \"sdl\" 时画在内存画布上（并从标准输入读行协议）",
       .old_pub_name = true});
  std::string serial, snapshot;
  bool window = false;
  program.cli().add_option("--serial", serial, "从这个串口读行协议（代替配置文件中的）")->type_name("串口");
  program.cli().add_flag("--sdl", window, "用 SDL 窗口（代替配置文件中的 input）");
  program.cli()
      .add_option("--snapshot", snapshot, "input = \"sdl\" 时：每次画面变化都写到这个 PNG")
      ->type_name("文件");
  return program.run(argc, argv, [&] {
    try {
      return keypad::run(program, serial, window, snapshot);
    } catch (const sdl::FontError& e) {  // the config's font: a configuration error
      program.warn(e.what());
      return device::kExitUsage;
    }
  });
}
