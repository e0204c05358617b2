// Layout of the hall screen. Bands are fractions of the canvas height; text
// sizes are fractions of the box they sit in, so everything scales together.
#include "displays/screens/hall_layout.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace hallq::display {
namespace {

constexpr Rgba kBackground{10, 16, 32};
constexpr Rgba kHeader{12, 52, 110};
constexpr Rgba kCallsBg{24, 8, 8};
constexpr Rgba kFlashBg{235, 190, 20};
constexpr Rgba kWhite{255, 255, 255};
constexpr Rgba kYellow{255, 214, 40};
constexpr Rgba kRed{200, 20, 20};
constexpr Rgba kGrey{150, 156, 170};
constexpr Rgba kDim{96, 100, 112};
constexpr Rgba kGreen{60, 220, 110};
constexpr Rgba kOrange{255, 150, 40};
constexpr Rgba kCell{22, 34, 60};
constexpr Rgba kCellCalled{70, 30, 10};
constexpr Rgba kCellClosed{18, 22, 32};
constexpr Rgba kNoticeBg{6, 40, 80};
constexpr Rgba kCyan{120, 220, 255};

// Width of a string in ems for Noto Sans CJK: ideographs and full-width forms
// are one em, Latin letters, digits and spaces about 0.56.
double em_width(std::string_view s) {
  double w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
    w += len >= 3 ? 1.0 : 0.56;
    i += len;
  }
  return w;
}

int px(double v) { return static_cast<int>(std::lround(v)); }

Box inset(const Box& b, int dx, int dy) {
  return Box{b.x + dx, b.y + dy, std::max(0, b.w - 2 * dx), std::max(0, b.h - 2 * dy)};
}

struct Bands {
  Box header, calls, windows, services, notice;
};

Bands bands(int w, int h, bool portrait, bool has_notice) {
  // Fractions of the height for header, calls, windows, services; notice gets the rest.
  const double f[4] = {portrait ? 0.08 : 0.09, portrait ? 0.20 : 0.27, portrait ? 0.44 : 0.37,
                       portrait ? 0.20 : 0.21};
  const double notice = has_notice ? (portrait ? 0.045 : 0.06) : 0.0;
  const double scale = (1.0 - notice) / (f[0] + f[1] + f[2] + f[3]);
  Bands b;
  double y = 0;
  Box* boxes[4] = {&b.header, &b.calls, &b.windows, &b.services};
  for (int i = 0; i < 4; ++i) {
    const int y0 = px(y * h);
    y += f[i] * scale;
    *boxes[i] = Box{0, y0, w, px(y * h) - y0};
  }
  b.notice = has_notice ? Box{0, px(y * h), w, h - px(y * h)} : Box{0, h, w, 0};
  return b;
}

// The text's size: a share of its box's height, but no larger than lets it fit
// the box's width (estimated; the painter still shrinks what does not fit).
void text(HallLayout& l, Box box, std::string s, double size_frac, Rgba c, HAlign a = HAlign::kLeft) {
  if (s.empty() || box.w <= 0 || box.h <= 0) return;
  const double by_width = box.w * 0.98 / std::max(0.5, em_width(s));
  l.texts.push_back(
      TextItem{box, std::move(s), std::max(6, px(std::min(box.h * size_frac, by_width))), c, a});
}

Rgba tone_color(WindowTone t) {
  switch (t) {
    case WindowTone::kServing:
    case WindowTone::kIdle:
      return kGreen;
    case WindowTone::kCalled:
      return kYellow;
    case WindowTone::kPaused:
      return kOrange;
    case WindowTone::kClosed:
      break;
  }
  return kDim;
}

}  // namespace

int grid_columns(int n, int w, int h, double aspect) {
  if (n <= 0 || w <= 0 || h <= 0) return 1;
  int cols = std::clamp(static_cast<int>(std::ceil(std::sqrt(n * (double(w) / h) / aspect))), 1, n);
  const int rows = (n + cols - 1) / cols;
  while (cols > 1 && (n + cols - 2) / (cols - 1) == rows) --cols;
  return cols;
}

