#include "adapters/outbound/stoppable_wait.h"

#include <algorithm>
#include <thread>

namespace hallq::outbound {

bool wait_unless_stopping(std::chrono::milliseconds ms, const std::function<bool()>& stopping) {
  const auto until = std::chrono::steady_clock::now() + ms;
  while (std::chrono::steady_clock::now() < until) {
    if (stopping()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
  }
  return !stopping();
}

}  // namespace hallq::outbound
