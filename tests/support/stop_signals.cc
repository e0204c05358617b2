#include "tests/support/stop_signals.h"

#include <csignal>

namespace hallq::testing {

std::string check_stop_signals(const std::function<std::unique_ptr<ChildProcess>()>& start,
                               const std::function<bool(ChildProcess&)>& alive,
                               std::chrono::milliseconds limit) {
  for (const auto& [sig, name] : {std::pair{SIGTERM, "SIGTERM"}, std::pair{SIGINT, "SIGINT"}}) {
    const std::string round = std::string("before ") + name + ": ";
    std::unique_ptr<ChildProcess> p = start();
    if (!p || !p->running()) return round + "did not start\n" + (p ? p->output() : "");
    p->signal(SIGWINCH);
    p->signal(SIGCHLD);
    if (!alive(*p)) return round + "no answer after SIGWINCH and SIGCHLD\n" + p->output();
    if (!p->running()) return round + "died after SIGWINCH and SIGCHLD\n" + p->output();
    p->signal(sig);
    const std::optional<int> code = p->wait_exit(limit);
    if (!code) return std::string(name) + ": still running\n" + p->output();
    if (*code != 0) return std::string(name) + ": exit " + std::to_string(*code) + "\n" + p->output();
  }
  return "";
}

}  // namespace hallq::testing
