// SDL start-up for every SDL program of the project (hall screens, kiosk,
// keypad): RAII initialisation of SDL video and SDL_ttf, the headless mode used
// by tests and demos, and the canvas a program draws on (a window, or an
// off-screen surface when headless).
//
// Headless: SDL_VIDEODRIVER is set to "dummy" unless the environment already
// names a driver ("offscreen" also works), SDL_FRAMEBUFFER_ACCELERATION=0, and
// the canvas is an off-screen software renderer with no window at all, so the
// frames are exactly what the software renderer draws on any machine.
//
// Errors: SdlError (a std::runtime_error) with SDL's own message; start-up work
// only. Thread: SDL video must be used from the thread that created the
// session; one SdlSession per process at a time.
#pragma once

#include <SDL2/SDL.h>

#include <stdexcept>
#include <string>

namespace hallq::sdl {

class SdlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws SdlError("<what>: <SDL_GetError()>").
[[noreturn]] void throw_sdl_error(const std::string& what);

struct SessionOptions {
  bool headless = false;
  // Video driver to force ("x11", "wayland", "dummy", "offscreen"); empty:
  // the environment's SDL_VIDEODRIVER or SDL's choice ("dummy" if headless).
  std::string driver;
};

// Initialises SDL (video) and SDL_ttf; quits both on destruction.
class SdlSession {
 public:
  explicit SdlSession(const SessionOptions& options = {});
  ~SdlSession();
  SdlSession(const SdlSession&) = delete;
  SdlSession& operator=(const SdlSession&) = delete;

  bool headless() const { return headless_; }
  // The video driver in use ("x11", "dummy", ...).
  std::string driver() const;

 private:
  bool headless_;
};

struct CanvasOptions {
  std::string title = "hallq";
  int width = 1920;
  int height = 1080;
  int x = -1, y = -1;       // window position; -1: centred (a TV wall uses 0,0)
  bool fullscreen = false;  // desktop fullscreen
  bool borderless = false;  // e.g. one window spanning a wall of screens
  bool vsync = true;        // windows only: present waits for the display
  bool software = true;     // software renderer (the project's measured default)
};

// What a program draws on: a window with a renderer, or (headless) an
// off-screen ARGB8888 surface with a software renderer. Owns both.
class Canvas {
 public:
  // Headless if `session.headless()`. Throws SdlError.
  Canvas(const SdlSession& session, const CanvasOptions& options);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  SDL_Renderer* renderer() const { return renderer_; }
  SDL_Window* window() const { return window_; }  // null when headless
  bool headless() const { return window_ == nullptr; }
  // The drawable size in pixels (the renderer's output size).
  int width() const;
  int height() const;
  // SDL_RenderPresent (a no-op cost when headless).
  void present();

 private:
  SDL_Window* window_ = nullptr;
  SDL_Surface* surface_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
};

}  // namespace hallq::sdl
