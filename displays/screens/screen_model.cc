// The screen model: the only place that turns hall state into screen words.
#include "displays/screens/screen_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "engine/core/calendar.h"
#include "engine/view/hall_summary.h"

namespace hallq::display {

std::string date_text(core::TimeUs t, int offset_min) {
  static constexpr const char* kWeekdays[] = {"星期日", "星期一", "星期二", "星期三",
                                              "星期四", "星期五", "星期六"};
  const std::int64_t day = core::local_day(t, offset_min);
  const core::CivilDate d = core::civil_date(day);
  return fmt::format("{}年{}月{}日 {}", d.year, d.month, d.day, kWeekdays[core::weekday(day)]);
}

std::string time_text(core::TimeUs t, int offset_min) {
  return core::format_time_of_day(core::local_second_of_day(t, offset_min));
}

std::string call_text(const std::string& number, int window_number) {
  return fmt::format("请 {} 号 到 {} 号窗口", number, window_number);
}

bool parse_local_time(const std::string& text, int offset_min, core::TimeUs& out) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail) != 6)
    return false;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return false;
  out = core::day_start(core::day_number({y, mo, d}), offset_min) +
        (h * 3600 + mi * 60 + s) * core::kUsPerSecond;
  return true;
}

ScreenModel build_model(const core::Hall* hall, bool online, core::TimeUs now, core::TimeUs shown, int recent,
                        const std::string& title, int utc_offset_min, const RecallTimes* recalls) {
  ScreenModel m;
  const int offset = hall ? hall->config().utc_offset_min : utc_offset_min;
  m.date_text = date_text(shown, offset);
  m.time_text = time_text(shown, offset);
  m.hall_name = !title.empty() ? title : hall ? hall->config().name : std::string();
  m.online = online && hall != nullptr;
  if (!m.online) return m;

  const view::HallSummary sum = view::summarize(*hall, now);
  m.seq = sum.seq;
  m.closed = view::closed_text(hall->config(), sum, now);
  m.waiting = sum.waiting;
  for (const auto& s : sum.services) {
    ServiceRow row;
    row.name = s.name;
    row.prefix = s.prefix;
    row.waiting = s.waiting;
    row.wait_text = s.wait_text;
    m.services.push_back(std::move(row));
  }
  for (const auto& w : sum.windows) {
    // The dashboard's words for the same states (空闲 for an open window with no one called).
    std::string state = "空闲", current;
    WindowTone tone = WindowTone::kIdle;
    if (w.state == "closed") {
      state = "未开放";
      tone = WindowTone::kClosed;
    } else if (w.state == "paused") {
      state = "暂停服务";
      tone = WindowTone::kPaused;
    } else if (!w.current.empty()) {
      current = w.current;
      state = "办理中";
      tone = w.current_state == "called" ? WindowTone::kCalled : WindowTone::kServing;
    }
    m.windows.push_back(WindowRow{w.id, w.number, w.name, std::move(current), std::move(state), tone});
  }

  // Recent calls: every ticket of today that was called, by its latest call.
  struct Called {
    core::TimeUs at;
    const core::Ticket* ticket;
  };
  std::vector<Called> called;
  for (const core::Ticket& t : hall->tickets()) {
    if (t.called_at <= 0 || t.window == core::kNoWindow || t.window >= hall->config().windows.size())
      continue;
    core::TimeUs at = t.called_at;
    if (recalls) {
      auto it = recalls->find(t.id);
      if (it != recalls->end() && t.state == core::TicketState::kCalled) at = std::max(at, it->second);
    }
    called.push_back({at, &t});
  }
  const std::size_t n = std::min<std::size_t>(called.size(), static_cast<std::size_t>(std::max(recent, 0)));
  std::partial_sort(called.begin(), called.begin() + static_cast<std::ptrdiff_t>(n), called.end(),
                    [](const Called& a, const Called& b) {
                      return a.at != b.at ? a.at > b.at : a.ticket->id > b.ticket->id;
                    });
  for (std::size_t i = 0; i < n; ++i) {
    const core::Ticket& t = *called[i].ticket;
    const core::WindowConfig& wc = hall->config().windows[t.window];
    CallRow row;
    row.number = hall->number_of(t);
    row.window_number = wc.number;
    row.window_name = wc.name;
    row.text = call_text(row.number, wc.number);
    m.calls.push_back(std::move(row));
  }
  return m;
}

}  // namespace hallq::display
