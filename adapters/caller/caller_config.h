// The clerk's caller config (conf/devices/caller-*.toml):
//   [caller]  hall, window, engine, events, staff (pre-filled at login)
//   [keys]    call_next, recall, start, skip, hold, transfer, finish, pause,
//             login, logout, quit — one character each, all different
//   [security] key_file, engine_public_key_file | engine_public_key (CURVE keys;
//             engine/device/device_security.h)
// Errors: config::ConfigError naming file:line.
#pragma once

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
  kPause,
  kLogin,
  kLogout,
  kQuit
};

struct CallerConfig {
  std::string hall, window;
  std::string engine = "tcp://127.0.0.1:5570";
  std::string events = "tcp://127.0.0.1:5571";
  std::string staff;
  std::map<char, Key> keys;         // character -> action
  device::SecurityConfig security;  // no [security]: plaintext
  char key_for(Key k) const;
};

// Defaults: n r s k h t f p l o q.
std::map<char, Key> default_keys();
std::string_view key_name(Key k);   // config key name, "call_next" ...
std::string_view key_label(Key k);  // "呼叫" ...

CallerConfig parse_caller_config(std::string_view text, const std::string& source);
CallerConfig load_caller_config(const std::string& path);

}  // namespace hallq::caller
