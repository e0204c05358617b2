// The signal check every long-running program gets (issue 15): SIGTERM and
// SIGINT each stop it with exit 0, and a harmless signal (SIGWINCH, SIGCHLD)
// arriving while it waits neither kills it nor breaks what it does next.
// Thread: the test's.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "tests/support/child_process.h"

namespace hallq::testing {

// For SIGTERM, then SIGINT: `start()` returns the program running and ready
// (it has printed its readiness line); it gets SIGWINCH and SIGCHLD;
// `alive(program)` makes it act and returns true once it has answered (a line
// it prints, with a deadline); then the stop signal, and exit 0 is expected
// within `limit`. Returns "" if all held, else what failed and the program's
// output.
std::string check_stop_signals(const std::function<std::unique_ptr<ChildProcess>()>& start,
                               const std::function<bool(ChildProcess&)>& alive,
                               std::chrono::milliseconds limit = std::chrono::seconds(15));

}  // namespace hallq::testing
