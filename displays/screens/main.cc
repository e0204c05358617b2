// hallq-display: the hall screen (综合屏) or the window LED strips (窗口屏) of
// one hall, as configured in a screen file (conf/screens/*.toml). Against an
// engine with --keys it speaks CURVE with the keys of the file's [security]
// table or --key FILE --server-key FILE|Z85.
// Exit codes: 0 done, 2 bad configuration or usage, 1 SDL or font failure.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "displays/screens/display_app.h"
#include "displays/screens/screen_config.h"
#include "displays/screens/screen_model.h"
#include "engine/config/config_loader.h"
#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/sdl_init.h"

int main(int argc, char** argv) {
  using namespace hallq;
  CLI::App app{"hallq-display: hall screen and window LED strips"};
  std::string screen_path, clock_text, engine, events, key_file, server_key;
  display::AppOptions o;
  app.add_option("--screen", screen_path, "screen config (conf/screens/*.toml)")->required();
  app.add_flag("--headless", o.headless, "no window: off-screen software rendering (SDL dummy driver)");
  app.add_option("--driver", o.driver, "SDL video driver to use (x11, wayland, dummy, offscreen)");
  app.add_option("--snapshot", o.snapshot, "write the frame as PNG to FILE after each change shown");
  app.add_option("--snapshot-every", o.snapshot_every, "also write the snapshot every SEC seconds");
  app.add_option("--frames", o.frames, "exit after N frames");
  app.add_option("--exit-after", o.exit_after, "exit after SEC seconds");
  app.add_option("--clock", clock_text,
                 "freeze the shown time (hall-local, 2024-03-04T09:30:00) and animations");
  app.add_option("--engine", engine, "override screen.engine (commands endpoint)");
  app.add_option("--events", events, "override screen.events (publisher endpoint)");
  app.add_flag("--quiet", o.quiet, "no line per change shown");
  app.add_option("--key", key_file, "this screen's CURVE secret key file (overrides [security] key_file)");
  app.add_option("--server-key", server_key,
                 "the engine's public key: a .pub/.key file or 40 Z85 characters (overrides [security])");
  CLI11_PARSE(app, argc, argv);

  display::ScreenConfig screen;
  std::shared_ptr<core::HallConfig> hall;
  try {
    screen = display::load_screen_config(screen_path);
    try {
      hall = config::load_hall_config(screen.hall_config);
    } catch (const config::ConfigError& e) {
      std::fprintf(stderr, "hallq-display: %s (screen.hall_config of %s)\n", e.what(), screen_path.c_str());
      return 2;
    }
    display::check_against(screen, *hall);
    device::override_security(screen.security, key_file, server_key);
    device::LoadedCurve keys = device::load_curve(screen.security);
    for (const std::string& w : keys.warnings) std::fprintf(stderr, "hallq-display: %s\n", w.c_str());
    o.curve = keys.curve;
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "hallq-display: %s\n", e.what());
    return 2;
  }
  if (!engine.empty()) screen.engine = engine;
  if (!events.empty()) screen.events = events;
  if (!clock_text.empty()) {
    core::TimeUs t = 0;
    if (!display::parse_local_time(clock_text, hall->utc_offset_min, t)) {
      std::fprintf(stderr, "hallq-display: --clock: \"%s\" is not YYYY-MM-DDTHH:MM:SS\n", clock_text.c_str());
      return 2;
    }
    o.clock = t;
  }
  try {
    return display::run_display(screen, *hall, o);
  } catch (const sdl::FontError& e) {
    std::fprintf(stderr, "hallq-display: %s\n", e.what());
    return 1;
  } catch (const sdl::SdlError& e) {
    std::fprintf(stderr, "hallq-display: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hallq-display: %s\n", e.what());
    return 1;
  }
}
