// Reading what a program under test printed or wrote: its output lines
// ("stats frames 3 fps 60.0 ...") and the files it left.
// Stateless; any thread.
#pragma once

#include <string>

namespace hallq::testing {

// Whether `line` begins with `prefix`.
bool starts_with(const std::string& line, const std::string& prefix);

// The number after `key` in a line like "stats frames 3 fps 60.0 ...", or -1
// if the line has no " key ".
double field(const std::string& line, const std::string& key);

// A whole file's bytes (empty if it cannot be read).
std::string slurp(const std::string& path);

}  // namespace hallq::testing
