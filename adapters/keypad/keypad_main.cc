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
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <memory>
#include <zmq.hpp>

#include "adapters/keypad/keypad_app.h"
#include "adapters/keypad/keypad_config.h"
#include "adapters/keypad/keypad_screen.h"
#include "adapters/keypad/line_protocol.h"
#include "adapters/keypad/serial_port.h"
#include "engine/client/client.h"
#include "engine/config/toml_reader.h"
#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/sdl_init.h"

namespace hallq::keypad {
namespace {

volatile std::sig_atomic_t g_stop = 0;  // set by SIGTERM/SIGINT only
extern "C" void on_signal(int) { g_stop = 1; }

void say(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// The loop without a window: stdin or a serial line.
void run_lines(KeypadApp& app, SerialPort* port) {
  const int input_fd = port ? port->fd() : STDIN_FILENO;
  std::string buffer;
  bool input_open = true;
  while (!g_stop && app.fatal().empty()) {
    if (!app.step(std::chrono::milliseconds(100), input_open ? input_fd : -1)) continue;
    char chunk[512];
    const ssize_t n = ::read(input_fd, chunk, sizeof chunk);
    if (n > 0) {
      buffer.append(chunk, static_cast<std::size_t>(n));
      for_each_line(buffer, [&](std::string_view line) {
        const std::string answer = app.handle_line(line);
        if (answer.empty()) return;
        if (port)
          port->write_line(answer);
        else
          say(answer);
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

int run(int argc, char** argv) {
  CLI::App cli{"hallq-keypad: the window's rating keypad (评价器)"};
  std::string config_path, engine, pub, serial, snapshot, key_file, server_key;
  bool headless = false, window = false;
  cli.add_option("--config", config_path, "device settings (conf/devices/keypad-*.toml)")->required();
  cli.add_option("--engine", engine, "engine command endpoint (overrides the config)");
  cli.add_option("--pub", pub, "engine event endpoint (overrides the config)");
  cli.add_option("--key", key_file, "this keypad's CURVE secret key file (overrides [security] key_file)");
  cli.add_option("--server-key", server_key,
                 "the engine's public key: a .pub/.key file or 40 Z85 characters (overrides [security])");
  cli.add_option("--serial", serial, "read the line protocol from this tty (overrides the config)");
  cli.add_flag("--sdl", window, "the SDL window (overrides the config's input)");
  cli.add_flag("--headless", headless,
               "no real screen: with input = \"sdl\" an off-screen canvas (and the line protocol on stdin)");
  cli.add_option("--snapshot", snapshot, "with input = \"sdl\": write every changed frame to this PNG");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  KeypadConfig config = load_keypad_config(config_path);
  if (!engine.empty()) config.engine = engine;
  if (!pub.empty()) config.pub = pub;
  device::override_security(config.security, key_file, server_key);
  const device::LoadedCurve keys = device::load_curve(config.security);  // errors: exit 2 (main)
  for (const std::string& w : keys.warnings) fmt::print(stderr, "hallq-keypad: {}\n", w);
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
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  const std::string input = config.input == InputKind::kSdl ? std::string(headless ? "sdl-headless" : "sdl")
                            : port                          ? config.serial_device
                                                            : std::string("stdin");
  say(fmt::format("hallq-keypad ready hall={} window={} input={}", config.hall, config.window, input));

  if (config.input == InputKind::kSdl)
    run_screen(app, config, headless, snapshot, say, g_stop);
  else
    run_lines(app, port.get());

  say(fmt::format("stopped pending={}", app.pending()));
  if (!app.fatal().empty()) {
    fmt::print(stderr, "hallq-keypad: {}\n", app.fatal());
    return 2;
  }
  return 0;
}

}  // namespace
}  // namespace hallq::keypad

int main(int argc, char** argv) {
  try {
    return hallq::keypad::run(argc, argv);
  } catch (const hallq::config::ConfigError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  } catch (const hallq::sdl::FontError& e) {
    fmt::print(stderr, "hallq-keypad: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hallq-keypad: {}\n", e.what());
    return 1;
  }
}
