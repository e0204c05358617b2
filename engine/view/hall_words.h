// The words every display uses for a hall's situation, from one place: the
// board (`hallq board`), the hall screen, `hallq status` and the dashboard
// (through the summary's JSON) all read a service's predicted wait, an
// advisory and a closed hall the same way.
//
// Pure. Thread: any.
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/hall_config.h"
#include "engine/view/hall_summary.h"

namespace hallq::view {

// A predicted wait: "无需等待" (30 s or less), "约 N 分钟" (minutes rounded
// up), "暂停受理" (negative: no open window).
std::string wait_text(std::int32_t seconds);

// A service's predicted wait as shown: "暂停受理" when no open window serves
// it (whatever the forecast), else wait_text of its forecast.
std::string service_wait_text(const ServiceSummary& service);

// An advisory explained, with names: "建议开启 9 号窗口（民政残联窗口）办理民政残联：
// 预计等待由约 45 分钟缩短到约 12 分钟" (or "借调 … 兼办 …"; before: "暂停受理"
// when no window served the service).
std::string advisory_text(const AdvisorySummary& advisory);

// The hall outside its opening hours with no window open: what the hall
// screen shows instead of the calls. `title` "今日已下班" / "今日休息" (not a working day) / "尚未开始办理" /
// "午间休息"; `detail` "下次办理时间：12月4日 星期五 08:30". Empty when
// the hall is open (inside its hours, or some window still open).
struct ClosedText {
  std::string title, detail;
  bool closed() const { return !title.empty(); }
};
ClosedText closed_text(const core::HallConfig& cfg, const HallSummary& summary, core::TimeUs now);

}  // namespace hallq::view
