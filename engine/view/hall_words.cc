#include "engine/view/hall_words.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/calendar.h"
#include "engine/view/opening_hours.h"

namespace hallq::view {

std::string wait_text(std::int32_t seconds) {
  if (seconds < 0) return "暂停受理";
  if (seconds <= 30) return "无需等待";
  return fmt::format("约 {} 分钟", (seconds + 59) / 60);
}

std::string service_wait_text(const ServiceSummary& service) {
  return service.open_windows == 0 ? wait_text(-1) : wait_text(service.predicted_wait_s);
}

std::string advisory_text(const AdvisorySummary& a) {
  const std::string window = fmt::format("{} 号窗口（{}）", a.window_number, a.window_name);
  const std::string what = a.action == "open" ? fmt::format("建议开启 {}办理{}", window, a.service_name)
                                              : fmt::format("建议 {}兼办{}", window, a.service_name);
  return fmt::format("{}：{}预计等待由{}缩短到{}", what, a.service_name, wait_text(a.wait_before_s),
                     wait_text(a.wait_after_s));
}

ClosedText closed_text(const core::HallConfig& cfg, const HallSummary& summary, core::TimeUs now) {
  ClosedText out;
  const Opening o = opening(cfg, now);
  if (o.open_now) return out;
  if (std::any_of(summary.windows.begin(), summary.windows.end(),
                  [](const WindowSummary& w) { return w.state != "closed"; }))
    return out;  // still serving those in line
  const int minute = cfg.local_second_of_day(now) / 60;
  const bool before_first = std::all_of(cfg.hours.begin(), cfg.hours.end(),
                                        [&](const core::TimeSpan& s) { return minute < s.start_min; });
  out.title = !cfg.open_on(cfg.local_day(now)) ? "今日休息，停止取号"
              : !o.next_today                  ? "今日已下班，停止取号"
              : before_first                   ? "尚未开始办理"
                                               : "午间休息";
  static constexpr const char* kWeekdays[] = {"星期日", "星期一", "星期二", "星期三",
                                              "星期四", "星期五", "星期六"};
  const std::int64_t day = cfg.local_day(o.next);
  const core::CivilDate d = core::civil_date(day);
  const std::string when = o.next_today
                               ? std::string("今天")
                               : fmt::format("{}月{}日 {}", d.month, d.day, kWeekdays[core::weekday(day)]);
  out.detail = fmt::format("下次办理时间：{} {:02}:{:02}", when, o.next_minute / 60, o.next_minute % 60);
  return out;
}

}  // namespace hallq::view
