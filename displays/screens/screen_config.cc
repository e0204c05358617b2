// Reads screen files with toml++ and checks every key and type by hand, so a
// typo is an error naming its line, never a silent default.
#include "displays/screens/screen_config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/config/toml_reader.h"

namespace hallq::display {
namespace {

using Keys = std::vector<std::string_view>;

int line_of(const toml::source_region& r) { return r.begin.line > 0 ? static_cast<int>(r.begin.line) : 1; }

class Reader {
 public:
  Reader(const toml::table& root, std::string_view source) : root_(root), source_(source) {}

  [[noreturn]] void fail(int line, std::string_view what) const {
    throw ScreenConfigError(fmt::format("{}:{}: {}", source_, line, what));
  }

  void check_keys(const toml::table& t, std::string_view name, const Keys& allowed) const {
    for (auto&& [key, node] : t) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::string list;
      for (auto k : allowed) list += (list.empty() ? "" : ", ") + std::string(k);
      fail(line_of(key.source()),
           name.empty() ? fmt::format("unknown top-level key \"{}\" (known: {})", key.str(), list)
                        : fmt::format("unknown key \"{}\" in [{}] (known: {})", key.str(), name, list));
    }
  }

  const toml::table* table(std::string_view name, bool required) const {
    const toml::node* n = root_.get(name);
    if (!n) {
      if (required) fail(1, fmt::format("missing required section [{}]", name));
      return nullptr;
    }
    if (!n->is_table()) fail(line_of(n->source()), fmt::format("{} must be a table [{}]", name, name));
    return n->as_table();
  }

  std::string str(const toml::table& t, std::string_view sec, std::string_view key, std::string dflt,
                  bool required, int* line = nullptr) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) fail(line_of(t.source()), fmt::format("missing required key \"{}\" in [{}]", key, sec));
      return dflt;
    }
    if (line) *line = line_of(n->source());
    if (!n->is_string()) fail(line_of(n->source()), fmt::format("{}.{}: expected a string", sec, key));
    std::string v = n->as_string()->get();
    if (v.empty()) fail(line_of(n->source()), fmt::format("{}.{}: must not be empty", sec, key));
    return v;
  }

  std::int64_t integer(const toml::table& t, std::string_view sec, std::string_view key, std::int64_t dflt,
                       std::int64_t lo, std::int64_t hi) const {
    const toml::node* n = t.get(key);
    if (!n) return dflt;
    if (!n->is_integer()) fail(line_of(n->source()), fmt::format("{}.{}: expected an integer", sec, key));
    const std::int64_t v = n->as_integer()->get();
    if (v < lo || v > hi)
      fail(line_of(n->source()), fmt::format("{}.{}: {} is out of range {}..{}", sec, key, v, lo, hi));
    return v;
  }

  double number(const toml::table& t, std::string_view sec, std::string_view key, double dflt, double lo,
                double hi) const {
    const toml::node* n = t.get(key);
    if (!n) return dflt;
    double v = 0;
    if (n->is_integer())
      v = static_cast<double>(n->as_integer()->get());
    else if (n->is_floating_point())
      v = n->as_floating_point()->get();
    else
      fail(line_of(n->source()), fmt::format("{}.{}: expected a number", sec, key));
    if (!(v >= lo && v <= hi))
      fail(line_of(n->source()), fmt::format("{}.{}: {} is out of range {}..{}", sec, key, v, lo, hi));
    return v;
  }

  bool boolean(const toml::table& t, std::string_view sec, std::string_view key, bool dflt) const {
    const toml::node* n = t.get(key);
    if (!n) return dflt;
    if (!n->is_boolean()) fail(line_of(n->source()), fmt::format("{}.{}: expected true or false", sec, key));
    return n->as_boolean()->get();
  }

  std::vector<std::string> strings(const toml::table& t, std::string_view sec, std::string_view key,
                                   int* line) const {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    if (line) *line = line_of(n->source());
    if (!n->is_array())
      fail(line_of(n->source()), fmt::format("{}.{}: expected an array of strings", sec, key));
    for (const toml::node& item : *n->as_array()) {
      if (!item.is_string())
        fail(line_of(item.source().begin.line ? item.source() : n->source()),
             fmt::format("{}.{}: expected an array of strings", sec, key));
      out.push_back(item.as_string()->get());
    }
    return out;
  }

 private:
  const toml::table& root_;
  std::string_view source_;
};

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

