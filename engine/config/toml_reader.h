// The one TOML reading helper of hallq: hall files, screen files, device
// files, voice pack manifests, the accounts and enrolled-keys files and key
// files are all read through it. toml++ judges the syntax; this helper the
// keys and types, and every problem is a ConfigError naming the file and the
// line (config_error.h), e.g.
//   conf/devices/speaker-hall.toml:7: speaker.repeat: 0 is out of range 1..9
//   conf/devices/kiosk-town.toml:3: unknown section "printr" (did you mean "printer"?)
// Unknown keys are errors (with a "did you mean" for typos, suggest.h), so a
// misspelt key never silently falls back to a default.
//
// Use: read_toml_file(path) (or parse_toml(text, source)) gives the
// document; TableReader::document(root, source) reads its top level,
// .section("x") the table [x] (absent: a reader whose getters all fall back),
// TableReader::item() one table of an array [[x]].
//
// Ownership: a TableReader refers to the table it reads, which must outlive
// it. Thread: stateless apart from the table being read; any thread.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config_error.h"

namespace hallq::config {

// Reads the whole file; one that cannot be opened or read is a ConfigError
// "PATH: cannot open: REASON" (or "cannot read", e.g. a directory).
std::string read_text_file(const std::string& path);

// How a TOML syntax error reads.
enum class SyntaxWording {
  kPlain,       // "SOURCE:LINE: syntax error: WHAT TOML++ SAID"
  kWithColumn,  // "SOURCE:LINE: TOML syntax error (column C): WHAT" (hall files)
};
// Parses TOML; `source` (a path) names the document in messages.
toml::table parse_toml(std::string_view text, std::string_view source,
                       SyntaxWording wording = SyntaxWording::kPlain);
// read_text_file, then parse_toml.
toml::table read_toml_file(const std::string& path, SyntaxWording wording = SyntaxWording::kPlain);

// The line a node or key starts on (1 when toml++ knows none).
std::uint32_t line_of(const toml::source_region& where);
// "string", "integer", "float", "boolean", "table", "array", "date", ...
std::string_view type_name(toml::node_type type);

// The first key of a table that is not allowed, for readers that word the
// message themselves; `suggestion` is the closest allowed key or empty.
struct UnknownKey {
  std::string key;
  std::uint32_t line = 1;
  std::string suggestion;
};
std::optional<UnknownKey> find_unknown_key(const toml::table& table,
                                           std::span<const std::string_view> allowed);

// One table of a document, e.g. [speaker]: typed getters that fail with the
// key's line. Messages name a key "section.key" ("key" at the top level;
// `label: key` for an item of [[section]]).
class TableReader {
 public:
  // `section` names the table in messages ("speaker", "speaker.voice").
  TableReader(const toml::table& table, std::string_view source, std::string section);
  // The document's top level: its keys are sections ("unknown section ...").
  static TableReader document(const toml::table& root, std::string_view source);
  // One table of the array [[section]], named `label` in messages
  // (`window "w3"`): `window "w3": kind: ...`, `... unknown key "x" in [[window]]`.
  static TableReader item(const toml::table& table, std::string_view source, std::string section,
                          std::string label);
  // The same reader, with type errors that do not name the type found
  // ("expected an integer" rather than "expected an integer, got string"),
  // as screen files have always worded them; sections inherit it.
  TableReader terse() const;

  // The sub-table `key` ([key] of the document, or section.key); absent: a
  // reader of an empty table, present() false. A non-table is an error.
  TableReader section(std::string_view key) const;
  // The same, but absent is an error: "missing required table [key]".
  TableReader required_section(std::string_view key) const;
  bool present() const { return present_; }

  // Fails on the first key not in `allowed`: `unknown key "x" in [section]`
  // (at the top level `unknown section "x"`), with a suggestion for a typo.
  void allow_only(std::initializer_list<std::string_view> allowed) const;
  void allow_only(std::span<const std::string_view> allowed) const;
  std::optional<UnknownKey> unknown_key(std::span<const std::string_view> allowed) const {
    return find_unknown_key(table_, allowed);
  }

  bool has(std::string_view key) const { return table_.contains(key); }
  // The node under `key`; null when absent.
  const toml::node* node(std::string_view key) const { return table_.get(key); }
  // Fails unless `key` is present: `missing required key "key" in [section]`.
  void require(std::string_view key) const;

  std::optional<std::string> string(std::string_view key) const;
  std::string string(std::string_view key, std::string fallback) const;
  // Present and not empty.
  std::string required_string(std::string_view key) const;
  // Integers within [min, max].
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max, std::int64_t fallback) const;
  // Integers or floats, finite and within [min, max].
  std::optional<double> number(std::string_view key, double min = -std::numeric_limits<double>::infinity(),
                               double max = std::numeric_limits<double>::infinity()) const;
  double number(std::string_view key, double min, double max, double fallback) const;
  bool boolean(std::string_view key, bool fallback) const;
  // An array of strings; nullopt when absent.
  std::optional<std::vector<std::string>> strings(std::string_view key) const;
  // A sub-table; null when absent (a non-table is an error).
  const toml::table* table(std::string_view key) const;
  // An array of tables ([[section.key]] or key = [{...}]); empty when absent.
  std::vector<const toml::table*> tables(std::string_view key) const;

  // The line of `key` (of the table when absent; 1 for an absent table).
  std::uint32_t line(std::string_view key) const;
  // "SOURCE:LINE: section.key: what" at `key`.
  [[noreturn]] void fail(std::string_view key, std::string_view what) const;
  // "SOURCE:LINE: section.key: expected WHAT, got TYPE" at `key`.
  [[noreturn]] void fail_type(std::string_view key, std::string_view expected) const;
  // "SOURCE:LINE: what" at a node or key of the table, with an optional suggestion.
  [[noreturn]] void fail_at(const toml::source_region& where, std::string_view what,
                            std::string_view suggestion = {}) const;
  // "SOURCE:LINE: what" at the table itself (e.g. a rule across its keys).
  [[noreturn]] void fail_here(std::string_view what) const;

  // "section.key" as messages name it ("key" at the top level, `label: key` for an item).
  std::string ref(std::string_view key) const;
  // What messages about the table as a whole start with: `label: ` for an item, else "".
  std::string lead() const;
  // How messages name the table: "[section]", "[[section]]" or "the top level".
  std::string header() const;
  const std::string& source() const { return source_; }
  const std::string& section_name() const { return section_; }

 private:
  // The node under `key`, which must be present, checked to be of `type`.
  const toml::node& typed(std::string_view key, toml::node_type type, std::string_view what) const;
  std::string expected(std::string_view what, const toml::node& found) const;

  const toml::table& table_;
  std::string source_;
  std::string section_;  // empty: the document's top level
  std::string label_;    // items of [[section]]: how messages name the item
  bool present_ = true;
  bool terse_ = false;
};

}  // namespace hallq::config
