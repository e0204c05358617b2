// The keypad's window (SDL2 through hallq_sdl): paints keypad_layout for the
// app's current state and turns key presses into KeypadApp::press_key (the
// key's SDL name, e.g. "4" or "Keypad 4", mapped by [keypad.keys]) and
// left clicks / touches on a button (keypad_layout's hits) into KeypadApp::touch.
//
// Headless (tests, README pictures): no window, an off-screen canvas;
// snapshot() writes the current frame as PNG.
//
// Thread: the thread that created the SdlSession (SDL video). Errors:
// sdl::SdlError / sdl::FontError at construction.
#pragma once

#include <csignal>
#include <memory>
#include <string>

#include "adapters/keypad/keypad_app.h"
#include "adapters/keypad/keypad_config.h"
#include "adapters/keypad/keypad_layout.h"

namespace hallq::keypad {

class KeypadScreen {
 public:
  KeypadScreen(KeypadApp& app, const KeypadConfig& config, bool headless);
  ~KeypadScreen();
  KeypadScreen(const KeypadScreen&) = delete;
  KeypadScreen& operator=(const KeypadScreen&) = delete;

  // Handles the pending SDL events (keys and touches to the app); false once
  // the window was closed.
  bool pump();
  // A touch (or left click) at canvas coordinates (x, y).
  void touch(int x, int y);
  // Redraws if what is shown changed (or `force`); true if it drew.
  bool draw_if_changed(bool force = false);
  // The model the last frame was drawn from.
  KeypadModel model() const;
  // Writes the current frame as PNG (atomic).
  void snapshot(const std::string& path) const;
  double last_render_ms() const { return last_render_ms_; }
  // The text cache's failures (texts SDL_ttf could not render).
  std::uint64_t text_failures() const;

 private:
  struct Sdl;
  KeypadApp& app_;
  const KeypadConfig& config_;
  std::unique_ptr<Sdl> sdl_;
  std::string last_signature_;
  double last_render_ms_ = 0;
};

// The program's loop with a window: engine traffic, keys, and (headless) the
// line protocol on stdin, until `stop`, the window is closed or (headless)
// stdin ends; `snapshot` (optional) receives every changed frame as PNG and a
// "FRAME path render_ms=..." line; answers to stdin lines go to `say`.
// Returns the exit code.
int run_screen(KeypadApp& app, const KeypadConfig& config, bool headless, const std::string& snapshot,
               const KeypadApp::Say& say, volatile std::sig_atomic_t& stop);

}  // namespace hallq::keypad
