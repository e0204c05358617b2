// Reads with the engine's TOML reader (engine/config) so that each mistake
// becomes "FILE:LINE: what", as for hall files. Validation against the hall configs (does hall "town" have
// window "w9"?) is the caller's, since only hallqd knows the halls.
#include "engine/keys/key_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>

#include "engine/config/toml_reader.h"
#include "engine/keys/curve_keys.h"

namespace hallq::keys {
namespace {

constexpr std::array<std::string_view, 8> kRoleNames = {"kiosk",   "caller",  "keypad",  "display",
                                                        "speaker", "manager", "citizen", "notifier"};
constexpr std::string_view kSections[] = {"engine", "key"};
constexpr std::string_view kEngineKeys[] = {"secret_key_file"};
constexpr std::string_view kKeyKeys[] = {"name", "public_key", "role", "halls", "window"};

[[noreturn]] void fail(std::string_view source, const toml::source_region& where, std::string_view what) {
  throw config::ConfigError(std::string(source), config::line_of(where), std::string(what));
}

bool valid_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

std::string string_field(std::string_view source, const toml::table& t, std::string_view key, bool required) {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    if (required) fail(source, t.source(), fmt::format("key entry without {}", key));
    return {};
  }
  const auto* s = n->as_string();
  if (s == nullptr) fail(source, n->source(), fmt::format("{} must be a string", key));
  return s->get();
}

}  // namespace

std::string_view to_string(DeviceRole role) { return kRoleNames[static_cast<std::size_t>(role)]; }

std::optional<DeviceRole> device_role_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i)
    if (kRoleNames[i] == name) return static_cast<DeviceRole>(i);
  return std::nullopt;
}

bool role_needs_window(DeviceRole role) { return role == DeviceRole::kCaller || role == DeviceRole::kKeypad; }

bool role_spans_halls(DeviceRole role) {
  return role == DeviceRole::kManager || role == DeviceRole::kCitizen || role == DeviceRole::kNotifier;
}

bool role_sees_personal_data(DeviceRole role) {
  return role == DeviceRole::kManager || role == DeviceRole::kNotifier;
}

