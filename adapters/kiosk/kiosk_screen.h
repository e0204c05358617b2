// The kiosk's touch screen (SDL2 through hallq_sdl): draws the layout of
// kiosk_layout for the current tiles and session, turns mouse and finger
// touches into KioskApp actions, and runs the program's loop.
//
// Headless (tests, README): no window; stdin lines are the KioskApp's lines
// plus "touch X Y" (a tap at canvas pixel X, Y). With `snapshot`, every frame
// that differs from the last is written there as PNG and announced as
// {"event":"frame","path":...,"render_ms":...}.
//
// Thread: the main thread (SDL video). Errors: sdl::SdlError / FontError at start.
#pragma once

#include <csignal>
#include <string>

#include "adapters/kiosk/kiosk_app.h"
#include "adapters/kiosk/kiosk_config.h"

namespace hallq::kiosk {

int run_screen(KioskApp& app, const KioskConfig& config, bool headless, const std::string& snapshot,
               volatile std::sig_atomic_t& stop);

}  // namespace hallq::kiosk
