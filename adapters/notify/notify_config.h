// hallq-notify's configuration (conf/devices/notify.toml): the engine, the
// hall, when to remind, the wording, the hall's SMS/message gateway and the
// sent-log. Every key is in adapters/README.md, "hallq-notify".
//
//   [notify]    hall, engine, events, sent_log
//   [near]      people = N | minutes = M (one of the two), template
//   [called]    template
//   [turn]      template (optional: without it no 已到号 message is sent)
//   [gateway]   url (http://), method, content_type, body, escape, timeout_ms
//   [gateway.headers]  NAME = { value = "..." } | { file = "...", prefix = "Bearer " }
//   [retry]     max_attempts, initial_ms, max_ms, jitter
//   [security]  CURVE keys (engine/device/device_security.h)
//
// Secrets (a token, a signature key) come from files named by the config,
// never from the config itself: a header whose name says it is a secret
// (Authorization, *token*, *secret*, *key*, *password*, *signature*) may not
// have an inline `value`. Relative paths are from the config file's folder.
// Errors: config::ConfigError "FILE:LINE: section.key: 中文说明" (exit 2).
// Pure parsing apart from reading the header files; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/notify/message_template.h"
#include "engine/device/device_security.h"

namespace hallq::notify {

enum class NearRule { kPeople, kMinutes };
enum class BodyEscape { kJson, kForm, kNone };

struct GatewayUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";  // path and query
};

struct NotifyConfig {
  std::string hall;
  std::string engine = "tcp://127.0.0.1:5570";
  std::string events = "tcp://127.0.0.1:5571";
  std::string sent_log;  // path; default "notify-HALL.sent" beside the config

  NearRule near_rule = NearRule::kPeople;
  int near_threshold = 3;  // people ahead, or predicted minutes
  MessageTemplate near_text;
  MessageTemplate called_text;
  // A remote ticket's turn came before its citizen checked in (已到号): sent
  // once, with the time its grace ends; none when [turn] is absent.
  bool turn = false;
  MessageTemplate turn_text;

  std::string url;  // as written, for messages
  GatewayUrl gateway;
  std::string method = "POST";  // POST or PUT
  std::string content_type = "application/json";
  MessageTemplate body;
  BodyEscape escape = BodyEscape::kJson;
  int timeout_ms = 5000;
  std::vector<std::pair<std::string, std::string>> headers;  // values read (secrets included)

  int max_attempts = 6;
  int initial_ms = 1000;
  int max_ms = 60000;
  double jitter = 0.2;  // each delay is multiplied by 1 ± jitter

  device::SecurityConfig security;
};

// Placeholders each template may use.
inline constexpr std::string_view kNearPlaceholders[] = {"number", "ahead", "minutes", "hall_name",
                                                         "service"};
inline constexpr std::string_view kCalledPlaceholders[] = {"number", "window", "hall_name", "service"};
inline constexpr std::string_view kTurnPlaceholders[] = {"number", "deadline", "code", "hall_name",
                                                         "service"};
inline constexpr std::string_view kBodyPlaceholders[] = {"phone", "text",      "number", "window", "ahead",
                                                         "kind",  "hall_name", "hall",   "key"};

// `source` names the file in messages; relative paths are taken from `base_dir`.
NotifyConfig parse_notify_config(std::string_view text, const std::string& source,
                                 const std::string& base_dir = "");
NotifyConfig load_notify_config(const std::string& path);

// "http://HOST[:PORT][/PATH]" -> its parts; false for anything else (https
// included: the notifier speaks plain HTTP, to the gateway or a local TLS proxy).
bool parse_gateway_url(std::string_view url, GatewayUrl& out);

}  // namespace hallq::notify