KeyRegistry KeyRegistry::parse(std::string_view toml_text, std::string_view source_name) {
  KeyRegistry reg;
  reg.source_ = source_name;
  const toml::table root = config::parse_toml(toml_text, source_name);
  if (const auto unknown = config::find_unknown_key(root, kSections))
    throw config::ConfigError(
        std::string(source_name), unknown->line,
        fmt::format("unknown section \"{}\" (expected [engine] or [[key]])", unknown->key));
  if (const toml::node* e = root.get("engine")) {
    const auto* t = e->as_table();
    if (t == nullptr) fail(source_name, e->source(), "[engine] must be a table");
    if (const auto unknown = config::find_unknown_key(*t, kEngineKeys))
      throw config::ConfigError(
          std::string(source_name), unknown->line,
          fmt::format("[engine]: unknown key \"{}\" (expected secret_key_file)", unknown->key));
    const std::string file = string_field(source_name, *t, "secret_key_file", false);
    if (!file.empty()) {
      const std::filesystem::path p(file);
      reg.engine_secret_key_file_ =
          p.is_absolute() ? file : (std::filesystem::path(source_name).parent_path() / p).string();
    }
  }
  if (const toml::node* keys = root.get("key")) {
    const auto* arr = keys->as_array();
    if (arr == nullptr || !arr->is_array_of_tables())
      fail(source_name, keys->source(), "key must be [[key]] tables");
    for (const toml::node& n : *arr) {
      const toml::table& t = *n.as_table();
      if (const auto unknown = config::find_unknown_key(t, kKeyKeys))
        throw config::ConfigError(
            std::string(source_name), unknown->line,
            fmt::format("unknown key \"{}\" (expected name, public_key, role, halls, window)", unknown->key));
      KeyEntry e;
      e.line = static_cast<int>(t.source().begin.line);
      e.name = string_field(source_name, t, "name", true);
      if (!valid_id(e.name))
        fail(source_name, t.get("name")->source(),
             fmt::format("name \"{}\": use [a-z0-9_.-], at most 64", e.name));
      e.public_key = string_field(source_name, t, "public_key", true);
      if (!is_z85_key(e.public_key))
        fail(source_name, t.get("public_key")->source(),
             fmt::format("key \"{}\": public_key must be 40 characters of Z85 (hallq keys gen writes it)",
                         e.name));
      const std::string role = string_field(source_name, t, "role", true);
      const std::optional<DeviceRole> r = device_role_from_string(role);
      if (!r)
        fail(source_name, t.get("role")->source(),
             fmt::format("key \"{}\": unknown role \"{}\" ({})", e.name, role, fmt::join(kRoleNames, ", ")));
      e.role = *r;
      const toml::node* halls = t.get("halls");
      if (halls == nullptr) fail(source_name, t.source(), fmt::format("key \"{}\": no halls", e.name));
      const auto* ha = halls->as_array();
      if (ha == nullptr || ha->empty())
        fail(source_name, halls->source(),
             fmt::format("key \"{}\": halls must be a list of hall ids, e.g. [\"town\"]", e.name));
      for (const toml::node& h : *ha) {
        const auto* s = h.as_string();
        if (s == nullptr || s->get().empty())
          fail(source_name, h.source(), fmt::format("key \"{}\": halls must hold hall ids", e.name));
        e.halls.push_back(s->get());
      }
      if (!role_spans_halls(e.role) && e.halls.size() != 1)
        fail(source_name, halls->source(),
             fmt::format("key \"{}\": a {} serves exactly one hall", e.name, role));
      e.window = string_field(source_name, t, "window", false);
      if (role_needs_window(e.role) && e.window.empty())
        fail(source_name, t.source(), fmt::format("key \"{}\": a {} needs window = \"...\"", e.name, role));
      if (!role_needs_window(e.role) && !e.window.empty())
        fail(source_name, t.get("window")->source(),
             fmt::format("key \"{}\": window applies to callers and keypads only, not a {}", e.name, role));
      if (reg.by_name_.count(e.name))
        fail(source_name, t.source(),
             fmt::format("key \"{}\" enrolled twice (first at line {})", e.name,
                         reg.entries_[reg.by_name_[e.name]].line));
      if (auto it = reg.by_key_.find(e.public_key); it != reg.by_key_.end())
        fail(source_name, t.get("public_key")->source(),
             fmt::format("key \"{}\" has the same public_key as \"{}\"", e.name,
                         reg.entries_[it->second].name));
      reg.by_name_[e.name] = reg.entries_.size();
      reg.by_key_[e.public_key] = reg.entries_.size();
      reg.entries_.push_back(std::move(e));
    }
  }
  return reg;
}

KeyRegistry KeyRegistry::load(const std::string& path) { return parse(config::read_text_file(path), path); }

const KeyEntry* KeyRegistry::by_public_key(std::string_view z85) const {
  auto it = by_key_.find(z85);
  return it == by_key_.end() ? nullptr : &entries_[it->second];
}

const KeyEntry* KeyRegistry::by_name(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &entries_[it->second];
}

std::string format_key_entry(const KeyEntry& e) {
  std::string halls;
  for (const std::string& h : e.halls) halls += fmt::format("{}\"{}\"", halls.empty() ? "" : ", ", h);
  std::string out =
      fmt::format("\n[[key]]\nname = \"{}\"\npublic_key = \"{}\"\nrole = \"{}\"\nhalls = [{}]\n", e.name,
                  e.public_key, to_string(e.role), halls);
  if (!e.window.empty()) out += fmt::format("window = \"{}\"\n", e.window);
  return out;
}

}  // namespace hallq::keys
