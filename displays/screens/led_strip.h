// The window screen (窗口屏): a dot-matrix LED panel above a window, W x H
// LEDs, single colour (red) or dual colour (red, green, and both lit: amber).
// This file is the pure part: what each panel says (led_lines), the panel's
// bitmap (LedBitmap) and how text is placed and scrolled on it (compose).
// Rasterising a string into a 1-bit glyph mask needs the font and lives in the
// painter; the painter then draws every LED as a dot.
//
// Pure; thread: any.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "displays/screens/screen_config.h"
#include "displays/screens/screen_model.h"

namespace hallq::display {

enum class LedColor : std::uint8_t { kOff = 0, kRed = 1, kGreen = 2, kAmber = 3 };

struct LedLine {
  std::string text;
  LedColor color = LedColor::kRed;
};

// The lines a window's panel shows: one line on panels under 32 LEDs high,
// two below 48, else three. Offline: "系统连接中". Single-colour panels get
// every line in red.
std::vector<LedLine> led_lines(const WindowRow* window, bool online, int panel_rows, LedColors colors);

// A 1-bit mask (a rasterised string): `width` x `height`, row-major, 0/1.
struct LedMask {
  int width = 0, height = 0;
  std::vector<std::uint8_t> bits;
  bool at(int x, int y) const { return bits[static_cast<std::size_t>(y) * width + x] != 0; }
};

class LedBitmap {
 public:
  LedBitmap(int width, int height)
      : width_(width), height_(height), px_(static_cast<std::size_t>(width) * height) {}
  int width() const { return width_; }
  int height() const { return height_; }
  LedColor at(int x, int y) const { return px_[static_cast<std::size_t>(y) * width_ + x]; }
  void clear() { std::fill(px_.begin(), px_.end(), LedColor::kOff); }
  // Lights the mask's set bits at (dx, dy), clipped to the panel.
  void blit(const LedMask& mask, int dx, int dy, LedColor color);
  std::size_t lit() const;
  const std::vector<LedColor>& pixels() const { return px_; }
  bool operator==(const LedBitmap&) const = default;

 private:
  int width_, height_;
  std::vector<LedColor> px_;
};

// Where a line of `text_width` LEDs starts on a panel `panel_width` wide at
// `seconds` of animation: centred if it fits, else scrolling right to left at
// `speed` LEDs per second, entering from the right edge and looping with a
// gap of a quarter panel.
int line_x(int text_width, int panel_width, double seconds, double speed);
// The distance between two copies of a scrolling line (text plus gap); the
// painter draws a second copy this far right of line_x so the loop is seamless.
int scroll_period(int text_width, int panel_width);

// Vertical band of line `i` of `n` on a panel `rows` high: {y, height}.
struct LineBand {
  int y = 0, height = 0;
};
LineBand line_band(int i, int n, int rows);

}  // namespace hallq::display
