#include "tools/hallq/event_text.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/calendar.h"
#include "engine/core/rating.h"
#include "engine/core/utf8.h"
#include "engine/view/hall_words.h"

namespace hallq::cli {
namespace {

// An event's wait in seconds as the view's words take it (negative: no window).
std::int32_t wait_s(std::int64_t seconds) {
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(seconds, -1, 86400 * 366));
}

}  // namespace

std::string device_kind_name(std::string_view kind) {
  return kind == "printer" ? std::string("打印机") : std::string(kind);
}

std::string service_label(const core::HallConfig* config, std::string_view id) {
  const auto i = config ? config->find_service(id) : std::nullopt;
  return i ? fmt::format("{} {}", config->services[*i].name, id) : std::string(id);
}

std::string window_label(const core::HallConfig* config, std::string_view id, int number) {
  if (const auto i = config ? config->find_window(id) : std::nullopt) number = config->windows[*i].number;
  if (number <= 0) return std::string(id);
  return id.empty() ? fmt::format("{} 号窗口", number) : fmt::format("{} 号窗口 {}", number, id);
}

std::string serves_text(const core::HallConfig* config, std::span<const std::pair<std::string, int>> serves) {
  std::string out;
  for (const auto& [id, level] : serves)
    out += fmt::format("{}{}（{}级）", out.empty() ? "" : "、", service_label(config, id), level);
  return out;
}

std::string describe(const protocol::EventSummary& e, const core::HallConfig* config) {
  const std::string window = window_label(config, e.window, e.window_number);
  const std::string service = service_label(config, e.service);
  const std::string& k = e.kind;
  if (k == "ticket_issued") {
    std::string_view prio = e.priority == "priority" ? "，优先" : e.priority == "appointment" ? "，预约" : "";
    const std::string wait = e.predicted_wait_s <= 30
                                 ? std::string("无需等待")
                                 : "预计等待" + view::wait_text(wait_s(e.predicted_wait_s));
    return fmt::format("取号：{}（{}{}），前面还有 {} 人，{}", e.number, service, prio, e.ahead, wait);
  }
  if (k == "ticket_called") return fmt::format("叫号：请 {} 号到 {} 办理", e.number, window);
  if (k == "ticket_recalled") return fmt::format("重呼：请 {} 号到 {} 办理", e.number, window);
  if (k == "service_started") return fmt::format("开始办理：{}（{}）", e.number, window);
  if (k == "ticket_skipped") return fmt::format("过号：{}（{}）", e.number, window);
  if (k == "ticket_requeued") return fmt::format("重新排队：{}", e.number);
  if (k == "ticket_held") return fmt::format("挂起：{}（{}）", e.number, window);
  if (k == "ticket_transferred") return fmt::format("转事项：{} 转至 {}（{}）", e.number, service, window);
  if (k == "ticket_finished") return fmt::format("办结：{}（{}）", e.number, window);
  if (k == "ticket_evaluated") {
    std::string text = fmt::format("评价：{} {}（{}）", e.number, core::rating_name(e.level), e.level);
    if (!e.reasons.empty()) text += fmt::format(" 原因 {}", fmt::join(e.reasons, ","));
    if (!e.text.empty()) text += fmt::format(" 意见“{}”", e.text);
    if (e.channel == "phone") text += e.supplementary ? " 扫码补充评价" : " 扫码";
    return text;
  }
  if (k == "ticket_left") {
    const char* why = e.reason == "gave_up"       ? "放弃等待"
                      : e.reason == "not_printed" ? "未取到号票（打印失败）"
                                                  : "取消";
    return fmt::format("离开：{}（{}）", e.number, why);
  }
  if (k == "window_opened")
    return e.staff.empty() ? fmt::format("{} 开始服务", window)
                           : fmt::format("{} 开始服务（工号 {}）", window, e.staff);
  if (k == "staff_changed") return fmt::format("{} 换岗（工号 {}）", window, e.staff);
  if (k == "window_closed") return fmt::format("{} 停止服务", window);
  if (k == "window_paused") return fmt::format("{} 暂停服务", window);
  if (k == "window_resumed") return fmt::format("{} 恢复服务", window);
  if (k == "day_rolled") return "新的一天：号码已重置，未办理的号已过期";
  if (k == "window_skills_changed")
    return e.advisory
               ? fmt::format("{} 按建议 #{} 调整为办理 {}", window, e.advisory, serves_text(config, e.serves))
               : fmt::format("{} 调整为办理 {}", window, serves_text(config, e.serves));
  if (k == "notice_changed")
    return e.text.empty() ? std::string("撤下通知") : fmt::format("通知：{}", e.text);
  if (k == "device_reported") {
    core::DeviceState state = core::DeviceState::kOk;
    const std::string_view name =
        core::parse(e.device_state, state) ? core::display_name(state) : e.device_state;
    return e.text.empty() ? fmt::format("设备 {}（{}）：{}", e.device, device_kind_name(e.device_kind), name)
                          : fmt::format("设备 {}（{}）：{}（{}）", e.device, device_kind_name(e.device_kind),
                                        name, e.text);
  }
  if (k == "booking_made") {
    const core::CivilDate d = core::civil_date(e.day);
    return fmt::format("预约：{} {}月{}日 {:02}:{:02}（预约码 {}）", service, d.month, d.day, e.slot_min / 60,
                       e.slot_min % 60, e.booking);
  }
  if (k == "booking_cancelled") return fmt::format("取消预约：{}", e.booking);
  if (k == "booking_checked_in") return fmt::format("预约签到：{} 取号 {}", e.booking, e.number);
  if (k == "booking_missed") return fmt::format("预约未到：{}（名额已释放）", e.booking);
  if (k == "work_order_opened") {
    const core::CivilDate d = core::civil_date(e.day);
    return fmt::format("差评工单：{}（工单 {}），{}月{}日前回访整改", e.number, e.ticket, d.month, d.day);
  }
  if (k == "work_order_called_back")
    return fmt::format("工单回访：{}（工单 {}）{}：{}（{}）", e.number, e.ticket,
                       e.reached ? "已联系上" : "未联系上", e.text, e.by);
  if (k == "work_order_rectified")
    return fmt::format("工单整改：{}（工单 {}）：{}（{}），已办结", e.number, e.ticket, e.text, e.by);
  if (k == "upload_rejected") {
    const std::string about = e.number.empty() ? std::string() : fmt::format("（{}）", e.number);
    return fmt::format("上报被拒：记录 {}{}，平台 HTTP {}：{}", e.record_id, about, e.status,
                       e.text.empty() ? std::string("（原因不公开）") : e.text);
  }
  if (k == "upload_resend_requested") {
    const std::string about = e.number.empty() ? std::string() : fmt::format("（{}）", e.number);
    return fmt::format("申请重新上报：记录 {}{}", e.record_id, about);
  }
  if (k == "upload_resend_accepted") {
    const std::string about = e.number.empty() ? std::string() : fmt::format("（{}）", e.number);
    return fmt::format("已重新上报，平台已接受：记录 {}{}，第 {} 次重新上报", e.record_id, about, e.resend);
  }
  if (k == "advisory_issued") {
    const std::string before = view::wait_text(wait_s(e.wait_before_s));  // negative: 暂停受理
    return fmt::format("潮汐窗口建议 #{}：{} {} 办理 {}，{} 的预计等待由{}缩短到{}（hallq accept 接受）",
                       e.advisory, e.action == "open" ? "开启" : "借调", window, service, service, before,
                       view::wait_text(wait_s(e.wait_after_s)));
  }
  return k;
}

}  // namespace hallq::cli
