// How every device program stops and survives signals (the device program
// skeleton, device_program.h, installs this):
//   - SIGTERM and SIGINT set one flag, stop_requested(); the program's loop
//     sees it, finishes or hands over pending work and exits 0;
//   - the handlers are installed without SA_RESTART, so a blocking call
//     returns EINTR at once; poll() and read() below retry it (the wait ends
//     early, the loop looks at the flag and waits again), never throw it;
//   - SIGPIPE is ignored (a printer or socket gone away is an error value);
//   - SIGWINCH is left to whoever owns the terminal (ncurses: KEY_RESIZE);
//     poll() returns early on it too, so a resize redraws at once.
// Install on the main thread before starting threads, SDL_Init or initscr
// (SDL and ncurses then keep these handlers instead of installing their own).
// The flag is async-signal-safe; any thread may read it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstddef>
#include <functional>
#include <zmq.hpp>

namespace hallq::device {

void install_stop_signals();

// Set by SIGTERM/SIGINT (or request_stop()); loops that take a flag get this one.
volatile std::sig_atomic_t& stop_flag();
inline bool stop_requested() { return stop_flag() != 0; }
inline void request_stop() { stop_flag() = 1; }

// zmq::poll that a signal does not break: on EINTR it returns 0 (nothing
// ready, as a timeout) so that the caller's loop looks at stop_requested()
// and polls again. Other zmq errors are thrown (zmq::error_t).
int poll(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout);

// ::read that retries EINTR unless a stop was requested (then -1, errno EINTR).
ssize_t read(int fd, void* buffer, std::size_t size);

// On the way out: calls `step` (which waits a little) until `done()`, e.g.
// until a pending request is answered and its ticket printed. Once a stop
// was requested (before or during), it gives up after `grace`: work that
// cannot finish (the engine is down) stays with whoever resends it.
inline constexpr std::chrono::milliseconds kStopGrace{5000};
void finish_pending(const std::function<bool()>& done, const std::function<void()>& step,
                    std::chrono::milliseconds grace = kStopGrace);

}  // namespace hallq::device
