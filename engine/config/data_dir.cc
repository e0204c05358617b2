#include "engine/config/data_dir.h"

#include <filesystem>
#include <system_error>

#ifndef HALLQ_DATADIR
#define HALLQ_DATADIR "/usr/share/hallq"
#endif

namespace hallq::config {

std::string data_dir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      const fs::path candidate = dir / "share" / "hallq";
      if (fs::is_directory(candidate, ec)) return candidate.string();
      if (dir == dir.root_path()) break;
    }
  }
  return HALLQ_DATADIR;
}

std::string web_root() { return data_dir() + "/web"; }

std::string chart_js() { return data_dir() + "/vendor/chart.umd.js"; }

}  // namespace hallq::config