ScreenConfig parse_screen_config(std::string_view text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw ScreenConfigError(fmt::format("{}:{}: {}", source_name, line_of(e.source()), e.description()));
  }
  Reader r(root, source_name);
  r.check_keys(root, "", {"screen", "wall", "calls", "notice", "led", "security"});
  ScreenConfig c;
  c.source = std::string(source_name);
  const toml::table& s = *r.table("screen", true);
  r.check_keys(s, "screen",
               {"kind", "hall", "hall_config", "engine", "events", "title", "width", "height", "x", "y",
                "fullscreen", "borderless", "fps", "font", "font_face"});
  int kind_line = line_of(s.source());
  const std::string kind = r.str(s, "screen", "kind", "hall", false, &kind_line);
  if (kind == "hall")
    c.kind = ScreenKind::kHall;
  else if (kind == "window_strips")
    c.kind = ScreenKind::kWindowStrips;
  else
    r.fail(kind_line, fmt::format("screen.kind: \"{}\" is not one of hall, window_strips", kind));
  c.hall = r.str(s, "screen", "hall", "", true, &c.hall_line);
  int conf_line = 0;
  c.hall_config = r.str(s, "screen", "hall_config", "", true, &conf_line);
  if (std::filesystem::path(c.hall_config).is_relative())
    c.hall_config = (std::filesystem::path(std::string(source_name)).parent_path() / c.hall_config)
                        .lexically_normal()
                        .string();
  c.engine = r.str(s, "screen", "engine", c.engine, false);
  c.events = r.str(s, "screen", "events", c.events, false);
  c.title = r.str(s, "screen", "title", "", false);
  c.width = static_cast<int>(r.integer(s, "screen", "width", c.width, 64, 16384));
  c.height = static_cast<int>(r.integer(s, "screen", "height", c.height, 64, 16384));
  c.x = static_cast<int>(r.integer(s, "screen", "x", c.x, -1, 65535));
  c.y = static_cast<int>(r.integer(s, "screen", "y", c.y, -1, 65535));
  c.fullscreen = r.boolean(s, "screen", "fullscreen", false);
  c.borderless = r.boolean(s, "screen", "borderless", false);
  c.fps = static_cast<int>(r.integer(s, "screen", "fps", c.fps, 1, 240));
  c.font = r.str(s, "screen", "font", c.font, false);
  c.font_face = static_cast<int>(r.integer(s, "screen", "font_face", c.font_face, 0, 64));

  if (const toml::table* w = r.table("wall", false)) {
    r.check_keys(*w, "wall", {"columns", "rows"});
    c.wall.columns = static_cast<int>(r.integer(*w, "wall", "columns", 1, 1, 8));
    c.wall.rows = static_cast<int>(r.integer(*w, "wall", "rows", 1, 1, 8));
  }
  if (const toml::table* t = r.table("calls", false)) {
    r.check_keys(*t, "calls", {"recent", "flash_seconds"});
    c.calls.recent = static_cast<int>(r.integer(*t, "calls", "recent", c.calls.recent, 1, 12));
    c.calls.flash_seconds = r.number(*t, "calls", "flash_seconds", c.calls.flash_seconds, 0, 600);
  }
  if (const toml::table* t = r.table("notice", false)) {
    r.check_keys(*t, "notice", {"lines", "speed"});
    c.notice.lines = r.strings(*t, "notice", "lines", nullptr);
    c.notice.speed = r.number(*t, "notice", "speed", c.notice.speed, 0, 10);
  }
  if (const toml::table* t = r.table("led", false)) {
    r.check_keys(*t, "led",
                 {"columns", "rows", "colors", "dot_px", "grid_columns", "scroll_speed", "windows"});
    c.led.columns = static_cast<int>(r.integer(*t, "led", "columns", c.led.columns, 16, 1024));
    c.led.rows = static_cast<int>(r.integer(*t, "led", "rows", c.led.rows, 8, 256));
    int colors_line = line_of(t->source());
    const std::string colors = r.str(*t, "led", "colors", "dual", false, &colors_line);
    if (colors == "single")
      c.led.colors = LedColors::kSingle;
    else if (colors == "dual")
      c.led.colors = LedColors::kDual;
    else
      r.fail(colors_line, fmt::format("led.colors: \"{}\" is not one of single, dual", colors));
    c.led.dot_px = static_cast<int>(r.integer(*t, "led", "dot_px", c.led.dot_px, 1, 64));
    c.led.grid_columns = static_cast<int>(r.integer(*t, "led", "grid_columns", c.led.grid_columns, 1, 16));
    c.led.scroll_speed = r.number(*t, "led", "scroll_speed", c.led.scroll_speed, 0, 1000);
    c.led.windows = r.strings(*t, "led", "windows", &c.led.windows_line);
  } else if (c.kind == ScreenKind::kWindowStrips) {
    r.fail(1, "missing required section [led] for screen.kind = \"window_strips\"");
  }
  // [security]: the reader every device shares (adapters/common/device_security.h).
  try {
    c.security = device::read_security(config::TableReader::document(root, source_name));
  } catch (const config::ConfigError& e) {
    throw ScreenConfigError(e.what());
  }
  return c;
}

ScreenConfig load_screen_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScreenConfigError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_screen_config(text.str(), path);
}

void check_against(const ScreenConfig& screen, const core::HallConfig& hall) {
  if (hall.id != screen.hall)
    throw ScreenConfigError(fmt::format("{}:{}: screen.hall: unknown hall \"{}\" ({} is hall \"{}\")",
                                        screen.source, screen.hall_line, screen.hall, screen.hall_config,
                                        hall.id));
  for (const std::string& w : screen.led.windows)
    if (!hall.find_window(w))
      throw ScreenConfigError(fmt::format("{}:{}: led.windows: unknown window \"{}\" in hall \"{}\"",
                                          screen.source, screen.led.windows_line, w, hall.id));
}

}  // namespace hallq::display
