// The clerk's caller config (conf/devices/caller-*.toml):
//   [caller]  hall, window, engine, events, staff (pre-filled at login)
//   [keys]    call_next, recall, start, skip, hold, transfer, finish,
//             finish_case, pause, login, logout, quit — one character each,
//             all different
//   [security] key_file, engine_public_key_file | engine_public_key (CURVE keys;
//             engine/device/device_security.h)
// Errors: config::ConfigError naming file:line.
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>

#include "engine/device/device_security.h"

namespace hallq::caller {

enum class Key {
  kCallNext,
  kRecall,
  kStart,
  kSkip,
  kHold,
  kTransfer,
  kFinish,
  kFinishCase,  // finish with the 办件编号 (prompt)
  kPause,
  kLogin,
  kLogout,
  kQuit
};

// The one key table: what each action is called in the config, its default
// character and its label in the key legend. The input handler takes the
// keys of CallerConfig::keys (built from it) and the legend lists them from
// it, so the two cannot drift apart.
struct KeySpec {
  Key key;
  std::string_view name;  // config key name, "call_next"
  char default_char;
  std::string_view label;  // in the legend, "呼叫下一位"
};
inline constexpr std::array<KeySpec, 12> kKeyTable = {
    {{Key::kCallNext, "call_next", 'n', "呼叫下一位"},
     {Key::kRecall, "recall", 'r', "重呼"},
     {Key::kStart, "start", 's', "开始办理"},
     {Key::kSkip, "skip", 'k', "过号"},
     {Key::kHold, "hold", 'h', "挂起"},
     {Key::kTransfer, "transfer", 't', "转事项"},
     {Key::kFinish, "finish", 'f', "办结"},
     {Key::kFinishCase, "finish_case", 'c', "办结并录入办件编号"},
     {Key::kPause, "pause", 'p', "暂停/恢复"},
     {Key::kLogin, "login", 'l', "登录"},
     {Key::kLogout, "logout", 'o', "退出登录"},
     {Key::kQuit, "quit", 'q', "退出程序"}}};

struct CallerConfig {
  std::string hall, window;
  std::string engine = "tcp://127.0.0.1:5570";
  std::string events = "tcp://127.0.0.1:5571";
  std::string staff;
  std::map<char, Key> keys;         // character -> action
  device::SecurityConfig security;  // no [security]: plaintext
  char key_for(Key k) const;
};

// Defaults: n r s k h t f c p l o q (kKeyTable).
std::map<char, Key> default_keys();
std::string_view key_name(Key k);   // config key name, "call_next" ...
std::string_view key_label(Key k);  // "呼叫" ...

CallerConfig parse_caller_config(std::string_view text, const std::string& source);
CallerConfig load_caller_config(const std::string& path);

}  // namespace hallq::caller
