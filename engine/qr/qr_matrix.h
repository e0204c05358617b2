// The modules of a QR symbol for a payload (libqrencode): the same bytes in
// 8-bit mode, with the error-correction level asked for, at the smallest
// version that fits, as ESC/POS printers encode them (GS ( k, model 2). The
// kiosk draws its rendered ticket with it (the code a phone would scan from
// the paper) and the hall screen its check-in code (签到二维码). Callers add
// the quiet zone (4 modules by the standard) around it.
//
// Errors: std::runtime_error when the payload cannot be encoded (too long).
// Stateless; any thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace hallq::qr {

// Error correction: about 7, 15, 25, 30 % of the symbol recoverable.
enum class Ecc : std::uint8_t { kL, kM, kQ, kH };

struct QrMatrix {
  int size = 0;                    // modules per side (21 for version 1)
  std::vector<std::uint8_t> dark;  // size * size, row-major, 1 = dark
  bool at(int x, int y) const { return dark[static_cast<std::size_t>(y) * size + x] != 0; }
};

QrMatrix encode_qr(std::string_view data, Ecc ecc);

}  // namespace hallq::qr
