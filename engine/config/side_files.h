// What a program's config (the devices', the uploader's, the feed's) names
// beside itself: paths relative to the config file's folder, secrets kept in
// files of their own (a token, a password: never in the config itself), and
// hall ids in the engine's form.
//
// Pure but for read_secret_file (reads one file). Thread: any.
#pragma once

#include <string>
#include <string_view>

#include "engine/config/toml_reader.h"

namespace hallq::config {

// `path` as it is when absolute (or when there is no base), else relative
// to `base_dir` (the config file's folder).
std::string resolve_beside(const std::string& base_dir, const std::string& path);

// The first line of the file at `path`, trailing blanks and CR cut. A file
// that cannot be read is read_text_file's ConfigError ("PATH: cannot open:
// REASON"); an empty first line one naming `key` of `table` (its file and
// line): "文件 PATH 是空的".
std::string read_secret_file(const TableReader& table, std::string_view key, const std::string& path);

// A hall id as the engine accepts one (core::HallConfig): [a-z0-9-], 1..64.
bool is_hall_id(std::string_view id);

}  // namespace hallq::config
