#include "engine/server/http_static.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <sstream>

namespace hallq::server {
namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::string_view content_type_of(std::string_view file) {
  auto ends = [&](std::string_view ext) {
    return file.size() >= ext.size() && file.substr(file.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json")) return "application/json; charset=utf-8";
  if (ends(".png")) return "image/png";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

// A file name under the web root: letters, digits, '-', '_', '.', '/', no "..".
bool safe_relative(std::string_view p) {
  if (p.empty() || p.find("..") != std::string_view::npos || p.front() == '/') return false;
  for (char c : p)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/'))
      return false;
  return true;
}

}  // namespace

HttpOutcome static_file(const HttpApiOptions& options, const std::vector<std::string>& parts,
                        std::string_view path) {
  std::string file, body;
  if (parts.empty()) {
    file = options.web_root.empty() ? "" : options.web_root + "/index.html";
  } else if (parts[0] == "vendor" && parts.size() == 2 && parts[1] == "chart.umd.js") {
    file = options.chart_js;
  } else if (parts[0] == "static" && !options.web_root.empty()) {
    std::string rel;
    for (std::size_t i = 1; i < parts.size(); ++i) rel += (i > 1 ? "/" : "") + parts[i];
    if (safe_relative(rel)) file = options.web_root + "/" + rel;
  }
  if (file.empty() || !read_file(file, body))
    return HttpError{404, "not_found", fmt::format("没有 {}", path)};
  return HttpResponse{200, std::string(content_type_of(file)), std::move(body)};
}

}  // namespace hallq::server
