#include "engine/core/work_order.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/utf8.h"
#include "engine/core/working_days.h"

namespace hallq::core {

int follow_up_working_days(const HallConfig& cfg) { return cfg.evaluation.follow_up_working_days; }
int due_soon_working_days(const HallConfig& cfg) { return cfg.evaluation.due_soon_working_days; }

bool WorkOrder::reached() const {
  return std::any_of(callbacks.begin(), callbacks.end(),
                     [](const WorkOrderCallback& c) { return c.reached; });
}

WorkOrderStatus status_on(const HallConfig& cfg, const WorkOrder& order, std::int64_t today) {
  if (order.closed()) return WorkOrderStatus::kClosed;
  if (today > order.due_day) return WorkOrderStatus::kOverdue;
  if (working_days_between(cfg, today, order.due_day) <= due_soon_working_days(cfg))
    return WorkOrderStatus::kDueSoon;
  return WorkOrderStatus::kOpen;
}

std::string_view to_string(WorkOrderStatus s) {
  switch (s) {
    case WorkOrderStatus::kOpen:
      return "open";
    case WorkOrderStatus::kDueSoon:
      return "due_soon";
    case WorkOrderStatus::kOverdue:
      return "overdue";
    case WorkOrderStatus::kClosed:
      return "closed";
  }
  return "?";
}

std::string_view display_name(WorkOrderStatus s) {
  switch (s) {
    case WorkOrderStatus::kOpen:
      return "处理中";
    case WorkOrderStatus::kDueSoon:
      return "即将到期";
    case WorkOrderStatus::kOverdue:
      return "已逾期";
    case WorkOrderStatus::kClosed:
      return "已整改";
  }
  return "?";
}

std::string note_problem(std::string_view note, std::string_view what) {
  if (note.empty()) return fmt::format("{}不能为空", what);
  if (!printable_utf8(note)) return fmt::format("{}须为不含控制字符（含换行）的 UTF-8 文字", what);
  const auto chars = static_cast<std::size_t>(std::count_if(
      note.begin(), note.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  if (chars > kMaxWorkOrderNoteChars)
    return fmt::format("{}过长（{} 字，最多 {} 字）", what, chars, kMaxWorkOrderNoteChars);
  return {};
}

}  // namespace hallq::core