HallLayout layout_hall(const ScreenModel& m, int w, int h, const LayoutOptions& o) {
  HallLayout l;
  const bool portrait = h > w;
  const Bands b = bands(w, h, portrait, !o.notice.empty());
  const int pad = std::max(2, px(std::min(w, h) * 0.008));
  l.fills.push_back(FillItem{Box{0, 0, w, h}, kBackground});

  // Header: hall name left, date and time right.
  l.fills.push_back(FillItem{b.header, kHeader});
  const Box hb = inset(b.header, pad * 2, 0);
  if (portrait) {  // name on the first row, date and time on the second
    const int h1 = px(hb.h * 0.55);
    text(l, Box{hb.x, hb.y, hb.w, h1}, m.hall_name, 0.78, kWhite, HAlign::kCenter);
    const Box row{hb.x, hb.y + h1, hb.w, hb.h - h1};
    text(l, Box{row.x, row.y, row.w * 6 / 10, row.h}, m.date_text, 0.72, kWhite);
    l.clock = Box{row.x + row.w * 6 / 10, row.y, row.w - row.w * 6 / 10, row.h};
    text(l, l.clock, m.time_text, 0.80, kYellow, HAlign::kRight);
  } else {
    const int split = px(hb.w * 0.55);
    text(l, Box{hb.x, hb.y, split, hb.h}, m.hall_name, 0.56, kWhite);
    const Box right{hb.x + split, hb.y, hb.w - split, hb.h};
    const int time_w = px(right.w * 0.36);
    text(l, Box{right.x, right.y, right.w - time_w - pad, right.h}, m.date_text, 0.40, kWhite,
         HAlign::kRight);
    l.clock = Box{right.x + right.w - time_w, right.y, time_w, right.h};
    text(l, l.clock, m.time_text, 0.50, kYellow, HAlign::kRight);
  }

  if (!m.online) {
    Box rest{0, b.calls.y, w, h - b.calls.y};
    text(l, Box{0, rest.y + px(rest.h * 0.30), w, px(rest.h * 0.20)}, "系统连接中…", 0.80, kYellow,
         HAlign::kCenter);
    text(l, Box{0, rest.y + px(rest.h * 0.52), w, px(rest.h * 0.08)}, "正在连接叫号系统，请稍候", 0.70, kGrey,
         HAlign::kCenter);
    return l;
  }

  // Calls band.
  l.fills.push_back(FillItem{b.calls, kCallsBg});
  const Box cb = inset(b.calls, pad * 2, pad);
  const int recent = std::max(1, o.recent);
  const std::size_t earlier = std::min<std::size_t>(m.calls.empty() ? 0 : m.calls.size() - 1, recent - 1);
  Box newest = cb, list = cb;
  if (portrait) {
    newest.h = px(cb.h * 0.62);
    list = Box{cb.x, cb.y + newest.h, cb.w, cb.h - newest.h};
  } else {
    newest.w = px(cb.w * 0.64);
    list = Box{cb.x + newest.w + pad * 2, cb.y, cb.w - newest.w - pad * 2, cb.h};
  }
  const Box label{newest.x, newest.y, newest.w, px(newest.h * 0.24)};
  const Box big{newest.x, newest.y + label.h, newest.w, newest.h - label.h};
  if (m.closed.closed()) {  // after hours: the hall closed and its next opening, not the last call
    text(l, label, "办理时间", 0.7, kGrey);
    text(l, Box{big.x, big.y, big.w, big.h * 3 / 5}, m.closed.title, 0.62, kYellow, HAlign::kCenter);
    text(l, Box{big.x, big.y + big.h * 3 / 5, big.w, big.h - big.h * 3 / 5}, m.closed.detail, 0.55, kWhite,
         HAlign::kCenter);
  } else if (m.calls.empty()) {
    text(l, label, "叫号信息", 0.7, kGrey);
    text(l, big, "欢迎光临，请取号等候", 0.45, kWhite, HAlign::kCenter);
  } else {
    text(l, label, "正在叫号", 0.7, kGrey);
    if (o.flash_on) l.fills.push_back(FillItem{big, kFlashBg});
    text(l, big, m.calls.front().text, 0.50, o.flash_on ? kRed : kYellow, HAlign::kCenter);
  }
  if (recent > 1 && !m.closed.closed()) {
    if (portrait) {
      // Earlier calls in two columns below the newest.
      const int rows = static_cast<int>((recent - 1 + 1) / 2);
      const int rh = list.h / std::max(1, rows);
      for (std::size_t i = 0; i < earlier; ++i) {
        const int col = static_cast<int>(i) % 2, row = static_cast<int>(i) / 2;
        const CallRow& c = m.calls[i + 1];
        text(l, Box{list.x + col * list.w / 2, list.y + row * rh, list.w / 2 - pad, rh},
             fmt::format("{} → {}号窗口", c.number, c.window_number), 0.62, kWhite);
      }
    } else {
      const Box head{list.x, list.y, list.w, px(list.h * 0.18)};
      text(l, head, "最近叫号", 0.7, kGrey);
      const int rh = (list.h - head.h) / std::max(1, recent - 1);
      for (std::size_t i = 0; i < earlier; ++i) {
        const CallRow& c = m.calls[i + 1];
        text(l, Box{list.x, head.y + head.h + static_cast<int>(i) * rh, list.w, rh},
             fmt::format("{} → {}号窗口", c.number, c.window_number), 0.66, kWhite);
      }
    }
  }

  // Windows grid.
  const int nw = static_cast<int>(m.windows.size());
  if (nw > 0) {
    const Box wb = inset(b.windows, pad, pad);
    const int cols = grid_columns(nw, wb.w, wb.h, portrait ? 3.0 : 2.8);
    const int rows = (nw + cols - 1) / cols;
    const int cw = wb.w / cols, ch = wb.h / rows;
    for (int i = 0; i < nw; ++i) {
      const WindowRow& win = m.windows[i];
      const Box cell = inset(Box{wb.x + (i % cols) * cw, wb.y + (i / cols) * ch, cw, ch}, pad / 2, pad / 2);
      l.fills.push_back(FillItem{cell, win.tone == WindowTone::kCalled   ? kCellCalled
                                       : win.tone == WindowTone::kClosed ? kCellClosed
                                                                         : kCell});
      const Box in = inset(cell, pad, pad / 2);
      const int left_w = px(in.w * 0.42);
      const Box num{in.x, in.y, left_w, in.h / 2};
      const Box name{in.x, in.y + in.h / 2, left_w, in.h / 2};
      const Box cur{in.x + left_w, in.y, in.w - left_w, px(in.h * 0.58)};
      const Box st{in.x + left_w, in.y + cur.h, in.w - left_w, in.h - cur.h};
      const bool closed = win.tone == WindowTone::kClosed;
      text(l, num, fmt::format("{}号窗口", win.number), 0.62, closed ? kDim : kWhite);
      text(l, name, win.name, 0.48, closed ? kDim : kGrey);
      text(l, cur, win.current.empty() ? "—" : win.current, 0.78, closed ? kDim : kYellow, HAlign::kCenter);
      text(l, st, win.state, 0.62, tone_color(win.tone), HAlign::kCenter);
    }
  }

  // Services: waiting and predicted wait.
  const int ns = static_cast<int>(m.services.size());
  if (ns > 0) {
    const Box sb = inset(b.services, pad, pad);
    Box head{sb.x + pad, sb.y, sb.w - 2 * pad, px(sb.h * (portrait ? 0.14 : 0.22))};
    // The check-in code: a square as high as the band less its caption, at
    // the right end; the caption above it, the services to its left.
    const int caption_h = px(sb.h * 0.16);
    const int side = o.checkin_url.empty() ? 0 : std::min(sb.h - caption_h, sb.w / 3);
    if (side > 0) head.w -= side + side / 2 + pad;
    text(l, head, fmt::format("等候人数与预计等待（共 {} 人等候）", m.waiting), 0.72, kGrey);
    Box grid{sb.x, sb.y + head.h, sb.w, sb.h - head.h};
    if (side > 0) {
      const Box panel{sb.x + sb.w - side, sb.y, side, sb.h};
      text(l, Box{panel.x - side / 2, panel.y, side * 3 / 2, caption_h}, o.checkin_caption, 0.80, kWhite,
           HAlign::kCenter);
      l.qr = QrItem{Box{panel.x, panel.y + caption_h, side, side}, o.checkin_url};
      l.fills.push_back(FillItem{l.qr.box, kWhite});
      grid.w -= side + side / 2 + pad;
    }
    const int cols = grid_columns(ns, grid.w, grid.h, portrait ? 3.2 : 3.4);
    const int rows = (ns + cols - 1) / cols;
    const int cw = grid.w / cols, ch = grid.h / rows;
    for (int i = 0; i < ns; ++i) {
      const ServiceRow& s = m.services[i];
      const Box cell =
          inset(Box{grid.x + (i % cols) * cw, grid.y + (i / cols) * ch, cw, ch}, pad / 2, pad / 2);
      l.fills.push_back(FillItem{cell, kCell});
      const Box in = inset(cell, pad, 0);
      text(l, Box{in.x, in.y, in.w, in.h / 2}, fmt::format("{}（{}）", s.name, s.prefix), 0.70, kWhite);
      text(l, Box{in.x, in.y + in.h / 2, in.w / 2, in.h / 2}, fmt::format("等候 {} 人", s.waiting), 0.66,
           kCyan);
      text(l, Box{in.x + in.w / 2, in.y + in.h / 2, in.w / 2, in.h / 2}, s.wait_text, 0.66,
           s.wait_text == "暂停受理" ? kOrange : kGreen, HAlign::kRight);
    }
  }

  if (!o.notice.empty()) {
    l.fills.push_back(FillItem{b.notice, kNoticeBg});
    l.marquee = Marquee{b.notice, o.notice, std::max(6, px(b.notice.h * 0.62)), kWhite};
  }
  return l;
}

}  // namespace hallq::display
