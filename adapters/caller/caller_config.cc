#include "adapters/caller/caller_config.h"

#include <fmt/format.h>

#include <array>
#include <vector>

#include "engine/config/toml_reader.h"

namespace hallq::caller {
namespace {

constexpr bool table_in_key_order() {
  for (std::size_t i = 0; i < kKeyTable.size(); ++i)
    if (static_cast<std::size_t>(kKeyTable[i].key) != i) return false;
  return true;
}
static_assert(table_in_key_order(), "kKeyTable is indexed by Key");

constexpr std::string_view kSections[] = {"caller", "keys", "security"};
constexpr std::string_view kCallerKeys[] = {"hall", "window", "engine", "events", "staff"};

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
  std::vector<std::string_view> names;
  for (const KeySpec& spec : kKeyTable) names.push_back(spec.name);
  k.allow_only(names);
  for (const KeySpec& spec : kKeyTable) {
    const Key key = spec.key;
    char ch = spec.default_char;
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
  std::map<char, Key> keys;
  for (const KeySpec& spec : kKeyTable) keys[spec.default_char] = spec.key;
  return keys;
}

char CallerConfig::key_for(Key k) const {
  for (const auto& [c, key] : keys)
    if (key == k) return c;
  return '?';
}

std::string_view key_name(Key k) { return kKeyTable[static_cast<int>(k)].name; }
std::string_view key_label(Key k) { return kKeyTable[static_cast<int>(k)].label; }

CallerConfig parse_caller_config(std::string_view text, const std::string& source) {
  return parse(config::parse_toml(text, source), source);
}
CallerConfig load_caller_config(const std::string& path) {
  return parse(config::parse_toml(config::read_text_file(path), path), path);
}

}  // namespace hallq::caller
