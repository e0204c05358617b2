// Reading a device's TOML settings (speaker, keypad, kiosk, caller, voice
// pack manifests) with the hall loader's error style
// (engine/core/config_loader.h): every problem is a DeviceConfigError whose
// message names the file, the line and what is wrong, e.g.
//   conf/devices/speaker-hall.toml:7: speaker.repeat: 0 is out of range 1..9
//   conf/devices/kiosk-town.toml:3: unknown section "printr" (did you mean "printer"?)
// Unknown keys are errors (with a "did you mean" for typos), so a misspelt key
// never silently falls back to a default.
//
// Use: parse_toml(read_text_file(path), path) gives the document;
// TableReader::document(root, path) reads its top level, .section("x") the
// table [x] (absent: a reader whose getters all fall back).
//
// Ownership: a TableReader refers to the table it reads, which must outlive
// it. Thread: stateless apart from the table being read; any thread.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hallq::device {

class DeviceConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the whole file; a file that cannot be read names the path and the OS reason.
std::string read_text_file(const std::string& path);

// Parses TOML; a syntax error becomes "SOURCE:LINE: syntax error: what toml++ said".
toml::table parse_toml(std::string_view text, std::string_view source);

// " (did you mean "x"?)" when one of `candidates` is within two edits of `word`; else empty.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

// One table of a device file, e.g. [speaker]: typed getters that fail with
// the key's line.
class TableReader {
 public:
  // `section` names the table in messages ("speaker", "speaker.voice").
  TableReader(const toml::table& table, std::string_view source, std::string section);
  // The document's top level: its keys are sections ("unknown section ...").
  static TableReader document(const toml::table& root, std::string_view source);

  // The sub-table `key` ([key] of the document, or section.key); absent: a
  // reader of an empty table, present() false. A non-table is an error.
  TableReader section(std::string_view key) const;
  bool present() const { return present_; }

  // Fails on the first key not in `allowed`.
  void allow_only(std::initializer_list<std::string_view> allowed) const;
  void allow_only(std::span<const std::string_view> allowed) const;

  bool has(std::string_view key) const { return table_.contains(key); }
  std::optional<std::string> string(std::string_view key) const;
  std::string string(std::string_view key, std::string fallback) const;
  // Present and not empty.
  std::string required_string(std::string_view key) const;
  // Integers within [min, max].
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max, std::int64_t fallback) const;
  // Integers or floats within [min, max].
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
  // "SOURCE:LINE: what" at `node`.
  [[noreturn]] void fail_at(const toml::node& node, std::string_view what) const;
  // "SOURCE:LINE: what" at the table itself (e.g. "missing section [kiosk]").
  [[noreturn]] void fail_here(std::string_view what) const;
  // "section.key" ("key" at the top level), as messages name it.
  std::string ref(std::string_view key) const;
  const std::string& source() const { return source_; }
  const std::string& section_name() const { return section_; }

 private:
  const toml::node& require_type(std::string_view key, toml::node_type type, std::string_view what) const;

  const toml::table& table_;
  std::string source_;
  std::string section_;  // empty: the document's top level
  bool present_ = true;
};

}  // namespace hallq::device
