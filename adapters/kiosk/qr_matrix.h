// The QR symbol a printer prints for a payload: libqrencode encodes the same
// bytes, with the same error-correction level, in 8-bit mode at the smallest
// version that fits (as ESC/POS printers do with GS ( k, model 2), so the
// rendered ticket shows the code a phone would scan from the paper.
//
// Errors: std::runtime_error when the payload cannot be encoded (too long).
// Stateless; any thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "adapters/kiosk/escpos.h"

namespace hallq::kiosk {

struct QrMatrix {
  int size = 0;                    // modules per side (21 for version 1)
  std::vector<std::uint8_t> dark;  // size * size, row-major, 1 = dark
  bool at(int x, int y) const { return dark[static_cast<std::size_t>(y) * size + x] != 0; }
};

QrMatrix encode_qr(std::string_view data, QrEcc ecc);

}  // namespace hallq::kiosk
