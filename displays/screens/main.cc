// hallq-display: the hall screen (综合屏) or the window LED strips (窗口屏) of
// one hall, as configured in a screen file (conf/screens/*.toml). Against an
// engine with --keys it speaks CURVE with the keys of the file's [security]
// table or --key FILE --server-key FILE|Z85.
// The device program skeleton (engine/device/device_program.h): --config
// (old: --screen), --engine, --events, --key, --server-key, --headless; exit
// codes 0 done or stopped by SIGTERM/SIGINT, 2 bad configuration or usage, 1
// SDL or font failure.
#include <fmt/format.h>

#include "displays/screens/display_app.h"
#include "displays/screens/screen_config.h"
#include "displays/screens/screen_model.h"
#include "engine/config/config_loader.h"
#include "engine/device/device_program.h"
#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/sdl_init.h"

int main(int argc, char** argv) {
  using namespace hallq;
  device::DeviceProgram program({.name = "hallq-display",
                                 .description = "大厅综合屏与窗口条屏",
                                 .config_help = "屏幕的配置（conf/screens/*.toml）",
                                 .headless_help = "不开窗口：在内存中软件绘制（SDL dummy 驱动）",
                                 .old_config_names = {"--screen"}});
  std::string clock_text;
  display::AppOptions o;
  CLI::App& app = program.cli();
  app.add_option("--driver", o.driver, "SDL 视频驱动（x11、wayland、dummy、offscreen）")->type_name("驱动");
  app.add_option("--snapshot", o.snapshot, "每次显示变化后把画面写成 PNG")->type_name("文件");
  app.add_option("--snapshot-every", o.snapshot_every, "另外每隔这么多秒写一次画面")->type_name("秒");
  app.add_option("--frames", o.frames, "画这么多帧后退出")->type_name("帧数");
  app.add_option("--exit-after", o.exit_after, "这么多秒后退出")->type_name("秒");
  app.add_option("--clock", clock_text, "固定显示的时间（大厅当地时间，如 2024-03-04T09:30:00）并停止动画")
      ->type_name("时间");
  app.add_flag("--quiet", o.quiet, "显示变化时不打印行");
  return program.run(argc, argv, [&] {
    const std::string& screen_path = program.options().config;
    display::ScreenConfig screen = display::load_screen_config(screen_path);
    std::shared_ptr<core::HallConfig> hall;
    try {
      hall = config::load_hall_config(screen.hall_config);
    } catch (const config::ConfigError& e) {
      throw config::ConfigError(fmt::format("{} (screen.hall_config of {})", e.what(), screen_path));
    }
    display::check_against(screen, *hall);
    o.curve = program.apply_overrides({screen.engine, screen.events, screen.security}).curve;
    o.headless = program.options().headless;
    if (!clock_text.empty()) {
      core::TimeUs t = 0;
      if (!display::parse_local_time(clock_text, hall->utc_offset_min, t))
        throw device::UsageError(fmt::format("--clock: \"{}\" is not YYYY-MM-DDTHH:MM:SS", clock_text));
      o.clock = t;
    }
    try {
      return display::run_display(screen, *hall, o);
    } catch (const sdl::FontError& e) {  // a failure to start, not a configuration error (README)
      program.warn(e.what());
      return device::kExitFailure;
    }
  });
}
