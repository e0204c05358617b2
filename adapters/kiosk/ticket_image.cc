#include "adapters/kiosk/ticket_image.h"

#include <algorithm>
#include <variant>

#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/png_frame.h"
#include "engine/device/sdl/sdl_init.h"
#include "engine/device/sdl/text_cache.h"
#include "engine/qr/qr_matrix.h"

namespace hallq::kiosk {
namespace {

constexpr int kLineDots = 24;  // font A: 12 x 24 dots
constexpr int kSpacing = 6;    // default line spacing beyond the glyph height
constexpr int kQuietZone = 2;  // modules of white around the symbol (the paper is white anyway)

int item_height(const PrintedItem& item) {
  if (auto* l = std::get_if<PrintedLine>(&item))
    return kLineDots * l->height * 4 / 3 + kSpacing;  // the font's line gap
  if (auto* q = std::get_if<PrintedQr>(&item)) {
    return q->module_size * (qr::encode_qr(q->data, qr_ecc(q->ecc)).size + 2 * kQuietZone) + 2 * kSpacing;
  }
  if (auto* f = std::get_if<PrintedFeed>(&item)) return f->lines * (kLineDots + kSpacing);
  return 24;  // the cut line
}

}  // namespace

void render_ticket_png(const DecodedPrint& ticket, int width, const std::string& path,
                       const TicketImageOptions& options) {
  int height = 2 * kLineDots;
  for (const PrintedItem& i : ticket.items) height += item_height(i);
  sdl::SdlSession session({true, ""});
  sdl::CanvasOptions co;
  co.width = width;
  co.height = height;
  sdl::Canvas canvas(session, co);
  sdl::FontSet fonts({options.font, options.font_index});
  sdl::TextCache text(canvas.renderer(), fonts);
  SDL_Renderer* r = canvas.renderer();
  SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
  SDL_RenderClear(r);
  const SDL_Color ink{0, 0, 0, 255};
  const int margin = 8;
  int y = kLineDots;
  for (const PrintedItem& item : ticket.items) {
    const int h = item_height(item);
    if (auto* l = std::get_if<PrintedLine>(&item)) {
      const int px = kLineDots * l->height;
      // SDL_ttf has no horizontal stretch: draw at the height's size, then scale the texture to the width
      // multiplier.
      const sdl::Text& t = text.get(l->text, px, ink);
      if (t.texture) {
        const int w = std::min(width - 2 * margin, t.width * l->width / l->height);
        int x = margin;
        if (l->align == Align::kCenter) x = (width - w) / 2;
        if (l->align == Align::kRight) x = width - margin - w;
        const SDL_Rect dst{x, y, w, t.height};
        SDL_RenderCopy(r, t.texture, nullptr, &dst);
        if (l->bold) {  // printer bold: double-strike, shifted one dot
          const SDL_Rect dst2{x + 1, y, w, t.height};
          SDL_RenderCopy(r, t.texture, nullptr, &dst2);
        }
      }
    } else if (auto* q = std::get_if<PrintedQr>(&item)) {
      // The symbol the printer prints for this payload (same bytes, same error correction).
      const qr::QrMatrix m = qr::encode_qr(q->data, qr_ecc(q->ecc));
      const int module = q->module_size;
      const int x0 = (width - m.size * module) / 2, y0 = y + kSpacing + kQuietZone * module;
      SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
      for (int my = 0; my < m.size; ++my) {
        for (int mx = 0; mx < m.size; ++mx) {
          if (!m.at(mx, my)) continue;
          const SDL_Rect cell{x0 + mx * module, y0 + my * module, module, module};
          SDL_RenderFillRect(r, &cell);
        }
      }
    } else if (std::holds_alternative<PrintedCut>(item)) {
      SDL_SetRenderDrawColor(r, 160, 160, 160, 255);
      for (int x = 0; x < width; x += 12) SDL_RenderDrawLine(r, x, y + 12, x + 6, y + 12);
    }
    y += h;
  }
  sdl::write_frame_png(r, path);
}

}  // namespace hallq::kiosk
