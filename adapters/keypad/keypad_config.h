// The keypad's device settings (conf/devices/keypad-*.toml; keys in
// adapters/README.md):
//
//   [keypad]        hall, window, engine, pub, timeout_s, thanks_s, retry_ms,
//                   input = "stdin" | "serial" | "sdl", serial_device, baud,
//                   serial_encoding = "utf-8" | "gbk" (the serial line's text),
//                   width, height, fullscreen, font, font_index (the window)
//   [keypad.keys]   key name = level (1..5), e.g. "KP_5" = 5; the defaults
//                   map "1".."5" and "KP_1".."KP_5" to levels 1..5
//   [keypad]        reasons_timeout_s (差评 reasons question, default 20),
//                   confirm_keys, skip_keys (key names on the reasons screen;
//                   defaults "Return", "Keypad Enter", "KP_Enter", "#" and
//                   "0", "Keypad 0", "KP_0", "Escape", "*"); on that screen
//                   a digit key n ("3", "Keypad 3", "KP_3") ticks reason n
//   [security]      key_file, engine_public_key_file | engine_public_key
//                   (CURVE keys; engine/device/device_security.h)
//
// Errors are config::ConfigError naming file:line. The window is
// checked against the hall when the engine's snapshot arrives.
// Stateless; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/keypad/line_encoding.h"
#include "adapters/keypad/rating_machine.h"
#include "engine/core/hall_config.h"
#include "engine/device/device_security.h"

namespace hallq::keypad {

enum class InputKind : std::uint8_t { kStdin, kSerial, kSdl };

// What a key means on the 差评 reasons screen.
struct ReasonKey {
  enum class Kind : std::uint8_t { kNone, kToggle, kConfirm, kSkip };
  Kind kind = Kind::kNone;
  int n = 0;  // kToggle: the reason's number, 1..9
};

struct KeypadConfig {
  std::string source;
  std::string hall;
  std::string window;
  std::uint32_t window_line = 0;
  std::string engine = "tcp://127.0.0.1:5570";
  std::string pub = "tcp://127.0.0.1:5571";
  RatingOptions rating;
  std::chrono::milliseconds retry{2000};
  InputKind input = InputKind::kStdin;
  std::string serial_device;
  int baud = 9600;
  Encoding serial_encoding = Encoding::kUtf8;
  std::map<std::string, int, std::less<>> keys;  // key name -> level
  // The SDL window (input = "sdl").
  int width = 800, height = 480;
  bool fullscreen = false;
  std::string font = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
  int font_index = 2;               // Noto Sans CJK SC
  device::SecurityConfig security;  // no [security]: plaintext

  std::vector<std::string> confirm_keys{"Return", "Keypad Enter", "KP_Enter", "#"};
  std::vector<std::string> skip_keys{"0", "Keypad 0", "KP_0", "Escape", "*"};

  // The level of a key name, 0 if it means nothing.
  int level_of(std::string_view key) const;
  // What a key name means on the reasons screen.
  ReasonKey reason_key(std::string_view key) const;
  // The key shown on the button of `level`: the shortest key name mapped to
  // it (a digit with the defaults).
  std::string key_label(int level) const;
};

KeypadConfig parse_keypad_config(std::string_view text, std::string_view source);
KeypadConfig load_keypad_config(const std::string& path);

// The configured window exists in `hall`; otherwise the message naming the line.
std::optional<std::string> check_window(const KeypadConfig& config, const core::HallConfig& hall);

}  // namespace hallq::keypad
