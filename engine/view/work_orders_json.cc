#include "engine/view/work_orders_json.h"

#include <algorithm>
#include <vector>

#include "engine/core/calendar.h"
#include "engine/core/rating.h"
#include "engine/core/work_order.h"
#include "engine/core/working_days.h"

namespace hallq::view {

using nlohmann::json;

json work_orders_json(const core::Hall& hall, core::TimeUs now) {
  const core::HallConfig& cfg = hall.config();
  const std::int64_t today = cfg.local_day(now);
  std::vector<const core::WorkOrder*> orders;
  for (const core::WorkOrder& o : hall.work_orders()) orders.push_back(&o);
  auto rank = [&](const core::WorkOrder* o) {
    switch (core::status_on(cfg, *o, today)) {
      case core::WorkOrderStatus::kOverdue:
        return 0;
      case core::WorkOrderStatus::kDueSoon:
        return 1;
      case core::WorkOrderStatus::kOpen:
        return 2;
      case core::WorkOrderStatus::kClosed:
        return 3;
    }
    return 3;
  };
  std::stable_sort(orders.begin(), orders.end(), [&](const core::WorkOrder* a, const core::WorkOrder* b) {
    return std::make_tuple(rank(a), a->due_day, a->ticket) < std::make_tuple(rank(b), b->due_day, b->ticket);
  });
  json counts = {{"open", 0}, {"due_soon", 0}, {"overdue", 0}, {"closed", 0}};
  json list = json::array();
  for (const core::WorkOrder* o : orders) {
    const core::WorkOrderStatus status = core::status_on(cfg, *o, today);
    counts[std::string(core::to_string(status))] =
        counts[std::string(core::to_string(status))].get<int>() + 1;
    json callbacks = json::array();
    for (const core::WorkOrderCallback& c : o->callbacks)
      callbacks.push_back({{"at_us", c.at}, {"reached", c.reached}, {"note", c.note}, {"by", c.by}});
    json reasons = json::array();
    for (const std::string& code : o->reasons) {
      const core::EvaluationReason* r = core::find_reason(cfg.evaluation, code);
      reasons.push_back({{"code", code}, {"name", r != nullptr ? r->text : code}});
    }
    const bool window_known = o->window < cfg.windows.size();
    const core::StaffConfig* staff = cfg.find_staff(o->staff);
    const int left = o->due_day >= today ? core::working_days_between(cfg, today, o->due_day)
                                         : -core::working_days_between(cfg, o->due_day, today);
    list.push_back({{"ticket", o->ticket},
                    {"number", o->number},
                    {"service", cfg.services[o->service].id},
                    {"service_name", cfg.services[o->service].name},
                    {"window", window_known ? cfg.windows[o->window].id : ""},
                    {"window_number", window_known ? cfg.windows[o->window].number : 0},
                    {"staff", o->staff},
                    {"staff_name", staff != nullptr ? staff->name : ""},
                    {"level", o->level},
                    {"level_name", core::rating_name(o->level)},
                    {"reasons", std::move(reasons)},
                    {"comment", o->comment},
                    {"rated_at_us", o->opened_at},
                    {"rated_on", core::format_date(cfg.local_day(o->opened_at))},
                    {"due", core::format_date(o->due_day)},
                    {"working_days_left", left},
                    {"status", core::to_string(status)},
                    {"status_name", core::display_name(status)},
                    {"callbacks", std::move(callbacks)},
                    {"rectified_at_us", o->rectified_at},
                    {"rectification", o->rectification},
                    {"rectified_by", o->rectified_by}});
  }
  return {{"hall", cfg.id},
          {"today", core::format_date(today)},
          {"due_soon_working_days", core::due_soon_working_days(cfg)},
          {"counts", std::move(counts)},
          {"orders", std::move(list)}};
}

}  // namespace hallq::view
