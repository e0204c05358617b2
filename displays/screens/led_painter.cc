// LED panels through two textures per frame and panel: the LED states
// (nearest-neighbour scaled) and the shared dot mask on top.
#include "displays/screens/led_painter.h"

#include <SDL2/SDL_ttf.h>

#include <algorithm>
#include <cmath>

#include "engine/device/sdl/sdl_init.h"

namespace hallq::display {
namespace {

Uint32 argb(int r, int g, int b) { return 0xFF000000u | (Uint32(r) << 16) | (Uint32(g) << 8) | Uint32(b); }

Uint32 led_argb(LedColor c, LedColors colors) {
  switch (c) {
    case LedColor::kRed:
      return argb(255, 40, 30);
    case LedColor::kGreen:
      return argb(50, 255, 70);
    case LedColor::kAmber:
      return argb(255, 190, 30);
    case LedColor::kOff:
      break;
  }
  return colors == LedColors::kSingle ? argb(48, 10, 10) : argb(40, 28, 14);
}

}  // namespace

LedPainter::LedPainter(SDL_Renderer* renderer, sdl::FontSet& fonts, const LedConfig& config,
                       std::size_t panels)
    : renderer_(renderer), fonts_(fonts), config_(config) {
  for (std::size_t i = 0; i < panels; ++i) {
    Panel p{LedBitmap(config.columns, config.rows), LedBitmap(config.columns, config.rows)};
    p.texture = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STREAMING,
                                  config.columns, config.rows);
    if (!p.texture) sdl::throw_sdl_error("SDL_CreateTexture(led panel)");
    SDL_SetTextureScaleMode(p.texture, SDL_ScaleModeNearest);
    panels_.push_back(std::move(p));
  }
  // One dot cell: transparent inside a circle, black around it.
  const int d = config.dot_px;
  const int w = config.columns * d, h = config.rows * d;
  SDL_Surface* s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
  if (!s) sdl::throw_sdl_error("SDL_CreateRGBSurfaceWithFormat(dots)");
  std::vector<Uint32> cell(static_cast<std::size_t>(d) * d);
  const double c = (d - 1) / 2.0, r = d <= 2 ? d : d * 0.42;
  for (int y = 0; y < d; ++y)
    for (int x = 0; x < d; ++x) {
      const double dist = std::hypot(x - c, y - c);
      cell[static_cast<std::size_t>(y) * d + x] = (d <= 2 || dist <= r) ? 0x00000000u : 0xFF000000u;
    }
  for (int y = 0; y < h; ++y) {
    auto* row = reinterpret_cast<Uint32*>(static_cast<Uint8*>(s->pixels) + y * s->pitch);
    for (int x = 0; x < w; ++x) row[x] = cell[static_cast<std::size_t>(y % d) * d + (x % d)];
  }
  dots_ = SDL_CreateTextureFromSurface(renderer_, s);
  SDL_FreeSurface(s);
  if (!dots_) sdl::throw_sdl_error("SDL_CreateTextureFromSurface(dots)");
  SDL_SetTextureBlendMode(dots_, SDL_BLENDMODE_BLEND);
}

LedPainter::~LedPainter() {
  for (Panel& p : panels_)
    if (p.texture) SDL_DestroyTexture(p.texture);
  if (dots_) SDL_DestroyTexture(dots_);
}

const LedMask& LedPainter::mask(const std::string& text, int height) {
  auto key = std::make_pair(text, height);
  auto it = masks_.find(key);
  if (it != masks_.end()) return it->second;
  LedMask m;
  m.height = height;
  if (!text.empty() && height > 0) {
    // The largest size whose ideographs (measured on 国) fit the line's height.
    int size = height + 4, top = 0;
    TTF_Font* font = nullptr;
    for (; size > 4; --size) {
      font = fonts_.get(size);
      int minx = 0, maxx = 0, miny = 0, maxy = 0, advance = 0;
      TTF_GlyphMetrics32(font, U'国', &minx, &maxx, &miny, &maxy, &advance);
      if (maxy - miny <= height) {
        top = TTF_FontAscent(font) - maxy - (height - (maxy - miny)) / 2;
        break;
      }
    }
    SDL_Surface* s = TTF_RenderUTF8_Solid(font, text.c_str(), SDL_Color{255, 255, 255, 255});
    if (s) {
      m.width = s->w;
      m.bits.assign(static_cast<std::size_t>(m.width) * height, 0);
      SDL_LockSurface(s);
      for (int y = 0; y < height; ++y) {
        const int sy = y + top;
        if (sy < 0 || sy >= s->h) continue;
        const auto* row = static_cast<const Uint8*>(s->pixels) + sy * s->pitch;
        for (int x = 0; x < s->w; ++x) m.bits[static_cast<std::size_t>(y) * m.width + x] = row[x] != 0;
      }
      SDL_UnlockSurface(s);
      SDL_FreeSurface(s);
    }
  }
  if (masks_.size() > 4096) masks_.clear();  // texts change rarely; bound the memory anyway
  return masks_.emplace(std::move(key), std::move(m)).first->second;
}

const LedBitmap& LedPainter::compose(std::size_t i, const std::vector<LedLine>& lines, double seconds) {
  Panel& p = panels_.at(i);
  p.bitmap.clear();
  const int n = static_cast<int>(lines.size());
  for (int k = 0; k < n; ++k) {
    const LineBand band = line_band(k, n, config_.rows);
    const LedMask& m = mask(lines[k].text, band.height);
    if (m.width == 0) continue;
    const int x = line_x(m.width, config_.columns, seconds, config_.scroll_speed);
    p.bitmap.blit(m, x, band.y, lines[k].color);
    if (m.width > config_.columns)
      p.bitmap.blit(m, x + scroll_period(m.width, config_.columns), band.y, lines[k].color);
  }
  return p.bitmap;
}

void LedPainter::draw(std::size_t i, int x, int y) {
  Panel& p = panels_.at(i);
  if (!p.uploaded || !(p.shown == p.bitmap)) {
    void* pixels = nullptr;
    int pitch = 0;
    if (SDL_LockTexture(p.texture, nullptr, &pixels, &pitch) == 0) {
      for (int row = 0; row < config_.rows; ++row) {
        auto* out = reinterpret_cast<Uint32*>(static_cast<Uint8*>(pixels) + row * pitch);
        for (int col = 0; col < config_.columns; ++col)
          out[col] = led_argb(p.bitmap.at(col, row), config_.colors);
      }
      SDL_UnlockTexture(p.texture);
      p.shown = p.bitmap;
      p.uploaded = true;
    }
  }
  const SDL_Rect dst{x, y, config_.columns * config_.dot_px, config_.rows * config_.dot_px};
  SDL_RenderCopy(renderer_, p.texture, nullptr, &dst);
  SDL_RenderCopy(renderer_, dots_, nullptr, &dst);
}

}  // namespace hallq::display
