// Runs a program to completion and captures what it printed: the CLI and
// start-up tests' way of asking "what does `hallq ...` say and return".
// Thread: any (each call runs its own child).
#pragma once

#include <string>
#include <vector>

namespace hallq::testing {

struct RunResult {
  int exit_code = -1;  // 128 + signal if killed by one
  std::string out, err;
};

// Runs `path args...` with stdin at end of file, stdout and stderr captured
// separately, and waits for it to exit (no deadline).
RunResult run_program(const std::string& path, const std::vector<std::string>& args);

}  // namespace hallq::testing
