#include "adapters/caller/caller_config.h"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "engine/config/toml_reader.h"

namespace hallq::caller {
namespace {

constexpr std::array<Key, 11> kAll = {Key::kCallNext, Key::kRecall,   Key::kStart,  Key::kSkip,
                                      Key::kHold,     Key::kTransfer, Key::kFinish, Key::kPause,
                                      Key::kLogin,    Key::kLogout,   Key::kQuit};
constexpr std::string_view kSections[] = {"caller", "keys", "security"};
constexpr std::string_view kCallerKeys[] = {"hall", "window", "engine", "events", "staff"};
constexpr std::string_view kKeyNames[] = {"call_next", "recall", "start", "skip",   "hold", "transfer",
                                          "finish",    "pause",  "login", "logout", "quit"};

CallerConfig parse(const toml::table& root, const std::string& source) {
  const config::TableReader r = config::TableReader::document(root, source);
  r.allow_only(kSections);
  CallerConfig c;
  c.security = device::read_security(r);
  const config::TableReader s = r.required_section("caller");
  s.allow_only(kCallerKeys);
  c.hall = s.required_string("hall");
  c.window = s.required_string("window");
  c.engine = s.string("engine", c.engine);
  c.events = s.string("events", c.events);
  c.staff = s.string("staff", "");
  const config::TableReader k = r.section("keys");
  k.allow_only(kKeyNames);
  const auto defaults = default_keys();
  for (Key key : kAll) {
    char ch = 0;
    for (const auto& [dc, dk] : defaults)
      if (dk == key) ch = dc;
    if (auto v = k.string(key_name(key))) {
      if (v->size() != 1 || static_cast<unsigned char>((*v)[0]) < 0x21 ||
          static_cast<unsigned char>((*v)[0]) > 0x7E) {
        k.fail(key_name(key), fmt::format("\"{}\": expected one printable ASCII character", *v));
      }
      ch = (*v)[0];
    }
    if (auto it = c.keys.find(ch); it != c.keys.end()) {
      k.fail(key_name(key), fmt::format("'{}' is already the key for {}", ch, key_name(it->second)));
    }
    c.keys[ch] = key;
  }
  return c;
}

}  // namespace

std::map<char, Key> default_keys() {
  return {{'n', Key::kCallNext}, {'r', Key::kRecall},   {'s', Key::kStart},  {'k', Key::kSkip},
          {'h', Key::kHold},     {'t', Key::kTransfer}, {'f', Key::kFinish}, {'p', Key::kPause},
          {'l', Key::kLogin},    {'o', Key::kLogout},   {'q', Key::kQuit}};
}

char CallerConfig::key_for(Key k) const {
  for (const auto& [c, key] : keys)
    if (key == k) return c;
  return '?';
}

std::string_view key_name(Key k) { return kKeyNames[static_cast<int>(k)]; }

std::string_view key_label(Key k) {
  static constexpr std::string_view kLabels[] = {"呼叫下一位", "重呼",     "开始办理", "过号",
                                                 "挂起",       "转事项",   "办结",     "暂停/恢复",
                                                 "登录",       "退出登录", "退出程序"};
  return kLabels[static_cast<int>(k)];
}

CallerConfig parse_caller_config(std::string_view text, const std::string& source) {
  return parse(config::parse_toml(text, source), source);
}
CallerConfig load_caller_config(const std::string& path) {
  return parse(config::parse_toml(config::read_text_file(path), path), path);
}

}  // namespace hallq::caller
