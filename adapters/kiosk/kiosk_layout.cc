#include "adapters/kiosk/kiosk_layout.h"

#include <algorithm>

namespace hallq::kiosk {

bool PadState::press(ActionKind k, const std::string& arg) {
  switch (k) {
    case ActionKind::kPadKey:
      if (typed.size() < max_length()) {
        // X only as the last character of an ID number.
        if (arg == "X" && (kind != PadKind::kId || typed.size() != 17)) return false;
        typed += arg;
      }
      return false;
    case ActionKind::kPadDelete:
      if (!typed.empty()) typed.pop_back();
      return false;
    case ActionKind::kPadOk:
      return !typed.empty();
    default:
      return false;
  }
}

std::string PadState::shown() const {
  if (kind != PadKind::kId || typed.size() <= 4) return typed;
  // The ID number never appears in full on the screen: keep the first 4 and the last digit typed.
  std::string s = typed.substr(0, 4);
  s.append(typed.size() - 5, '*');
  s.push_back(typed.back());
  return s;
}

Layout layout_screen(int width, int height, const std::vector<ServiceTile>& tiles, const KioskConfig& config,
                     const PadState& pad, bool show_home_button, bool check_in) {
  Layout l;
  const int margin = std::max(8, width / 40);
  const int header_h = height / 10;
  const int message_h = height / 14;
  l.header = {0, 0, width, header_h};
  l.message = {margin, header_h, width - 2 * margin, message_h};
  const int top = header_h + message_h + margin;
  const int bottom_h = height / 6;
  const int bottom_top = height - bottom_h - margin;

  if (pad.kind != PadKind::kNone) {
    l.pad_display = {margin, top, width - 2 * margin, height / 12};
    const int pad_top = l.pad_display.y + l.pad_display.h + margin;
    const int rows = 5, cols = 3;
    const int key_w = (width - 2 * margin - (cols - 1) * margin) / cols;
    const int key_h = (height - pad_top - margin - (rows - 1) * margin) / rows;
    const char* keys[rows][cols] = {{"1", "2", "3"},
                                    {"4", "5", "6"},
                                    {"7", "8", "9"},
                                    {pad.kind == PadKind::kId ? "X" : "", "0", "删除"},
                                    {"取消", "", "确定"}};
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) {
        const std::string k = keys[r][c];
        if (k.empty()) continue;
        Button b;
        b.rect = {margin + c * (key_w + margin), pad_top + r * (key_h + margin), key_w, key_h};
        b.label = k;
        if (k == "删除")
          b.kind = ActionKind::kPadDelete;
        else if (k == "取消")
          b.kind = ActionKind::kPadCancel;
        else if (k == "确定")
          b.kind = ActionKind::kPadOk;
        else {
          b.kind = ActionKind::kPadKey;
          b.arg = k;
        }
        l.buttons.push_back(std::move(b));
      }
    }
    return l;
  }

  // Service grid: two columns, rows as tall as fit (at most height / 7).
  const int cols = 2;
  const int rows = std::max<int>(1, static_cast<int>((tiles.size() + cols - 1) / cols));
  const int grid_h = bottom_top - margin - top;
  const int tile_h = std::min(height / 7, (grid_h - (rows - 1) * margin) / rows);
  const int tile_w = (width - 2 * margin - (cols - 1) * margin) / cols;
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const int r = static_cast<int>(i) / cols, c = static_cast<int>(i) % cols;
    Button b;
    b.rect = {margin + c * (tile_w + margin), top + r * (tile_h + margin), tile_w, tile_h};
    b.kind = ActionKind::kService;
    b.arg = tiles[i].id;
    b.label = tiles[i].name;
    b.caption = tile_caption(tiles[i]);
    b.disabled = tiles[i].open_windows == 0;
    l.buttons.push_back(std::move(b));
  }

  // Bottom: the priority path (categories + the elderly ID path) and appointments.
  std::vector<Button> row;
  {
    Button b;
    b.kind = ActionKind::kOpenIdPad;
    b.label = config.elderly_label;
    b.caption = "输入身份证号";
    row.push_back(b);
  }
  for (const std::string& c : config.categories) {
    Button b;
    b.kind = ActionKind::kCategory;
    b.arg = c;
    b.label = c;
    b.caption = "优先通道";
    row.push_back(b);
  }
  if (check_in) {
    Button b;
    b.kind = ActionKind::kOpenApptPad;
    b.label = "预约签到";
    b.caption = "输入预约码";
    row.push_back(b);
  }
  if (show_home_button) {
    Button b;
    b.kind = ActionKind::kHome;
    b.label = "返回";
    row.push_back(b);
  }
  const int n = static_cast<int>(row.size());
  const int bw = (width - 2 * margin - (n - 1) * margin / 2) / n;
  for (int i = 0; i < n; ++i) {
    row[i].rect = {margin + i * (bw + margin / 2), bottom_top, bw, bottom_h};
    l.buttons.push_back(std::move(row[i]));
  }
  return l;
}

const Button* hit(const Layout& layout, int x, int y) {
  for (const Button& b : layout.buttons) {
    if (b.rect.contains(x, y)) return &b;
  }
  return nullptr;
}

}  // namespace hallq::kiosk
