// Reading a device's TOML config (kiosk, caller) with the hall loader's error
// style: every problem is a DeviceConfigError whose message names the file,
// the line and what is wrong, e.g.
//   conf/devices/kiosk-town.toml:7: printer.port: expected an integer, got string
// Unknown keys are errors (with a "did you mean" for typos), so a misspelt key
// never silently falls back to a default.
//
// Thread: a TomlReader and its Sections are used by one thread; the parsed
// document is owned by the reader and must outlive the Sections.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
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

class TomlReader;

// One table of the document (e.g. [printer]); reads typed values and checks
// that no unknown key is present.
class Section {
 public:
  Section(const TomlReader& reader, const toml::table* table, std::string name);

  bool present() const { return table_ != nullptr; }
  const std::string& name() const { return name_; }
  // Fails on the first key of the table not in `allowed`.
  void only_keys(std::span<const std::string_view> allowed) const;

  std::optional<std::string> string(std::string_view key) const;
  std::string string(std::string_view key, std::string fallback) const;
  std::string required_string(std::string_view key) const;
  // Integers within [lo, hi].
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t lo, std::int64_t hi) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const;
  bool boolean(std::string_view key, bool fallback) const;
  std::optional<std::vector<std::string>> strings(std::string_view key) const;

  // "FILE:LINE: section.key: what" at `key` (or the table when absent).
  [[noreturn]] void fail(std::string_view key, std::string_view what) const;

 private:
  const toml::node* node(std::string_view key) const;

  const TomlReader* reader_;
  const toml::table* table_;
  std::string name_;
};

class TomlReader {
 public:
  // Reads and parses `path`; a missing file or a syntax error is a
  // DeviceConfigError naming the path (and the line).
  explicit TomlReader(const std::string& path);
  // Parses `text`; `source_name` is used in messages.
  TomlReader(std::string_view text, std::string source_name);

  const std::string& source() const { return source_; }
  // Fails on the first top-level key not in `allowed`.
  void only_sections(std::span<const std::string_view> allowed) const;
  // The table `name` (absent: a Section with present() false); a non-table
  // value under that name is an error.
  Section section(std::string_view name) const;

  [[noreturn]] void fail(const toml::source_region& where, std::string_view what) const;

 private:
  void parse(std::string_view text);

  std::string source_;
  toml::table root_;
};

// " (did you mean "x"?)" when one of `candidates` is within two edits of `word`.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace hallq::device
