// The caller's terminal screen (ncursesw): header (hall, window, online
// state, clock), staff and window state, the current ticket, today's count,
// the window's queues, the key legend, the prompt and the status line.
// Thread: the main thread; requires initscr() with a UTF-8 locale.
#pragma once

#include <string>

#include "adapters/caller/caller_config.h"
#include "adapters/caller/caller_session.h"

namespace hallq::caller {

void draw_screen(const CallerConfig& config, const WindowView* view, const CallerSession& session,
                 bool online, bool connecting, const std::string& clock);

}  // namespace hallq::caller
