// Draws window LED panels: rasterises each line of text into a 1-bit mask
// with the CJK font at the line's LED height (no anti-aliasing, thresholded),
// composes the panel bitmap (led_strip.h), uploads it as a W x H texture (one
// texel per LED), and draws it scaled by the dot size under a mask that turns
// every LED into a round dot; unlit LEDs stay faintly visible, as on a real
// panel. Masks are cached per (text, height); a panel's texture is updated
// only when its bitmap changed.
//
// Thread: the renderer's. Errors: SdlError at construction.
#pragma once

#include <SDL2/SDL.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "displays/screens/led_strip.h"
#include "engine/device/sdl/font_set.h"

namespace hallq::display {

class LedPainter {
 public:
  LedPainter(SDL_Renderer* renderer, sdl::FontSet& fonts, const LedConfig& config, std::size_t panels);
  ~LedPainter();
  LedPainter(const LedPainter&) = delete;
  LedPainter& operator=(const LedPainter&) = delete;

  // Composes panel `i` from its lines at `seconds` of animation time.
  const LedBitmap& compose(std::size_t i, const std::vector<LedLine>& lines, double seconds);
  // Draws panel `i` (its last composition) with its top-left at (x, y).
  void draw(std::size_t i, int x, int y);
  // The mask of `text` at `height` LEDs (cached).
  const LedMask& mask(const std::string& text, int height);

 private:
  struct Panel {
    LedBitmap bitmap;
    LedBitmap shown;  // what the texture holds
    SDL_Texture* texture = nullptr;
    bool uploaded = false;
  };
  SDL_Renderer* renderer_;
  sdl::FontSet& fonts_;
  LedConfig config_;
  std::vector<Panel> panels_;
  SDL_Texture* dots_ = nullptr;  // the dot mask over one panel
  std::map<std::pair<std::string, int>, LedMask> masks_;
};

}  // namespace hallq::display
