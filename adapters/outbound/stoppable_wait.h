// A wait between attempts that a stop request ends: the programs that call
// out (hallq-upload, hallq-feed) look at `stopping` every 50 ms while they
// wait for their backoff, so SIGTERM is answered within that.
#pragma once

#include <chrono>
#include <functional>

namespace hallq::outbound {

// Waits `ms`; false as soon as `stopping()` says so (also at the end).
bool wait_unless_stopping(std::chrono::milliseconds ms, const std::function<bool()>& stopping);

}  // namespace hallq::outbound
