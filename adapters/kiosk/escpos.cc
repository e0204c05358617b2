#include "adapters/kiosk/escpos.h"

#include <algorithm>
#include <stdexcept>

#include "adapters/kiosk/gb18030.h"

namespace hallq::kiosk {

EscPos& EscPos::raw(std::initializer_list<std::uint8_t> b) {
  for (std::uint8_t c : b) out_.push_back(static_cast<char>(c));
  return *this;
}

EscPos& EscPos::init() { return raw({0x1B, 0x40, 0x1C, 0x26}); }
EscPos& EscPos::align(Align a) { return raw({0x1B, 0x61, static_cast<std::uint8_t>(a)}); }
EscPos& EscPos::bold(bool on) { return raw({0x1B, 0x45, static_cast<std::uint8_t>(on ? 1 : 0)}); }

EscPos& EscPos::size(int width, int height) {
  width = std::clamp(width, 1, 8);
  height = std::clamp(height, 1, 8);
  return raw({0x1D, 0x21, static_cast<std::uint8_t>(((width - 1) << 4) | (height - 1))});
}

EscPos& EscPos::text(std::string_view utf8) {
  out_ += utf8_to_gb18030(utf8);
  return *this;
}

EscPos& EscPos::line(std::string_view utf8) {
  text(utf8);
  return raw({0x0A});
}

EscPos& EscPos::qr(std::string_view data, int module_size, QrEcc ecc) {
  if (data.size() > 7089) throw std::runtime_error("QR data longer than 7089 bytes");
  module_size = std::clamp(module_size, 1, 16);
  raw({0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00});  // model 2
  raw({0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, static_cast<std::uint8_t>(module_size)});
  raw({0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, static_cast<std::uint8_t>(ecc)});
  const std::size_t len = data.size() + 3;
  raw({0x1D, 0x28, 0x6B, static_cast<std::uint8_t>(len & 0xFF), static_cast<std::uint8_t>(len >> 8), 0x31,
       0x50, 0x30});
  out_.append(data);
  return raw({0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30});  // print
}

EscPos& EscPos::feed(int lines) {
  return raw({0x1B, 0x64, static_cast<std::uint8_t>(std::clamp(lines, 0, 255))});
}

EscPos& EscPos::cut(int feed_lines) {
  return raw({0x1D, 0x56, 0x42, static_cast<std::uint8_t>(std::clamp(feed_lines, 0, 255))});
}

}  // namespace hallq::kiosk
