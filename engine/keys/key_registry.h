// The enrolled device keys (hallqd --keys FILE): who may connect to the
// engine's sockets and what each may do. TOML, one [[key]] per device:
//
//   [engine]
//   secret_key_file = "keys/engine.key"   # relative to this file
//
//   [[key]]
//   name = "k1"                           # [a-z0-9_.-]+, unique; the ZAP User-Id
//   public_key = "<40 Z85 characters>"    # unique
//   role = "kiosk"                        # kiosk | caller | keypad | display | speaker | manager |
//                                         # citizen | notifier
//   halls = ["town"]                      # one hall, except manager, citizen, notifier: one or more
//   window = "w1"                         # caller and keypad only (required there)
//
// The registry is immutable once loaded, so the ZAP thread and the engine
// thread read it without locks. Errors: config::ConfigError, "FILE:LINE:
// what", first problem only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_error.h"

namespace hallq::keys {

// kCitizen: the public gateway (hallq-citizen) that serves citizens' phones
// from the internet; scoped to its halls, no window.
// kNotifier: the reminder sender (hallq-notify): subscribes only, and is,
// with kManager, the role that receives citizens' phones and ID hashes.
// (Appended: the order is the role's number nowhere but here.)
enum class DeviceRole { kKiosk, kCaller, kKeypad, kDisplay, kSpeaker, kManager, kCitizen, kNotifier };
std::string_view to_string(DeviceRole role);
std::optional<DeviceRole> device_role_from_string(std::string_view name);
// Whether the role is scoped to one window (caller, keypad).
bool role_needs_window(DeviceRole role);
// Whether a key of the role may name more than one hall (manager, citizen, notifier).
bool role_spans_halls(DeviceRole role);
// Whether a key of the role receives personal data (citizens' phones and ID
// hashes; protocol/personal_data.h) in events and snapshots: manager, notifier.
bool role_sees_personal_data(DeviceRole role);

struct KeyEntry {
  std::string name;
  std::string public_key;  // Z85
  DeviceRole role = DeviceRole::kDisplay;
  std::vector<std::string> halls;
  std::string window;  // caller and keypad only
  int line = 0;        // where it is enrolled, for messages
};

class KeyRegistry {
 public:
  // Parses `toml_text`; `source_name` (a path) is used in messages and to
  // resolve [engine] secret_key_file.
  static KeyRegistry parse(std::string_view toml_text, std::string_view source_name);
  // Reads and parses `path`; an unreadable file is a config::ConfigError.
  static KeyRegistry load(const std::string& path);

  const KeyEntry* by_public_key(std::string_view z85) const;
  const KeyEntry* by_name(std::string_view name) const;
  const std::vector<KeyEntry>& entries() const { return entries_; }
  // [engine] secret_key_file resolved against the file's directory; empty if absent.
  const std::string& engine_secret_key_file() const { return engine_secret_key_file_; }
  const std::string& source() const { return source_; }

 private:
  std::vector<KeyEntry> entries_;
  std::map<std::string, std::size_t, std::less<>> by_key_, by_name_;
  std::string engine_secret_key_file_;
  std::string source_;
};

// The text of one [[key]] entry, as `hallq keys gen --enrol` appends it.
std::string format_key_entry(const KeyEntry& entry);

}  // namespace hallq::keys
