// Reads screen files with the engine's TOML reader (engine/config), so a typo
// is an error naming its line, never a silent default.
#include "displays/screens/screen_config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>

#include "engine/config/toml_reader.h"

namespace hallq::display {
namespace {

using config::TableReader;

// Fails on the first key not in `allowed`, listing the known ones (screen
// files have always named them all rather than guessing one).
void allow_only(const TableReader& t, std::initializer_list<std::string_view> allowed) {
  const std::optional<config::UnknownKey> unknown =
      t.unknown_key(std::span<const std::string_view>(allowed.begin(), allowed.size()));
  if (!unknown) return;
  std::string list;
  for (std::string_view k : allowed) list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
  throw config::ConfigError(
      t.source(), unknown->line,
      t.section_name().empty()
          ? fmt::format("unknown top-level key \"{}\" (known: {})", unknown->key, list)
          : fmt::format("unknown key \"{}\" in {} (known: {})", unknown->key, t.header(), list));
}

// A string that, when given, must not be empty.
std::string text(const TableReader& t, std::string_view key, std::string fallback) {
  return t.has(key) ? t.required_string(key) : fallback;
}

}  // namespace

int ScreenConfig::canvas_width(std::size_t panels) const {
  if (kind == ScreenKind::kHall) return width * wall.columns;
  const StripGeometry g = strip_geometry(led);
  const int cols = std::max(1, std::min(led.grid_columns, static_cast<int>(panels)));
  return g.margin + cols * (led.columns * led.dot_px + g.margin);
}

int ScreenConfig::canvas_height(std::size_t panels) const {
  if (kind == ScreenKind::kHall) return height * wall.rows;
  const StripGeometry g = strip_geometry(led);
  const int rows = std::max<int>(1, (static_cast<int>(panels) + led.grid_columns - 1) / led.grid_columns);
  return g.margin + rows * (led.rows * led.dot_px + g.margin);
}

std::vector<std::string> ScreenConfig::strip_windows(const core::HallConfig& hall) const {
  if (!led.windows.empty()) return led.windows;
  std::vector<std::string> ids;
  for (const auto& w : hall.windows) ids.push_back(w.id);
  return ids;
}

StripGeometry strip_geometry(const LedConfig& led) { return StripGeometry{std::max(8, led.dot_px * 3), 0}; }

ScreenConfig parse_screen_config(std::string_view text_in, std::string_view source_name) {
  const toml::table root = config::parse_toml(text_in, source_name);
  const TableReader top = TableReader::document(root, source_name).terse();
  allow_only(top, {"screen", "wall", "calls", "notice", "led", "checkin", "security"});
  ScreenConfig c;
  c.source = std::string(source_name);
  const TableReader s = top.required_section("screen");
  allow_only(s, {"kind", "hall", "hall_config", "engine", "events", "title", "width", "height", "x", "y",
                 "fullscreen", "borderless", "fps", "font", "font_face"});
  const std::string kind = text(s, "kind", "hall");
  if (kind == "hall")
    c.kind = ScreenKind::kHall;
  else if (kind == "window_strips")
    c.kind = ScreenKind::kWindowStrips;
  else
    s.fail("kind", fmt::format("\"{}\" is not one of hall, window_strips", kind));
  c.hall = s.required_string("hall");
  c.hall_line = static_cast<int>(s.line("hall"));
  c.hall_config = s.required_string("hall_config");
  if (std::filesystem::path(c.hall_config).is_relative())
    c.hall_config = (std::filesystem::path(std::string(source_name)).parent_path() / c.hall_config)
                        .lexically_normal()
                        .string();
  c.engine = text(s, "engine", c.engine);
  c.events = text(s, "events", c.events);
  c.title = text(s, "title", "");
  c.width = static_cast<int>(s.integer("width", 64, 16384, c.width));
  c.height = static_cast<int>(s.integer("height", 64, 16384, c.height));
  c.x = static_cast<int>(s.integer("x", -1, 65535, c.x));
  c.y = static_cast<int>(s.integer("y", -1, 65535, c.y));
  c.fullscreen = s.boolean("fullscreen", false);
  c.borderless = s.boolean("borderless", false);
  c.fps = static_cast<int>(s.integer("fps", 1, 240, c.fps));
  c.font = text(s, "font", c.font);
  c.font_face = static_cast<int>(s.integer("font_face", 0, 64, c.font_face));

  const TableReader w = top.section("wall");
  allow_only(w, {"columns", "rows"});
  c.wall.columns = static_cast<int>(w.integer("columns", 1, 8, 1));
  c.wall.rows = static_cast<int>(w.integer("rows", 1, 8, 1));

  const TableReader calls = top.section("calls");
  allow_only(calls, {"recent", "flash_seconds"});
  c.calls.recent = static_cast<int>(calls.integer("recent", 1, 12, c.calls.recent));
  c.calls.flash_seconds = calls.number("flash_seconds", 0, 600, c.calls.flash_seconds);

  const TableReader notice = top.section("notice");
  allow_only(notice, {"lines", "speed"});
  c.notice.lines = notice.strings("lines").value_or(std::vector<std::string>{});
  c.notice.speed = notice.number("speed", 0, 10, c.notice.speed);

  const TableReader led = top.section("led");
  if (led.present()) {
    allow_only(led, {"columns", "rows", "colors", "dot_px", "grid_columns", "scroll_speed", "windows"});
    c.led.columns = static_cast<int>(led.integer("columns", 16, 1024, c.led.columns));
    c.led.rows = static_cast<int>(led.integer("rows", 8, 256, c.led.rows));
    const std::string colors = text(led, "colors", "dual");
    if (colors == "single")
      c.led.colors = LedColors::kSingle;
    else if (colors == "dual")
      c.led.colors = LedColors::kDual;
    else
      led.fail("colors", fmt::format("\"{}\" is not one of single, dual", colors));
    c.led.dot_px = static_cast<int>(led.integer("dot_px", 1, 64, c.led.dot_px));
    c.led.grid_columns = static_cast<int>(led.integer("grid_columns", 1, 16, c.led.grid_columns));
    c.led.scroll_speed = led.number("scroll_speed", 0, 1000, c.led.scroll_speed);
    if (std::optional<std::vector<std::string>> windows = led.strings("windows")) {
      c.led.windows = std::move(*windows);
      c.led.windows_line = static_cast<int>(led.line("windows"));
    }
  } else if (c.kind == ScreenKind::kWindowStrips) {
    top.fail_here("missing required section [led] for screen.kind = \"window_strips\"");
  }
  const TableReader checkin = top.section("checkin");
  if (checkin.present()) {
    allow_only(checkin, {"url", "ticket_secret", "caption"});
    c.checkin.url = checkin.required_string("url");
    if (c.checkin.url.find("{token}") == std::string::npos)
      checkin.fail(
          "url",
          "the check-in URL must carry \"{token}\" (e.g. https://q.example.gov.cn/c/{hall}?k={token})");
    if (c.checkin.url.size() > 200)
      checkin.fail("url",
                   "the check-in URL is too long for a QR code a phone scans from afar (200 bytes at most)");
    c.checkin.ticket_secret = checkin.required_string("ticket_secret");
    if (std::filesystem::path(c.checkin.ticket_secret).is_relative())
      c.checkin.ticket_secret =
          (std::filesystem::path(std::string(source_name)).parent_path() / c.checkin.ticket_secret)
              .lexically_normal()
              .string();
    c.checkin.caption = text(checkin, "caption", c.checkin.caption);
    if (c.kind != ScreenKind::kHall)
      checkin.fail_here("[checkin] is shown on a hall screen only (kind = \"hall\")");
  }
  // [security]: the reader every device shares (engine/device/device_security.h).
  c.security = device::read_security(top);
  return c;
}

ScreenConfig load_screen_config(const std::string& path) {
  return parse_screen_config(config::read_text_file(path), path);
}

void check_against(const ScreenConfig& screen, const core::HallConfig& hall) {
  if (hall.id != screen.hall)
    throw config::ConfigError(screen.source, static_cast<std::uint32_t>(screen.hall_line),
                              fmt::format("screen.hall: unknown hall \"{}\" ({} is hall \"{}\")", screen.hall,
                                          screen.hall_config, hall.id));
  for (const std::string& w : screen.led.windows)
    if (!hall.find_window(w))
      throw config::ConfigError(screen.source, static_cast<std::uint32_t>(screen.led.windows_line),
                                fmt::format("led.windows: unknown window \"{}\" in hall \"{}\"", w, hall.id));
}

}  // namespace hallq::display
