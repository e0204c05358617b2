#include "adapters/keypad/keypad_layout.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/rating.h"

namespace hallq::keypad {

std::string window_title(const WindowInfo& w) {
  if (w.number == 0) return "评价器";
  if (w.name.empty()) return fmt::format("{}号窗口", w.number);
  return fmt::format("{}号窗口 · {}", w.number, w.name);
}

std::string staff_line(const WindowInfo& w) {
  if (!w.open) return "本窗口暂停服务";
  if (w.staff_id.empty()) return "暂无工作人员登录";
  if (w.staff_name.empty()) return fmt::format("工号 {}", w.staff_id);
  return fmt::format("{} 工号 {}", w.staff_name, w.staff_id);
}

KeypadFrame layout_keypad(int width, int height, const KeypadModel& m) {
  KeypadFrame f;
  const int pad = std::max(4, width / 40);
  const int header_h = height / 6;
  const int banner_h = height / 8;
  const int body_y = header_h + pad;
  const int body_h = height - header_h - banner_h - 2 * pad;
  auto text = [&](Box b, std::string s, int size, Tone tone, TextAlign align = TextAlign::kCenter) {
    f.texts.push_back({b, std::move(s), std::max(8, size), tone, align});
  };
  // Rows of the body as shares of its height.
  auto row = [&](double from, double to) {
    return Box{pad, body_y + static_cast<int>(body_h * from), width - 2 * pad,
               static_cast<int>(body_h * (to - from))};
  };

  // Header: the window, and the connection state on the right.
  f.panels.push_back({{0, 0, width, header_h}, Tone::kAccent});
  text({pad, 0, width * 2 / 3, header_h}, window_title(m.window), header_h * 2 / 5, Tone::kOnDark,
       TextAlign::kLeft);
  const Box status{width * 2 / 3, 0, width / 3 - pad, m.pending > 0 ? header_h / 2 : header_h};
  text(status, m.online ? "系统正常" : "系统连接中", header_h * 3 / 10,
       m.online ? Tone::kOnDark : Tone::kWarn, TextAlign::kRight);
  if (m.pending > 0) {
    text({width * 2 / 3, header_h / 2, width / 3 - pad, header_h / 2}, fmt::format("待提交 {} 条", m.pending),
         header_h / 4, Tone::kWarn, TextAlign::kRight);
  }

  const KeypadView& v = m.view;
  const int big = std::min(body_h / 5, width / 10);
  switch (v.state) {
    case KeypadState::kIdle:
      text(row(0.05, 0.35), staff_line(m.window), big * 4 / 5, Tone::kInk);
      if (m.online)
        text(row(0.45, 0.85), "欢迎评价", big * 3 / 2, Tone::kAccent);
      else
        text(row(0.45, 0.85), "系统连接中，请稍候", big, Tone::kWarn);
      break;
    case KeypadState::kAsking: {
      text(row(0.0, 0.2), "请对本次服务进行评价", big, Tone::kInk);
      text(row(0.2, 0.34), fmt::format("票号 {}", v.number), big * 3 / 5, Tone::kMuted);
      // The five choices, 非常满意 (5) on the left to 非常不满意 (1) on the right.
      const Box area = row(0.38, 0.84);
      const int gap = pad / 2;
      const int w = (area.w - 4 * gap) / 5;
      for (int i = 0; i < 5; ++i) {
        const int level = 5 - i;
        const Box b{area.x + i * (w + gap), area.y, w, area.h};
        const Tone fill = level >= 4 ? Tone::kGood : level == 3 ? Tone::kAccent : Tone::kBad;
        f.panels.push_back({b, fill});
        f.hits.push_back({b, KeypadApp::Touch::kLevel, level});
        text({b.x, b.y, b.w, b.h * 45 / 100}, m.key_labels[level], std::min(b.h * 2 / 5, b.w / 2),
             Tone::kOnDark);
        text({b.x + b.w / 20, b.y + b.h / 2, b.w - b.w / 10, b.h * 2 / 5},
             std::string(core::rating_name(level)), std::min(b.h / 5, b.w / 4), Tone::kOnDark);
      }
      text(row(0.86, 1.0), fmt::format("请按键评价，剩余 {} 秒（超时记为未评价）", v.seconds_left), big / 2,
           v.seconds_left <= 5 ? Tone::kBad : Tone::kMuted);
      break;
    }
    case KeypadState::kSending:
      text(row(0.05, 0.35), fmt::format("您的评价：{}", core::rating_name(v.level)), big, Tone::kInk);
      text(row(0.45, 0.8), m.online ? "正在提交评价…" : "系统连接中，评价已保存，恢复后自动提交", big * 3 / 5,
           m.online ? Tone::kMuted : Tone::kWarn);
      break;
    case KeypadState::kThanks:
      text(row(0.05, 0.5), "谢谢您的评价", big * 3 / 2, Tone::kGood);
      text(row(0.55, 0.8), fmt::format("{} · {}", v.number, core::rating_name(v.level)), big * 3 / 5,
           Tone::kMuted);
      break;
    case KeypadState::kReasons: {
      text(row(0.0, 0.13),
           fmt::format("您的评价：{}。请选择不满意的原因（可多选）", core::rating_name(v.level)),
           big * 11 / 20, Tone::kInk);
      // The reasons in two columns, numbered as their keys.
      const Box area = row(0.15, 0.79);
      const int n = static_cast<int>(v.reasons.size());
      const int rows = std::max(1, (n + 1) / 2);
      const int gap = pad / 3;
      const int cw = (area.w - gap) / 2, rh = (area.h - (rows - 1) * gap) / rows;
      for (int i = 0; i < n; ++i) {
        const Box b{area.x + (i / rows) * (cw + gap), area.y + (i % rows) * (rh + gap), cw, rh};
        const bool chosen = i < static_cast<int>(v.chosen.size()) && v.chosen[i];
        f.panels.push_back({b, chosen ? Tone::kGood : Tone::kMuted});
        f.hits.push_back({b, KeypadApp::Touch::kReason, i + 1});
        text({b.x + pad / 2, b.y, b.w - pad, b.h},
             fmt::format("{}{} {}", chosen ? "√ " : "", i + 1, v.reasons[i].text),
             std::min(rh * 9 / 20, big * 11 / 20), Tone::kOnDark, TextAlign::kLeft);
      }
      const Box buttons = row(0.81, 0.93);
      const Box ok{buttons.x, buttons.y, buttons.w * 3 / 5 - gap, buttons.h};
      const Box skip{buttons.x + buttons.w * 3 / 5, buttons.y, buttons.w * 2 / 5, buttons.h};
      f.panels.push_back({ok, Tone::kAccent});
      f.hits.push_back({ok, KeypadApp::Touch::kConfirm, 0});
      text(ok, m.confirm_label.empty() ? "确认提交" : fmt::format("确认提交（{}）", m.confirm_label),
           buttons.h / 2, Tone::kOnDark);
      f.panels.push_back({skip, Tone::kMuted});
      f.hits.push_back({skip, KeypadApp::Touch::kSkip, 0});
      text(skip, m.skip_label.empty() ? "跳过" : fmt::format("跳过（{}）", m.skip_label), buttons.h / 2,
           Tone::kOnDark);
      text(row(0.93, 1.0), fmt::format("剩余 {} 秒，超时按已选原因提交", v.seconds_left), big * 2 / 5,
           v.seconds_left <= 5 ? Tone::kBad : Tone::kMuted);
      break;
    }
  }

  // The rating machine's message: a second press, nothing to rate, an unknown key.
  if (!v.message.empty()) {
    const Box b{0, height - banner_h, width, banner_h};
    f.panels.push_back({b, Tone::kBad});
    text({pad, b.y, width - 2 * pad, b.h}, v.message, banner_h * 2 / 5, Tone::kOnDark);
  }
  return f;
}

const Hit* hit_at(const KeypadFrame& frame, int x, int y) {
  for (const Hit& h : frame.hits)
    if (x >= h.box.x && x < h.box.x + h.box.w && y >= h.box.y && y < h.box.y + h.box.h) return &h;
  return nullptr;
}

}  // namespace hallq::keypad
