#include "engine/config/side_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace hallq::config {

std::string resolve_beside(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

std::string read_secret_file(const TableReader& table, std::string_view key, const std::string& path) {
  std::string text = read_text_file(path);
  if (const std::size_t nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
  if (text.empty()) table.fail(key, fmt::format("文件 {} 是空的", path));
  return text;
}

bool is_hall_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace hallq::config
