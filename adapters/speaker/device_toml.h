// Reading a device's TOML settings (speaker, keypad) with the same error
// style as the hall loader (engine/core/config_loader.h): every problem is a
// DeviceConfigError whose message names the file, the line and what is wrong,
//   conf/devices/speaker-hall.toml:7: speaker.repeat: 0 is out of range 1..9
// Unknown keys are errors (with a "did you mean" for typos).
//
// Thread: stateless apart from the table being read; any thread.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hallq::devconf {

class DeviceConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the whole file; a file that cannot be read names the path and the OS reason.
std::string read_text_file(const std::string& path);

// Parses TOML; a syntax error becomes "SOURCE:LINE: what toml++ said".
toml::table parse_toml(std::string_view text, std::string_view source);

// One table of a device file, e.g. [speaker]: typed getters that fail with
// the key's line. The table must outlive the reader.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string_view source, std::string section);

  // Fails on the first key not in `allowed`.
  void allow_only(std::initializer_list<std::string_view> allowed) const;

  bool has(std::string_view key) const { return table_.contains(key); }
  std::optional<std::string> string(std::string_view key) const;
  std::string string(std::string_view key, std::string fallback) const;
  std::string required_string(std::string_view key) const;
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max, std::int64_t fallback) const;
  double number(std::string_view key, double min, double max, double fallback) const;
  bool boolean(std::string_view key, bool fallback) const;
  // An array of strings; nullopt when absent.
  std::optional<std::vector<std::string>> strings(std::string_view key) const;
  // A sub-table; null when absent (a non-table is an error).
  const toml::table* table(std::string_view key) const;
  // An array of tables ([[section.key]] or key = [{...}]); empty when absent.
  std::vector<const toml::table*> tables(std::string_view key) const;

  // The line of `key` (of the table when absent).
  std::uint32_t line(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, std::string_view what) const;
  [[noreturn]] void fail_at(const toml::node& node, std::string_view what) const;
  // "section.key", as messages name it.
  std::string ref(std::string_view key) const;
  const std::string& source() const { return source_; }
  const std::string& section() const { return section_; }

 private:
  const toml::node& require_type(std::string_view key, toml::node_type type, std::string_view what) const;

  const toml::table& table_;
  std::string source_;
  std::string section_;
};

}  // namespace hallq::devconf
