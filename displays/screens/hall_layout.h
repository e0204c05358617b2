// The hall screen (综合屏) as rectangles and strings for a canvas of any size
// and orientation: header (hall name, date, time), the calls band (the
// newest call large, flashing; earlier calls beside or below it), the windows
// grid (number, name, current ticket, state), the services band (waiting,
// predicted wait) and the scrolling notice line. Every size is a fraction of
// the canvas (and the check-in QR code at the services band's right end),
// so a 4K screen or a wall of screens gets the same picture at
// its own scale; portrait canvases stack the bands differently.
//
// Pure: no SDL. The painter draws fills first, then texts, then the marquee.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "displays/screens/screen_model.h"

namespace hallq::display {

struct Rgba {
  std::uint8_t r = 0, g = 0, b = 0, a = 255;
  bool operator==(const Rgba&) const = default;
};
struct Box {
  int x = 0, y = 0, w = 0, h = 0;
  bool operator==(const Box&) const = default;
  bool contains(const Box& o) const {
    return o.x >= x && o.y >= y && o.x + o.w <= x + w && o.y + o.h <= y + h;
  }
};
enum class HAlign { kLeft, kCenter, kRight };

struct FillItem {
  Box box;
  Rgba color;
  bool operator==(const FillItem&) const = default;
};
struct TextItem {
  Box box;  // the text is centred vertically in it and shrunk to its width
  std::string text;
  int size = 0;  // pixel size
  Rgba color;
  HAlign align = HAlign::kLeft;
  bool operator==(const TextItem&) const = default;
};
struct Marquee {
  Box box;  // empty when there is no notice
  std::string text;
  int size = 0;
  Rgba color;
};

// The check-in QR code: its payload drawn as a square symbol in `box` (a
// white fill under it, quiet zone included); empty data: none.
struct QrItem {
  Box box;
  std::string data;
  bool operator==(const QrItem&) const = default;
};

struct HallLayout {
  std::vector<FillItem> fills;
  std::vector<TextItem> texts;
  Marquee marquee;
  QrItem qr;
  Box clock;  // the box of the time text (the only part that changes every second)
};

struct LayoutOptions {
  bool flash_on = false;  // the newest call in its highlighted phase
  int recent = 5;         // calls shown, newest included
  std::string notice;     // the scrolling text; empty: no notice line
  // The check-in QR code's payload (checkin_code.h) and caption: shown at
  // the right end of the services band while online; empty: none.
  std::string checkin_url;
  std::string checkin_caption;
};

HallLayout layout_hall(const ScreenModel& model, int width, int height, const LayoutOptions& options);

// Columns for `n` cells in a `w` x `h` area, aiming at cells `aspect` times
// as wide as high, with no more columns than needed for the resulting rows.
int grid_columns(int n, int w, int h, double aspect);

}  // namespace hallq::display
