// Renders a decoded ESC/POS ticket as the paper would look: a white strip
// `width_dots` wide (384 for 58 mm, 576 for 80 mm paper at 203 dpi), text at
// 24 dots per line of font A times the character size, aligned as printed.
// The QR code is the symbol the printer prints for the stream's payload
// (engine/qr/qr_matrix.h: libqrencode, same bytes and error correction, module size as
// the stream asks), centred with a quiet zone. For the README and for looking
// at a spool file.
//
// Errors: sdl::SdlError / FontError / std::runtime_error (PNG). Starts its own
// headless SdlSession: call only where no other SDL session exists.
#pragma once

#include <string>

#include "adapters/kiosk/escpos_decoder.h"

namespace hallq::kiosk {

struct TicketImageOptions {
  std::string font = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
  int font_index = 2;
};

void render_ticket_png(const DecodedPrint& ticket, int width_dots, const std::string& path,
                       const TicketImageOptions& options);

}  // namespace hallq::kiosk
