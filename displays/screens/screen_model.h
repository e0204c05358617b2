// What the screens show, as plain values: built from a hall replica (the
// Subscriber's core::Hall), hall_summary and the forecast, with hall-facing
// text in Chinese. The hall screen and the window LED strips both draw from
// it; layouts never look at the hall itself.
//
// Recent calls come from the tickets' call times (so they survive a snapshot
// or an engine restart); a recall seen as an event moves a call back to the top.
//
// Pure: a function of the hall, its online state and two instants (`now` for
// waits and predictions, `shown` for the date and time on screen, which a
// test may freeze). Thread: any.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/core/hall.h"
#include "engine/view/hall_words.h"

namespace hallq::display {

// The window states the hall screen names.
enum class WindowTone { kServing, kCalled, kIdle, kPaused, kClosed };

struct WindowRow {
  std::string id;
  int number = 0;
  std::string name;
  std::string current;  // ticket number, empty if none
  std::string state;    // 办理中 / 空闲 / 暂停服务 / 未开放 (the dashboard's words)
  WindowTone tone = WindowTone::kClosed;
};

struct ServiceRow {
  std::string name, prefix;
  std::uint32_t waiting = 0;
  std::string wait_text;  // "约 12 分钟", "无需等待", "暂停受理"
};

struct CallRow {
  std::string number;  // "A012"
  int window_number = 0;
  std::string window_name;
  core::Seq seq = 0;  // not known from state alone: 0
  std::string text;   // "请 A012 号 到 5 号窗口"
};

struct ScreenModel {
  bool online = false;  // false: draw "系统连接中" and no numbers
  std::string hall_name;
  std::string date_text;  // "2024年3月4日 星期一"
  std::string time_text;  // "09:30:00"
  std::uint64_t seq = 0;  // the hall sequence shown
  std::uint32_t waiting = 0;
  std::vector<CallRow> calls;  // newest first
  std::vector<WindowRow> windows;
  std::vector<ServiceRow> services;
  // Outside opening hours with every window closed: shown instead of the
  // calls ("今日已下班，停止取号", "下次办理时间：12月4日 星期五 08:30").
  view::ClosedText closed;
};

// Latest recall (重呼) time per ticket: the hall's state keeps only the
// first call's time of a call, so the screen remembers recalls it saw as events.
using RecallTimes = std::map<core::TicketId, core::TimeUs>;

// `hall` may be null (no snapshot yet): the model is offline. `recent` caps
// the calls listed. `utc_offset_min` places `shown` in the hall's local time
// when there is no hall yet. `recalls` (may be null) moves recalled tickets up.
ScreenModel build_model(const core::Hall* hall, bool online, core::TimeUs now, core::TimeUs shown, int recent,
                        const std::string& title = {}, int utc_offset_min = 8 * 60,
                        const RecallTimes* recalls = nullptr);

// "约 12 分钟" (rounded up), "无需等待" (30 s or less), "暂停受理" (no open
// window: negative): the one wording of every display (engine/view/hall_words.h).
using view::wait_text;
// Local date and time of `t` at the offset: "2024年3月4日 星期一", "09:30:00".
std::string date_text(core::TimeUs t, int utc_offset_min);
std::string time_text(core::TimeUs t, int utc_offset_min);
// "请 A012 号 到 5 号窗口"
std::string call_text(const std::string& number, int window_number);
// Parses "2024-03-04T09:30:00" as hall-local time at the offset; false if malformed.
bool parse_local_time(const std::string& text, int utc_offset_min, core::TimeUs& out);

}  // namespace hallq::display
