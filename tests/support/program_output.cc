#include "tests/support/program_output.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hallq::testing {

bool starts_with(const std::string& line, const std::string& prefix) { return line.starts_with(prefix); }

double field(const std::string& line, const std::string& key) {
  const std::size_t at = line.find(" " + key + " ");
  if (at == std::string::npos) return -1;
  return std::atof(line.c_str() + at + key.size() + 2);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace hallq::testing
