// What the keypad's screen shows and where (评价器屏幕). Pure: from the canvas
// size and the keypad's state (rating machine view, window and staff, online,
// pending evaluations) to boxes and texts; keypad_screen only paints them.
//
// Screens:
//   idle     header "5号窗口 · 社保医保综合窗口"; "周伟 工号 rs09"; "欢迎评价"
//            (offline: "系统连接中")
//   asking   "请对本次服务进行评价", the ticket, the five choices with their
//            keys (非常满意 ... 非常不满意), a countdown to "not rated"
//   sending  the choice, "正在提交" (offline: kept and sent when back)
//   thanks   "谢谢您的评价" and the choice
//   reasons  "请选择不满意的原因（可多选）", the hall's reasons numbered 1..N
//            (ticked ones "√" on green), "确认提交（#）", "跳过（0）", a countdown
// Every screen: the connection state in the header, the number of pending
// evaluations while any, and the rating machine's message (second press,
// nothing to rate, unknown key) in a banner at the bottom.
//
// Thread: none (values only).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "adapters/keypad/keypad_app.h"
#include "adapters/keypad/rating_machine.h"

namespace hallq::keypad {

struct Box {
  int x = 0, y = 0, w = 0, h = 0;
};

enum class Tone : std::uint8_t { kInk, kMuted, kOnDark, kAccent, kGood, kWarn, kBad };
enum class TextAlign : std::uint8_t { kLeft, kCenter, kRight };

struct TextItem {
  Box box;
  std::string text;
  int size = 0;  // pixel size
  Tone tone = Tone::kInk;
  TextAlign align = TextAlign::kCenter;
};

// A filled panel (header, choice buttons, message banner).
struct Panel {
  Box box;
  Tone fill = Tone::kAccent;
};

struct KeypadModel {
  KeypadView view;
  WindowInfo window;
  bool online = false;
  std::size_t pending = 0;
  // The key shown on each level's button, index 1..5 ("5", "4", ...).
  std::array<std::string, 6> key_labels;
  // The keys shown on the reasons screen's confirm and skip buttons ("#", "0").
  std::string confirm_label, skip_label;
};

// A place the screen answers a touch (or a click): a level's button on the
// asking screen; a reason, confirm or skip on the reasons screen.
struct Hit {
  Box box;
  KeypadApp::Touch what = KeypadApp::Touch::kLevel;
  int n = 0;  // kLevel: 1..5; kReason: 1-based
};

struct KeypadFrame {
  std::vector<Panel> panels;  // painted first, in order
  std::vector<TextItem> texts;
  std::vector<Hit> hits;
};

// The hit at (x, y), or null.
const Hit* hit_at(const KeypadFrame& frame, int x, int y);

KeypadFrame layout_keypad(int width, int height, const KeypadModel& model);

// The header's line: "5号窗口 · 社保医保综合窗口" ("评价器" before the first snapshot).
std::string window_title(const WindowInfo& window);
// "周伟 工号 rs09", "工号 s07" (not in the hall's staff list), or "暂无工作人员登录".
std::string staff_line(const WindowInfo& window);

}  // namespace hallq::keypad
