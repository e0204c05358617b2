// SIGTERM/SIGINT to one flag, without SA_RESTART; EINTR-proof poll and read.
#include "engine/device/signals.h"

#include <unistd.h>

#include <cerrno>
#include <optional>

namespace hallq::device {
namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) { g_stop = 1; }

void catch_signal(int sig, void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking call returns EINTR and the loop sees the flag
  ::sigaction(sig, &action, nullptr);
}

}  // namespace

void install_stop_signals() {
  catch_signal(SIGTERM, on_stop_signal);
  catch_signal(SIGINT, on_stop_signal);
  catch_signal(SIGPIPE, SIG_IGN);
}

volatile std::sig_atomic_t& stop_flag() { return g_stop; }

int poll(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout) {
  try {
    return zmq::poll(items, count, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    return 0;
  }
}

ssize_t read(int fd, void* buffer, std::size_t size) {
  for (;;) {
    const ssize_t n = ::read(fd, buffer, size);
    if (n >= 0 || errno != EINTR || stop_requested()) return n;
  }
}

void finish_pending(const std::function<bool()>& done, const std::function<void()>& step,
                    std::chrono::milliseconds grace) {
  using Clock = std::chrono::steady_clock;
  std::optional<Clock::time_point> deadline;
  while (!done()) {
    if (stop_requested() && !deadline) deadline = Clock::now() + grace;
    if (deadline && Clock::now() >= *deadline) return;
    step();
  }
}

}  // namespace hallq::device
