// LED panel content and composition (pure).
#include "displays/screens/led_strip.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace hallq::display {

std::vector<LedLine> led_lines(const WindowRow* w, bool online, int rows, LedColors colors) {
  const int n = rows < 32 ? 1 : rows < 48 ? 2 : 3;
  std::vector<LedLine> out;
  const std::string head = w ? fmt::format("{}号窗口", w->number) : std::string("窗口");
  std::string status;
  LedColor status_color = LedColor::kGreen;
  if (!online || !w) {
    status = "系统连接中";
    status_color = LedColor::kAmber;
  } else if (w->tone == WindowTone::kClosed) {
    status = "未开放";
    status_color = LedColor::kRed;
  } else if (w->tone == WindowTone::kPaused) {
    status = "暂停服务";
    status_color = LedColor::kAmber;
  } else if (w->tone == WindowTone::kCalled) {
    status = fmt::format("请 {} 号", w->current);
    status_color = LedColor::kAmber;
  } else if (w->tone == WindowTone::kServing) {
    status = fmt::format("{} 办理中", w->current);
  } else {
    status = "欢迎光临";
  }
  if (n == 1) {
    out.push_back({head + " " + status, status_color});
  } else {
    out.push_back({head, LedColor::kRed});
    if (n == 3) out.push_back({w && online ? w->name : std::string(), LedColor::kGreen});
    out.push_back({status, status_color});
  }
  if (colors == LedColors::kSingle)
    for (LedLine& l : out) l.color = LedColor::kRed;
  return out;
}

void LedBitmap::blit(const LedMask& mask, int dx, int dy, LedColor color) {
  const int x0 = std::max(0, dx), x1 = std::min(width_, dx + mask.width);
  const int y0 = std::max(0, dy), y1 = std::min(height_, dy + mask.height);
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x)
      if (mask.at(x - dx, y - dy)) px_[static_cast<std::size_t>(y) * width_ + x] = color;
}

std::size_t LedBitmap::lit() const {
  return static_cast<std::size_t>(
      std::count_if(px_.begin(), px_.end(), [](LedColor c) { return c != LedColor::kOff; }));
}

int line_x(int text_width, int panel_width, double seconds, double speed) {
  if (text_width <= panel_width || speed <= 0) return (panel_width - text_width) / 2;
  const int period = scroll_period(text_width, panel_width);
  const long shift = static_cast<long>(std::floor(std::max(0.0, seconds) * speed)) % period;
  // Starts fully visible at the left edge, moves left, re-enters after the gap.
  return static_cast<int>(shift == 0 ? 0 : -shift);
}

int scroll_period(int text_width, int panel_width) { return text_width + std::max(4, panel_width / 4); }

LineBand line_band(int i, int n, int rows) {
  n = std::max(1, n);
  const int y0 = rows * i / n, y1 = rows * (i + 1) / n;
  return {y0, y1 - y0};
}

}  // namespace hallq::display
