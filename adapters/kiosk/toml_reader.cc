// Device config reading: toml++ judges the syntax, this file the keys and
// types, and both report "FILE:LINE: what".
#include "adapters/kiosk/toml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace hallq::device {
namespace {

std::uint32_t line_of(const toml::source_region& where) { return where.begin.line > 0 ? where.begin.line : 1; }

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    default: return "date/time";
  }
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

}  // namespace

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && d < c.size()) {
      best = c;
      best_distance = d;
    }
  }
  return best.empty() ? std::string() : fmt::format(" (did you mean \"{}\"?)", best);
}

TomlReader::TomlReader(const std::string& path) : source_(path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DeviceConfigError(fmt::format("{}: cannot open the file", path));
  std::ostringstream text;
  text << in.rdbuf();
  parse(text.str());
}

TomlReader::TomlReader(std::string_view text, std::string source_name) : source_(std::move(source_name)) {
  parse(text);
}

void TomlReader::parse(std::string_view text) {
  try {
    root_ = toml::parse(text, source_);
  } catch (const toml::parse_error& e) {
    throw DeviceConfigError(
        fmt::format("{}:{}: syntax error: {}", source_, line_of(e.source()), e.description()));
  }
}

void TomlReader::fail(const toml::source_region& where, std::string_view what) const {
  throw DeviceConfigError(fmt::format("{}:{}: {}", source_, line_of(where), what));
}

void TomlReader::only_sections(std::span<const std::string_view> allowed) const {
  for (const auto& [key, value] : root_) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      fail(key.source(), fmt::format("unknown section \"{}\"{}", key.str(), did_you_mean(key.str(), allowed)));
    }
  }
}

Section TomlReader::section(std::string_view name) const {
  const toml::node* n = root_.get(name);
  if (n == nullptr) return Section(*this, nullptr, std::string(name));
  if (!n->is_table()) fail(n->source(), fmt::format("{}: expected a table [{}], got {}", name, name, type_name(*n)));
  return Section(*this, n->as_table(), std::string(name));
}

Section::Section(const TomlReader& reader, const toml::table* table, std::string name)
    : reader_(&reader), table_(table), name_(std::move(name)) {}

void Section::only_keys(std::span<const std::string_view> allowed) const {
  if (!table_) return;
  for (const auto& [key, value] : *table_) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      reader_->fail(key.source(), fmt::format("unknown key \"{}\" in [{}]{}", key.str(), name_,
                                              did_you_mean(key.str(), allowed)));
    }
  }
}

const toml::node* Section::node(std::string_view key) const { return table_ ? table_->get(key) : nullptr; }

void Section::fail(std::string_view key, std::string_view what) const {
  const toml::node* n = node(key);
  const toml::source_region where = n ? n->source() : (table_ ? table_->source() : toml::source_region{});
  reader_->fail(where, fmt::format("{}.{}: {}", name_, key, what));
}

std::optional<std::string> Section::string(std::string_view key) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) fail(key, fmt::format("expected a string, got {}", type_name(*n)));
  return std::string(n->as_string()->get());
}

std::string Section::string(std::string_view key, std::string fallback) const {
  return string(key).value_or(std::move(fallback));
}

std::string Section::required_string(std::string_view key) const {
  auto s = string(key);
  if (!s) {
    const toml::source_region where = table_ ? table_->source() : toml::source_region{};
    reader_->fail(where, fmt::format("missing required key \"{}\" in [{}]", key, name_));
  }
  if (s->empty()) fail(key, "must not be empty");
  return *s;
}

std::optional<std::int64_t> Section::integer(std::string_view key, std::int64_t lo, std::int64_t hi) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_integer()) fail(key, fmt::format("expected an integer, got {}", type_name(*n)));
  const std::int64_t v = n->as_integer()->get();
  if (v < lo || v > hi) fail(key, fmt::format("{} is out of range {}..{}", v, lo, hi));
  return v;
}

std::int64_t Section::integer(std::string_view key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const {
  return integer(key, lo, hi).value_or(fallback);
}

bool Section::boolean(std::string_view key, bool fallback) const {
  const toml::node* n = node(key);
  if (!n) return fallback;
  if (!n->is_boolean()) fail(key, fmt::format("expected true or false, got {}", type_name(*n)));
  return n->as_boolean()->get();
}

std::optional<std::vector<std::string>> Section::strings(std::string_view key) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_array()) fail(key, fmt::format("expected an array of strings, got {}", type_name(*n)));
  std::vector<std::string> out;
  for (const toml::node& item : *n->as_array()) {
    if (!item.is_string()) reader_->fail(item.source(), fmt::format("{}.{}: expected strings, got {}", name_, key, type_name(item)));
    out.emplace_back(item.as_string()->get());
  }
  return out;
}

}  // namespace hallq::device
