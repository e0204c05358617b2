#include "tests/support/run_program.h"

#include <chrono>

#include "tests/support/child_process.h"
#include "tests/support/program_output.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {

RunResult run_program(const std::string& path, const std::vector<std::string>& args) {
  const TempDir dir("hallq-run");
  ChildProcess program(path, args, {.stderr_path = dir.sub("err")});
  program.close_stdin();
  RunResult r;
  r.exit_code = program.wait_exit(std::chrono::hours(24)).value_or(-1);  // no deadline in practice
  r.out = program.output();
  r.err = slurp(dir.sub("err"));
  return r;
}

}  // namespace hallq::testing
