// hallq-kiosk: the self-service ticket kiosk (自助取号机) of one hall.
//   hallq-kiosk --conf conf/devices/kiosk-town.toml [--engine EP] [--events EP]
//               [--key FILE --server-key FILE|Z85]   (CURVE; default: [security])
//               [--headless] [--snapshot FILE.png]
//   hallq-kiosk --decode SPOOL        print what an ESC/POS spool file holds
//   hallq-kiosk --render SPOOL --out FILE.png [--width 576]
// Exit codes: 0 done, 2 usage or config error, 1 runtime failure.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>

#include "adapters/kiosk/escpos_decoder.h"
#include "adapters/kiosk/kiosk_app.h"
#include "adapters/kiosk/kiosk_config.h"
#include "adapters/kiosk/kiosk_screen.h"
#include "adapters/kiosk/ticket_image.h"
#include "engine/config/toml_reader.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

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
    const ssize_t n = ::read(0, buf, sizeof buf);
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
  while (!g_stop && !quit && open) {
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
  // Finish what was pressed: the pending request and its print job.
  while (!g_stop && !app.idle()) app.step(std::chrono::milliseconds(100));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hallq;
  CLI::App cli{"hallq-kiosk: self-service ticket kiosk (自助取号机)"};
  std::string conf, engine, events, snapshot, decode, render, out_png, key_file, server_key;
  bool headless = false;
  int width = 0;
  cli.add_option("--conf", conf, "kiosk config (conf/devices/kiosk-*.toml)");
  cli.add_option("--engine", engine, "engine command endpoint (overrides the config)");
  cli.add_option("--events", events, "engine event endpoint (overrides the config)");
  cli.add_option("--key", key_file, "this kiosk's CURVE secret key file (overrides [security] key_file)");
  cli.add_option("--server-key", server_key,
                 "the engine's public key: a .pub/.key file or 40 Z85 characters (overrides [security])");
  cli.add_flag("--headless", headless, "no window: input lines on stdin, state lines on stdout");
  cli.add_option("--snapshot", snapshot, "write the screen as PNG after each change (headless or not)");
  cli.add_option("--decode", decode, "print the content of an ESC/POS spool file and exit");
  cli.add_option("--render", render, "render an ESC/POS spool file's first ticket as PNG (with --out)");
  cli.add_option("--out", out_png, "PNG file for --render");
  cli.add_option("--width", width, "paper width in dots for --render (384 for 58 mm, 576 for 80 mm)");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli.exit(e);
    return rc == 0 ? 0 : 2;
  }

  try {
    if (!decode.empty()) {
      const kiosk::DecodedPrint p = kiosk::decode_escpos(read_file(decode));
      std::cout << kiosk::describe(p);
      return p.error.empty() ? 0 : 1;
    }
    if (!render.empty()) {
      if (out_png.empty()) {
        std::cerr << "--render needs --out FILE.png\n";
        return 2;
      }
      const kiosk::DecodedPrint p = kiosk::decode_escpos(read_file(render));
      const auto tickets = p.split_at_cuts();
      if (tickets.empty()) {
        std::cerr << render << ": no ticket in the file\n";
        return 1;
      }
      kiosk::render_ticket_png(tickets.back(), width > 0 ? width : 576, out_png, {});
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }

  if (conf.empty()) {
    std::cerr << "--conf FILE is required\n";
    return 2;
  }
  kiosk::KioskConfig config;
  device::LoadedCurve keys;
  try {
    config = kiosk::load_kiosk_config(conf);
    device::override_security(config.security, key_file, server_key);
    keys = device::load_curve(config.security);
    for (const std::string& w : keys.warnings) std::cerr << "hallq-kiosk: " << w << "\n";
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  if (!engine.empty()) config.engine = engine;
  if (!events.empty()) config.events = events;

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    zmq::context_t ctx;
    kiosk::KioskApp app(ctx, config, std::cout, keys.curve);
    if (headless && snapshot.empty()) return run_headless(app);
    return kiosk::run_screen(app, config, headless, snapshot, g_stop);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "hallq-kiosk: " << e.what() << "\n";
    return 1;
  }
}
