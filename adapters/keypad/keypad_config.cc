#include "adapters/keypad/keypad_config.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/config/toml_reader.h"

namespace hallq::keypad {

int KeypadConfig::level_of(std::string_view key) const {
  auto it = keys.find(key);
  return it == keys.end() ? 0 : it->second;
}

ReasonKey KeypadConfig::reason_key(std::string_view key) const {
  using Kind = ReasonKey::Kind;
  if (std::find(confirm_keys.begin(), confirm_keys.end(), key) != confirm_keys.end())
    return {Kind::kConfirm, 0};
  if (std::find(skip_keys.begin(), skip_keys.end(), key) != skip_keys.end()) return {Kind::kSkip, 0};
  for (std::string_view prefix : {"Keypad ", "KP_", ""}) {
    if (key.size() == prefix.size() + 1 && key.starts_with(prefix) && key.back() >= '1' && key.back() <= '9')
      return {Kind::kToggle, key.back() - '0'};
  }
  return {};
}

std::string KeypadConfig::key_label(int level) const {
  std::string best;
  for (const auto& [name, l] : keys) {
    if (l == level && (best.empty() || name.size() < best.size())) best = name;
  }
  return best;
}

KeypadConfig parse_keypad_config(std::string_view text, std::string_view source) {
  using config::TableReader;
  const toml::table root = config::parse_toml(text, source);
  KeypadConfig c;
  c.source = std::string(source);
  TableReader top = config::TableReader::document(root, source);
  top.allow_only({"keypad", "security"});
  c.security = device::read_security(top);
  const TableReader k = top.required_section("keypad");
  k.allow_only({"hall",         "window",   "engine",        "pub",  "timeout_s",       "thanks_s",
                "retry_ms",     "input",    "serial_device", "baud", "serial_encoding", "keys",
                "width",        "height",   "fullscreen",    "font", "font_index",      "reasons_timeout_s",
                "confirm_keys", "skip_keys"});
  c.hall = k.required_string("hall");
  c.window = k.required_string("window");
  c.window_line = k.line("window");
  c.engine = k.string("engine", c.engine);
  c.pub = k.string("pub", c.pub);
  c.rating.timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(k.number("timeout_s", 0.1, 3600, 30) * 1000));
  c.rating.thanks =
      std::chrono::milliseconds(static_cast<std::int64_t>(k.number("thanks_s", 0, 60, 3) * 1000));
  c.rating.reasons =
      std::chrono::milliseconds(static_cast<std::int64_t>(k.number("reasons_timeout_s", 1, 3600, 20) * 1000));
  if (auto keys = k.strings("confirm_keys")) c.confirm_keys = std::move(*keys);
  if (auto keys = k.strings("skip_keys")) c.skip_keys = std::move(*keys);
  c.retry = std::chrono::milliseconds(k.integer("retry_ms", 100, 60'000, 2000));
  const std::string input = k.string("input", "stdin");
  if (input == "stdin")
    c.input = InputKind::kStdin;
  else if (input == "serial")
    c.input = InputKind::kSerial;
  else if (input == "sdl")
    c.input = InputKind::kSdl;
  else
    k.fail("input", fmt::format("\"{}\" is not an input (use \"stdin\", \"serial\" or \"sdl\")", input));
  c.serial_device = k.string("serial_device", "");
  if (c.input == InputKind::kSerial && c.serial_device.empty())
    k.fail("input", "a serial input needs serial_device");
  c.baud = static_cast<int>(k.integer("baud", 1200, 115200, 9600));
  static constexpr int kBauds[] = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200};
  if (std::find(std::begin(kBauds), std::end(kBauds), c.baud) == std::end(kBauds))
    k.fail("baud", fmt::format("{} is not a standard rate (1200 ... 115200)", c.baud));

  const std::string encoding = k.string("serial_encoding", "utf-8");
  if (auto e = encoding_named(encoding))
    c.serial_encoding = *e;
  else
    k.fail("serial_encoding", fmt::format("\"{}\" is not an encoding (use \"utf-8\" or \"gbk\")", encoding));

  c.width = static_cast<int>(k.integer("width", 160, 7680, c.width));
  c.height = static_cast<int>(k.integer("height", 120, 4320, c.height));
  c.fullscreen = k.boolean("fullscreen", c.fullscreen);
  c.font = k.string("font", c.font);
  c.font_index = static_cast<int>(k.integer("font_index", 0, 64, c.font_index));

  for (int level = 1; level <= 5; ++level) {
    c.keys[std::to_string(level)] = level;
    c.keys["KP_" + std::to_string(level)] = level;
    c.keys["Keypad " + std::to_string(level)] = level;  // SDL's key names
  }
  if (const toml::table* keys = k.table("keys")) {
    TableReader kr(*keys, source, "keypad.keys");
    for (auto&& [key, node] : *keys) {
      c.keys[std::string(key.str())] = static_cast<int>(*kr.integer(key.str(), 1, 5));
    }
  }
  return c;
}

KeypadConfig load_keypad_config(const std::string& path) {
  return parse_keypad_config(config::read_text_file(path), path);
}

std::optional<std::string> check_window(const KeypadConfig& c, const core::HallConfig& hall) {
  if (hall.find_window(c.window)) return std::nullopt;
  return fmt::format("{}:{}: keypad.window: hall \"{}\" has no window \"{}\"", c.source, c.window_line,
                     hall.id, c.window);
}

}  // namespace hallq::keypad
