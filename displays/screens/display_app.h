// The hallq-display process: subscribes to one hall (Subscriber, Clone
// pattern), keeps a ScreenModel, and draws the hall screen or the window LED
// strips at the configured frame rate.
//
// Loop: one Subscriber::poll() (which polls the event and snapshot sockets
// together) with a timeout up to the next frame; a frame is drawn at each
// frame tick and at once when an event arrived, so an event is on screen in
// the frame right after it arrives. Event-to-frame latency is measured from
// the event's arrival (its Listener callback) to the end of the present.
//
// Output (stdout, one line each, for scripts and tests):
//   "frame 1 presented WxH driver D"                   the first frame
//   "shown seq S online B calls C frame N"             each change of what is shown
//   "snapshot FILE seq S online B"                     after each PNG written
//   "stats frames N fps F cpu_percent C latency_p50_us X latency_p99_us Y events E invalid I ..." at exit
// Thread: one (SDL's). Errors: start-up problems throw (main turns them into
// messages and exit codes); nothing from the network stops the loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "displays/screens/screen_config.h"
#include "engine/core/types.h"
#include "engine/time/system_clock.h"

namespace hallq::display {

struct AppOptions {
  bool headless = false;
  std::string driver;                 // SDL video driver to force
  std::string snapshot;               // PNG path written after each shown change
  double snapshot_every = 0;          // also every this many seconds (0: only on changes)
  long frames = 0;                    // exit after this many frames (0: no limit)
  double exit_after = 0;              // exit after this many seconds (0: no limit)
  std::optional<core::TimeUs> clock;  // frozen displayed time (also freezes animation)
  bool quiet = false;                 // no "shown" lines
  client::CurveOptions curve;         // keys for both sockets (device::load_curve); empty: plaintext
  // Until the engine is heard: the time of day shown (not owned). Then the
  // engine's clock from its heartbeats (client::Subscriber::engine_clock).
  const time::Clock* wall_clock = &time::system_clock();
};

// Runs until a signal (SIGINT/SIGTERM), the window closes, or a limit; returns
// the exit code. `screen` must already be checked against `hall_config`.
int run_display(const ScreenConfig& screen, const core::HallConfig& hall_config, const AppOptions& options);

}  // namespace hallq::display
