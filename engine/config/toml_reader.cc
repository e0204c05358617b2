// toml++ keeps a source region per node and key, so every message can point
// at the line at fault; this file turns those into ConfigErrors.
#include "engine/config/toml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "engine/config/suggest.h"

namespace hallq::config {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::string read_text_file(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw ConfigError(path, 0, fmt::format("cannot open: {}", std::strerror(errno)));
  std::string text;
  char buffer[1 << 14];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
  // fopen succeeds on a directory; the read is what fails (EISDIR).
  if (std::ferror(file.get()))
    throw ConfigError(path, 0, fmt::format("cannot read: {}", std::strerror(errno)));
  return text;
}

toml::table parse_toml(std::string_view text, std::string_view source, SyntaxWording wording) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const toml::source_position& at = e.source().begin;
    throw ConfigError(std::string(source), line_of(e.source()),
                      wording == SyntaxWording::kWithColumn
                          ? fmt::format("TOML syntax error (column {}): {}", at.column, e.description())
                          : fmt::format("syntax error: {}", e.description()));
  }
}

toml::table read_toml_file(const std::string& path, SyntaxWording wording) {
  return parse_toml(read_text_file(path), path, wording);
}

std::uint32_t line_of(const toml::source_region& where) {
  return where.begin.line > 0 ? where.begin.line : 1;
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
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::optional<UnknownKey> find_unknown_key(const toml::table& table,
                                           std::span<const std::string_view> allowed) {
  for (auto&& [key, node] : table) {
    const std::string_view k = key.str();
    if (std::find(allowed.begin(), allowed.end(), k) != allowed.end()) continue;
    return UnknownKey{std::string(k), line_of(key.source()), std::string(closest(k, allowed))};
  }
  return std::nullopt;
}

TableReader::TableReader(const toml::table& table, std::string_view source, std::string section)
    : table_(table), source_(source), section_(std::move(section)) {}

TableReader TableReader::document(const toml::table& root, std::string_view source) {
  return TableReader(root, source, "");
}

TableReader TableReader::item(const toml::table& table, std::string_view source, std::string section,
                              std::string label) {
  TableReader r(table, source, std::move(section));
  r.label_ = std::move(label);
  return r;
}

TableReader TableReader::terse() const {
  TableReader r = *this;
  r.terse_ = true;
  return r;
}

TableReader TableReader::section(std::string_view key) const {
  const std::string name = section_.empty() ? std::string(key) : ref(key);
  TableReader child = [&] {
    if (const toml::table* t = table(key)) return TableReader(*t, source_, name);
    static const toml::table kEmpty;  // immutable: the absent section's keys
    TableReader absent(kEmpty, source_, name);
    absent.present_ = false;
    return absent;
  }();
  child.terse_ = terse_;
  return child;
}

TableReader TableReader::required_section(std::string_view key) const {
  TableReader child = section(key);
  if (!child.present()) fail_at(table_.source(), fmt::format("missing required table [{}]", child.section_));
  return child;
}

std::string TableReader::ref(std::string_view key) const {
  if (!label_.empty()) return fmt::format("{}: {}", label_, key);
  return section_.empty() ? std::string(key) : fmt::format("{}.{}", section_, key);
}

std::string TableReader::lead() const { return label_.empty() ? std::string() : label_ + ": "; }

std::string TableReader::header() const {
  if (!label_.empty()) return fmt::format("[[{}]]", section_);
  return section_.empty() ? std::string("the top level") : fmt::format("[{}]", section_);
}

std::uint32_t TableReader::line(std::string_view key) const {
  if (const toml::node* n = table_.get(key)) return line_of(n->source());
  return line_of(table_.source());
}

void TableReader::fail(std::string_view key, std::string_view what) const {
  throw ConfigError(source_, line(key), fmt::format("{}: {}", ref(key), what));
}

void TableReader::fail_type(std::string_view key, std::string_view what) const {
  fail(key, expected(what, *table_.get(key)));
}

void TableReader::fail_at(const toml::source_region& where, std::string_view what,
                          std::string_view suggestion) const {
  throw ConfigError(source_, line_of(where), std::string(what), std::string(suggestion));
}

void TableReader::fail_here(std::string_view what) const { fail_at(table_.source(), what); }

std::string TableReader::expected(std::string_view what, const toml::node& found) const {
  return terse_ ? fmt::format("expected {}", what)
                : fmt::format("expected {}, got {}", what, type_name(found.type()));
}

void TableReader::allow_only(std::initializer_list<std::string_view> allowed) const {
  allow_only(std::span<const std::string_view>(allowed.begin(), allowed.size()));
}

void TableReader::allow_only(std::span<const std::string_view> allowed) const {
  const std::optional<UnknownKey> unknown = unknown_key(allowed);
  if (!unknown) return;
  throw ConfigError(source_, unknown->line,
                    section_.empty()
                        ? fmt::format("unknown section \"{}\"", unknown->key)
                        : fmt::format("{}unknown key \"{}\" in {}", lead(), unknown->key, header()),
                    unknown->suggestion);
}

void TableReader::require(std::string_view key) const {
  if (!has(key))
    throw ConfigError(source_, line(key),
                      fmt::format("{}missing required key \"{}\" in {}", lead(), key, header()));
}

const toml::node& TableReader::typed(std::string_view key, toml::node_type type,
                                     std::string_view what) const {
  const toml::node& n = *table_.get(key);
  if (n.type() != type) fail_type(key, what);
  return n;
}

std::optional<std::string> TableReader::string(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return std::string(*typed(key, toml::node_type::string, "a string").value<std::string_view>());
}

std::string TableReader::string(std::string_view key, std::string fallback) const {
  std::optional<std::string> v = string(key);
  return v ? *v : fallback;
}

std::string TableReader::required_string(std::string_view key) const {
  require(key);
  std::string v = *string(key);
  if (v.empty()) fail(key, "must not be empty");
  return v;
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) const {
  if (!has(key)) return std::nullopt;
  const std::int64_t v = *typed(key, toml::node_type::integer, "an integer").value<std::int64_t>();
  if (v < min || v > max) fail(key, fmt::format("{} is out of range {}..{}", v, min, max));
  return v;
}

std::int64_t TableReader::integer(std::string_view key, std::int64_t min, std::int64_t max,
                                  std::int64_t fallback) const {
  return integer(key, min, max).value_or(fallback);
}

std::optional<double> TableReader::number(std::string_view key, double min, double max) const {
  if (!has(key)) return std::nullopt;
  const toml::node& n = *table_.get(key);
  if (!n.is_number()) fail_type(key, "a number");
  const double v = *n.value<double>();
  if (!std::isfinite(v)) fail(key, "must be a finite number");
  if (v < min || v > max) fail(key, fmt::format("{} is out of range {}..{}", v, min, max));
  return v;
}

double TableReader::number(std::string_view key, double min, double max, double fallback) const {
  return number(key, min, max).value_or(fallback);
}

bool TableReader::boolean(std::string_view key, bool fallback) const {
  if (!has(key)) return fallback;
  return *typed(key, toml::node_type::boolean, "true or false").value<bool>();
}

std::optional<std::vector<std::string>> TableReader::strings(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  const toml::array& arr = *typed(key, toml::node_type::array, "an array of strings").as_array();
  std::vector<std::string> out;
  for (const toml::node& e : arr) {
    if (!e.is_string())
      fail_at(e.source(), terse_
                              ? fmt::format("{}: expected an array of strings", ref(key))
                              : fmt::format("{}: expected strings, got {}", ref(key), type_name(e.type())));
    out.emplace_back(*e.value<std::string_view>());
  }
  return out;
}

const toml::table* TableReader::table(std::string_view key) const {
  if (!has(key)) return nullptr;
  return typed(key, toml::node_type::table, fmt::format("a table [{}]", ref(key))).as_table();
}

std::vector<const toml::table*> TableReader::tables(std::string_view key) const {
  std::vector<const toml::table*> out;
  if (!has(key)) return out;
  const toml::array& arr =
      *typed(key, toml::node_type::array, fmt::format("an array of tables [[{}]]", ref(key))).as_array();
  for (const toml::node& e : arr) {
    if (!e.is_table())
      fail_at(e.source(), fmt::format("{}: {}", ref(key), expected("each item to be a table", e)));
    out.push_back(e.as_table());
  }
  return out;
}

}  // namespace hallq::config
