// SDL and SDL_ttf start-up; the hints set here are the ones DESIGN.md measured
// (software renderer, no framebuffer acceleration for headless drivers).
#include "engine/device/sdl/sdl_init.h"

#include <SDL2/SDL_ttf.h>

#include <cstdlib>

namespace hallq::sdl {

void throw_sdl_error(const std::string& what) { throw SdlError(what + ": " + SDL_GetError()); }

SdlSession::SdlSession(const SessionOptions& options) : headless_(options.headless) {
  if (!options.driver.empty()) {
    SDL_SetHint(SDL_HINT_VIDEODRIVER, options.driver.c_str());
  } else if (headless_ && std::getenv("SDL_VIDEODRIVER") == nullptr) {
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
  }
  SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
  SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
  if (SDL_Init(SDL_INIT_VIDEO) != 0) throw_sdl_error("SDL_Init(video)");
  if (TTF_Init() != 0) {
    const std::string why = TTF_GetError();
    SDL_Quit();
    throw SdlError("TTF_Init: " + why);
  }
}

SdlSession::~SdlSession() {
  TTF_Quit();
  SDL_Quit();
}

std::string SdlSession::driver() const {
  const char* name = SDL_GetCurrentVideoDriver();
  return name ? name : "";
}

Canvas::Canvas(const SdlSession& session, const CanvasOptions& options) {
  if (options.width <= 0 || options.height <= 0)
    throw SdlError("canvas size must be positive, got " + std::to_string(options.width) + "x" +
                   std::to_string(options.height));
  if (session.headless()) {
    surface_ = SDL_CreateRGBSurfaceWithFormat(0, options.width, options.height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!surface_) throw_sdl_error("SDL_CreateRGBSurfaceWithFormat");
    renderer_ = SDL_CreateSoftwareRenderer(surface_);
    if (!renderer_) {
      SDL_FreeSurface(surface_);
      throw_sdl_error("SDL_CreateSoftwareRenderer");
    }
  } else {
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (options.fullscreen) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    if (options.borderless) flags |= SDL_WINDOW_BORDERLESS;
    const int x = options.x < 0 ? SDL_WINDOWPOS_CENTERED : options.x;
    const int y = options.y < 0 ? SDL_WINDOWPOS_CENTERED : options.y;
    window_ = SDL_CreateWindow(options.title.c_str(), x, y, options.width, options.height, flags);
    if (!window_) throw_sdl_error("SDL_CreateWindow");
    Uint32 rflags = options.software ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED;
    if (options.vsync && !options.software) rflags |= SDL_RENDERER_PRESENTVSYNC;
    renderer_ = SDL_CreateRenderer(window_, -1, rflags);
    if (!renderer_) {
      SDL_DestroyWindow(window_);
      throw_sdl_error("SDL_CreateRenderer");
    }
  }
  SDL_SetRenderDrawBlendMode(renderer_, SDL_BLENDMODE_BLEND);
}

Canvas::~Canvas() {
  if (renderer_) SDL_DestroyRenderer(renderer_);
  if (window_) SDL_DestroyWindow(window_);
  if (surface_) SDL_FreeSurface(surface_);
}

int Canvas::width() const {
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  return w;
}

int Canvas::height() const {
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  return h;
}

void Canvas::present() { SDL_RenderPresent(renderer_); }

}  // namespace hallq::sdl
