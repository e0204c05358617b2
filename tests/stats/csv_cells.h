// The cells of one line of the report's CSV tables (no quoting in them: ids,
// numbers and dates); a trailing comma ends with an empty cell.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace hallq::stats::test {

inline std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream s(line);
  while (std::getline(s, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

}  // namespace hallq::stats::test
