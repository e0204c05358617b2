// A screen process's configuration (conf/screens/*.toml): which hall and
// engine, what to draw (the hall screen 综合屏 or window LED strips 窗口屏),
// the canvas (size, position, a wall of several screens as one canvas), the
// font, the notices, the LED panels, and the CURVE keys ([security], read by
// engine/device/device_security.h like every device's). Keys are
// documented in displays/README.md.
//
// Errors: config::ConfigError naming "FILE:LINE: what" (engine/config, like
// hall and device files); unknown keys are errors, named with the known ones.
// check_against() refuses a hall or window the hall's own config does not
// know, naming the screen file's line. Pure; no shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_error.h"
#include "engine/core/hall_config.h"
#include "engine/device/device_security.h"

namespace hallq::display {

enum class ScreenKind { kHall, kWindowStrips };
enum class LedColors { kSingle, kDual };

struct WallConfig {
  int columns = 1, rows = 1;  // screens side by side; the canvas is width*columns x height*rows
};

struct CallsConfig {
  int recent = 5;            // calls listed, the newest included
  double flash_seconds = 5;  // how long the newest call flashes
};

struct NoticeConfig {
  std::vector<std::string> lines;  // shown one after another in the scrolling line
  double speed = 0.12;             // canvas heights per second
};

struct LedConfig {
  int columns = 128, rows = 32;  // LEDs of one panel
  LedColors colors = LedColors::kDual;
  int dot_px = 4;                    // on-screen pixels per LED
  int grid_columns = 2;              // panels side by side on the canvas
  double scroll_speed = 24;          // LEDs per second for text wider than the panel
  std::vector<std::string> windows;  // window ids; empty: every window of the hall
  int windows_line = 0;
};

// The check-in QR code (签到二维码, issue 20) in a corner of the hall screen:
// `url` with "{hall}" and "{token}" replaced (checkin_code.h), the token
// rotating every ten minutes under the ticket secret the gateway shares.
struct CheckinConfig {
  std::string url;            // empty: no check-in code on the screen
  std::string ticket_secret;  // path, resolved against the screen file's folder
  std::string caption = "扫码签到（网上取号）";
  bool enabled() const { return !url.empty(); }
};

struct ScreenConfig {
  std::string source;  // the file read
  ScreenKind kind = ScreenKind::kHall;
  std::string hall;  // hall id
  int hall_line = 0;
  std::string hall_config;  // path of the hall's TOML, resolved against the screen file's folder
  std::string engine = "tcp://127.0.0.1:5570";  // commands (snapshots)
  std::string events = "tcp://127.0.0.1:5571";  // event publisher
  std::string title;                            // replaces the hall's name in the header if set
  int width = 1920, height = 1080;              // one screen, pixels
  int x = -1, y = -1;                           // window position; -1 centred
  bool fullscreen = false, borderless = false;
  int fps = 60;
  std::string font = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
  int font_face = 2;
  WallConfig wall;
  CallsConfig calls;
  NoticeConfig notice;
  LedConfig led;
  CheckinConfig checkin;
  device::SecurityConfig security;  // no [security]: plaintext

  // The whole canvas: a hall screen is width*columns x height*rows; LED strips
  // are as large as the grid of `panels` panels.
  int canvas_width(std::size_t panels) const;
  int canvas_height(std::size_t panels) const;
  // The LED panels' window ids in drawing order (all of the hall's if none given).
  std::vector<std::string> strip_windows(const core::HallConfig& hall) const;
};

ScreenConfig parse_screen_config(std::string_view toml_text, std::string_view source_name);
// Reads the file; unreadable is a config::ConfigError naming the path.
ScreenConfig load_screen_config(const std::string& path);

// The hall config must be the screen's hall and know every window named.
void check_against(const ScreenConfig& screen, const core::HallConfig& hall);

// LED panel geometry on the canvas.
struct StripGeometry {
  int margin = 0;   // around and between panels, pixels
  int label_h = 0;  // no label: the panel shows the window number itself
};
StripGeometry strip_geometry(const LedConfig& led);

}  // namespace hallq::display
