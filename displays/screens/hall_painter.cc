// The hall screen's SDL side: fills, cached texts, and the clipped marquee.
#include "displays/screens/hall_painter.h"

#include <cmath>

#include "engine/qr/qr_matrix.h"

namespace hallq::display {
namespace {

SDL_Rect rect(const Box& b) { return SDL_Rect{b.x, b.y, b.w, b.h}; }
SDL_Color color(const Rgba& c) { return SDL_Color{c.r, c.g, c.b, c.a}; }
sdl::Align align(HAlign a) {
  return a == HAlign::kCenter  ? sdl::Align::kCenter
         : a == HAlign::kRight ? sdl::Align::kRight
                               : sdl::Align::kLeft;
}

}  // namespace

// Whole pixels per module, the symbol and its 4-module quiet zone centred in
// the box (on the layout's white fill); black modules.
void HallPainter::draw_qr(const QrItem& item) {
  const qr::QrMatrix m = qr::encode_qr(item.data, qr::Ecc::kM);
  const int module = item.box.w / (m.size + 8);
  if (module < 1) return;  // too small to scan: leave the white square
  const int x0 = item.box.x + (item.box.w - module * m.size) / 2;
  const int y0 = item.box.y + (item.box.h - module * m.size) / 2;
  SDL_SetRenderDrawColor(renderer_, 0, 0, 0, 255);
  for (int y = 0; y < m.size; ++y)
    for (int x = 0; x < m.size; ++x) {
      if (!m.at(x, y)) continue;
      const SDL_Rect r{x0 + x * module, y0 + y * module, module, module};
      SDL_RenderFillRect(renderer_, &r);
    }
}

bool HallPainter::paint(const HallLayout& layout, double seconds, double speed_px, bool full) {
  full = full || !valid_ || layout.fills != last_.fills || layout.texts.size() != last_.texts.size() ||
         !(layout.marquee.box == last_.marquee.box) || !(layout.qr == last_.qr);
  // Fills are opaque: no per-pixel blending (the software renderer's blended fill is far slower).
  SDL_SetRenderDrawBlendMode(renderer_, SDL_BLENDMODE_NONE);
  auto fill = [&](const Box& box, const Rgba& c) {
    SDL_SetRenderDrawColor(renderer_, c.r, c.g, c.b, c.a);
    const SDL_Rect r = rect(box);
    SDL_RenderFillRect(renderer_, &r);
  };
  // The colour under a box: the last fill containing it.
  auto under = [&](const Box& box) {
    Rgba c = layout.fills.empty() ? Rgba{} : layout.fills.front().color;
    for (const FillItem& f : layout.fills)
      if (f.box.contains(box)) c = f.color;
    return c;
  };
  if (full) {
    for (const FillItem& f : layout.fills) fill(f.box, f.color);
    for (const TextItem& t : layout.texts)
      cache_.draw(t.text, t.size, color(t.color), rect(t.box), align(t.align));
    if (!layout.qr.data.empty()) draw_qr(layout.qr);
  } else {
    for (std::size_t i = 0; i < layout.texts.size(); ++i) {
      const TextItem& t = layout.texts[i];
      if (t == last_.texts[i]) continue;
      fill(last_.texts[i].box, under(last_.texts[i].box));
      fill(t.box, under(t.box));
      cache_.draw(t.text, t.size, color(t.color), rect(t.box), align(t.align));
    }
  }

  const Marquee& m = layout.marquee;
  if (m.box.w > 0 && m.box.h > 0 && !m.text.empty()) {
    if (!full) fill(m.box, under(m.box));
    const sdl::Text& text = cache_.get(m.text, m.size, color(m.color));
    if (text.texture) {
      const SDL_Rect clip = rect(m.box);
      SDL_RenderSetClipRect(renderer_, &clip);
      const int pad = m.box.h / 2;
      const int period = text.width + m.box.w / 3;
      const int offset = static_cast<int>(std::fmod(std::max(0.0, seconds) * speed_px, double(period)));
      const int y = m.box.y + (m.box.h - text.height) / 2;
      for (int x = m.box.x + pad - offset; x < m.box.x + m.box.w; x += period) {
        const SDL_Rect dst{x, y, text.width, text.height};
        SDL_RenderCopy(renderer_, text.texture, nullptr, &dst);
      }
      SDL_RenderSetClipRect(renderer_, nullptr);
    }
  }
  last_ = layout;
  valid_ = true;
  return full;
}

}  // namespace hallq::display
