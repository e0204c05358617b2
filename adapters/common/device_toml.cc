// Device config reading: toml++ judges the syntax, this file the keys and
// types, and both report "FILE:LINE: what".
#include "adapters/common/device_toml.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hallq::device {
namespace {

std::uint32_t line_of(const toml::source_region& where) {
  return where.begin.line > 0 ? where.begin.line : 1;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    default:
      return "a date or time";
  }
}

}  // namespace

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DeviceConfigError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw DeviceConfigError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  return text.str();
}

toml::table parse_toml(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw DeviceConfigError(
        fmt::format("{}:{}: syntax error: {}", source, line_of(e.source()), e.description()));
  }
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && d < c.size()) best = c, best_distance = d;
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean \"{}\"?)", best);
}

TableReader::TableReader(const toml::table& table, std::string_view source, std::string section)
    : table_(table), source_(source), section_(std::move(section)) {}

TableReader TableReader::document(const toml::table& root, std::string_view source) {
  return TableReader(root, source, "");
}

TableReader TableReader::section(std::string_view key) const {
  const std::string name = section_.empty() ? std::string(key) : ref(key);
  if (const toml::table* t = table(key)) return TableReader(*t, source_, name);
  static const toml::table kEmpty;  // immutable: the absent section's keys
  TableReader absent(kEmpty, source_, name);
  absent.present_ = false;
  return absent;
}

std::string TableReader::ref(std::string_view key) const {
  return section_.empty() ? std::string(key) : fmt::format("{}.{}", section_, key);
}

std::uint32_t TableReader::line(std::string_view key) const {
  if (const toml::node* n = table_.get(key)) return line_of(n->source());
  return line_of(table_.source());
}

void TableReader::fail(std::string_view key, std::string_view what) const {
  throw DeviceConfigError(fmt::format("{}:{}: {}: {}", source_, line(key), ref(key), what));
}

void TableReader::fail_at(const toml::node& node, std::string_view what) const {
  throw DeviceConfigError(fmt::format("{}:{}: {}", source_, line_of(node.source()), what));
}

void TableReader::fail_here(std::string_view what) const {
  throw DeviceConfigError(fmt::format("{}:{}: {}", source_, line_of(table_.source()), what));
}

void TableReader::allow_only(std::initializer_list<std::string_view> allowed) const {
  allow_only(std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

void TableReader::allow_only(std::span<const std::string_view> allowed) const {
  for (auto&& [key, node] : table_) {
    const std::string_view k = key.str();
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    if (section_.empty()) {
      throw DeviceConfigError(fmt::format("{}:{}: unknown section \"{}\"{}", source_, line_of(key.source()),
                                          k, did_you_mean(k, allowed)));
    }
    throw DeviceConfigError(fmt::format("{}:{}: unknown key \"{}\" in [{}]{}", source_, line_of(key.source()),
                                        k, section_, did_you_mean(k, allowed)));
  }
}

const toml::node& TableReader::require_type(std::string_view key, toml::node_type type,
                                            std::string_view what) const {
  const toml::node& n = *table_.get(key);
  if (n.type() != type) fail(key, fmt::format("expected {}, got {}", what, type_name(n.type())));
  return n;
}

std::optional<std::string> TableReader::string(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return std::string(*require_type(key, toml::node_type::string, "a string").value<std::string_view>());
}

std::string TableReader::string(std::string_view key, std::string fallback) const {
  std::optional<std::string> v = string(key);
  return v ? *v : fallback;
}

std::string TableReader::required_string(std::string_view key) const {
  if (!has(key))
    throw DeviceConfigError(fmt::format("{}:{}: missing required key \"{}\" in [{}]", source_, line(key), key,
                                        section_.empty() ? "(top level)" : section_));
  std::string v = *string(key);
  if (v.empty()) fail(key, "must not be empty");
  return v;
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) const {
  if (!has(key)) return std::nullopt;
  const std::int64_t v = *require_type(key, toml::node_type::integer, "an integer").value<std::int64_t>();
  if (v < min || v > max) fail(key, fmt::format("{} is out of range {}..{}", v, min, max));
  return v;
}

std::int64_t TableReader::integer(std::string_view key, std::int64_t min, std::int64_t max,
                                  std::int64_t fallback) const {
  return integer(key, min, max).value_or(fallback);
}

double TableReader::number(std::string_view key, double min, double max, double fallback) const {
  if (!has(key)) return fallback;
  const toml::node& n = *table_.get(key);
  if (!n.is_number()) fail(key, fmt::format("expected a number, got {}", type_name(n.type())));
  const double v = *n.value<double>();
  if (!std::isfinite(v) || v < min || v > max)
    fail(key, fmt::format("{} is out of range {}..{}", v, min, max));
  return v;
}

bool TableReader::boolean(std::string_view key, bool fallback) const {
  if (!has(key)) return fallback;
  return *require_type(key, toml::node_type::boolean, "true or false").value<bool>();
}

std::optional<std::vector<std::string>> TableReader::strings(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  const toml::array& arr = *require_type(key, toml::node_type::array, "an array of strings").as_array();
  std::vector<std::string> out;
  for (const toml::node& e : arr) {
    if (!e.is_string())
      fail_at(e, fmt::format("{}: expected strings, got {}", ref(key), type_name(e.type())));
    out.emplace_back(*e.value<std::string_view>());
  }
  return out;
}

const toml::table* TableReader::table(std::string_view key) const {
  if (!has(key)) return nullptr;
  return require_type(key, toml::node_type::table, "a table").as_table();
}

std::vector<const toml::table*> TableReader::tables(std::string_view key) const {
  std::vector<const toml::table*> out;
  if (!has(key)) return out;
  const toml::array& arr = *require_type(key, toml::node_type::array, "an array of tables").as_array();
  for (const toml::node& e : arr) {
    if (!e.is_table()) fail_at(e, fmt::format("{}: expected tables, got {}", ref(key), type_name(e.type())));
    out.push_back(e.as_table());
  }
  return out;
}

}  // namespace hallq::device
