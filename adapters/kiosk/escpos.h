// An ESC/POS command stream builder for 58/80 mm thermal receipt printers
// (Epson TM-T20 / Xprinter / GP compatible). Pure: it only appends bytes.
//
//   ESC @            init                    1B 40
//   FS &  / FS .     Chinese mode on / off   1C 26 / 1C 2E
//   ESC a n          align 0 left 1 centre 2 right
//   ESC E n          bold on/off
//   GS ! n           character size: (width-1) << 4 | (height-1), 1..8 each
//   GS ( k           QR code (model 2): 165 model, 167 module size,
//                    169 error correction, 180 store data, 181 print
//   ESC d n          print and feed n lines
//   GS V 66 n        feed n and (partial) cut
// Text is given in UTF-8 and written in GB18030 (Chinese mode).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/qr/qr_matrix.h"

namespace hallq::kiosk {

enum class Align : std::uint8_t { kLeft = 0, kCenter = 1, kRight = 2 };
enum class QrEcc : std::uint8_t { kL = 48, kM = 49, kQ = 50, kH = 51 };
// The same level for libqrencode (engine/qr), to draw what the printer prints.
constexpr qr::Ecc qr_ecc(QrEcc e) { return static_cast<qr::Ecc>(static_cast<std::uint8_t>(e) - 48); }

class EscPos {
 public:
  EscPos& init();  // ESC @ then FS & (Chinese mode)
  EscPos& align(Align a);
  EscPos& bold(bool on);
  EscPos& size(int width, int height);  // multipliers 1..8 (clamped)
  // Text (UTF-8) converted to GB18030; throws std::runtime_error on invalid UTF-8.
  EscPos& text(std::string_view utf8);
  EscPos& line(std::string_view utf8 = {});  // text then LF
  // A QR code of `data` (at most 7089 bytes): model 2, module size 1..16.
  EscPos& qr(std::string_view data, int module_size = 6, QrEcc ecc = QrEcc::kM);
  EscPos& feed(int lines);
  EscPos& cut(int feed_lines = 3);

  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  EscPos& raw(std::initializer_list<std::uint8_t> b);
  std::string out_;
};

}  // namespace hallq::kiosk
