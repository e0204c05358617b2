// Draws a HallLayout with cached text textures (hallq_sdl's TextCache): a
// changed line is the only text re-rendered. Damage only: the canvas keeps
// the previous frame (the software renderer draws into a surface that
// persists), so when the fills are unchanged only the text items that changed
// (e.g. the clock) and the scrolling notice line are repainted; anything else
// repaints everything (a new check-in code too: every ten minutes). The
// check-in QR code is drawn in whole pixels per module (engine/qr). The
// notice scrolls by `seconds` of animation time.
//
// Thread: the renderer's. The renderer and cache must outlive the painter.
#pragma once

#include <SDL2/SDL.h>

#include "displays/screens/hall_layout.h"
#include "engine/device/sdl/text_cache.h"

namespace hallq::display {

class HallPainter {
 public:
  HallPainter(SDL_Renderer* renderer, sdl::TextCache& cache) : renderer_(renderer), cache_(cache) {}
  // `speed_px` is the notice's scroll speed in pixels per second.
  // `full`: repaint everything (first frame, window exposed or resized).
  // Returns true if everything was repainted.
  bool paint(const HallLayout& layout, double seconds, double speed_px, bool full = false);

 private:
  void draw_qr(const QrItem& item);

  SDL_Renderer* renderer_;
  sdl::TextCache& cache_;
  HallLayout last_;
  bool valid_ = false;
};

}  // namespace hallq::display
