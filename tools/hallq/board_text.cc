#include "tools/hallq/board_text.h"

#include <fmt/format.h>

#include "engine/core/calendar.h"
#include "engine/core/utf8.h"
#include "engine/view/hall_summary.h"
#include "engine/view/hall_words.h"
#include "tools/hallq/event_text.h"

namespace hallq::cli {

std::string board_text(const core::Hall& hall, core::TimeUs now, const std::deque<std::string>& calls,
                       bool flash) {
  const view::HallSummary s = view::summarize(hall, now);
  const int offset = hall.config().utc_offset_min;
  std::string out = fmt::format("{}    {}    等候 {} 人\n", s.name,
                                core::format_time_of_day(core::local_second_of_day(now, offset)), s.waiting);
  out += std::string(72, '=') + "\n";
  if (const view::ClosedText closed = view::closed_text(hall.config(), s, now); closed.closed()) {
    out += fmt::format("  {}\n  {}\n", closed.title, closed.detail);
  } else if (calls.empty()) {
    out += "  欢迎光临，请取号等候\n";
  } else {
    out += fmt::format("  {}{}{}\n", flash ? "\x1b[1;33m" : "", calls.front(), flash ? "\x1b[0m" : "");
    for (std::size_t i = 1; i < calls.size(); ++i) out += "    " + calls[i] + "\n";
  }
  out += std::string(72, '-') + "\n";
  out += core::pad_to_width("窗口", 8) + core::pad_to_width("名称", 20) + core::pad_to_width("当前", 8) +
         core::pad_to_width("状态", 10) + "工作人员\n";
  for (const auto& w : s.windows) {
    const std::string state = w.state == "closed"   ? "未开放"
                              : w.state == "paused" ? "暂停服务"
                              : w.state == "busy" ? (w.current_state == "called" ? "叫号中" : "办理中")
                                                  : "空闲";
    out += core::pad_to_width(fmt::format("{}号", w.number), 8) + core::pad_to_width(w.name, 20) +
           core::pad_to_width(w.current.empty() ? "-" : w.current, 8) + core::pad_to_width(state, 10) +
           (w.staff_name.empty() ? w.staff : w.staff_name) + "\n";
  }
  out += std::string(72, '-') + "\n";
  out += core::pad_to_width("事项", 22) + core::pad_to_width("等候", 8) + "预计等待\n";
  for (const auto& sv : s.services)
    out += core::pad_to_width(fmt::format("{}（{}）", sv.name, sv.prefix), 22) +
           core::pad_to_width(std::to_string(sv.waiting), 8) + sv.wait_text + "\n";
  return out;
}

}  // namespace hallq::cli
