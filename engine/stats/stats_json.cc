#include "engine/stats/stats_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/stats/report_tables.h"

namespace hallq::stats {
namespace {

using json = nlohmann::json;

json number(double v) { return std::isnan(v) ? json(nullptr) : json(v); }

std::string_view period_name(Period p) {
  switch (p) {
    case Period::kAll:
      return "all";
    case Period::kHour:
      return "hour";
    case Period::kDay:
      return "day";
    case Period::kMonth:
      return "month";
  }
  return "all";
}

}  // namespace

json figures_json(const Figures& f) {
  return {{"issued", f.issued},
          {"called", f.called},
          {"served", f.served},
          {"transferred", f.transferred},
          {"no_shows", f.no_shows},
          {"left", f.left},
          {"gave_up", f.gave_up},
          {"cancelled", f.cancelled},
          {"expired", f.expired},
          {"wait_mean_min", number(f.wait_mean_min)},
          {"wait_p90_min", number(f.wait_p90_min)},
          {"wait_max_min", number(f.wait_max_min)},
          {"over_target", f.over_target},
          {"over_target_share", number(f.over_target_share)},
          {"handle_mean_min", number(f.handle_mean_min)},
          {"handle_p90_min", number(f.handle_p90_min)},
          {"ratings", f.ratings},
          {"rated", f.rated},
          {"satisfaction", number(f.satisfaction)},
          {"good", f.good},
          {"bad", f.bad},
          {"good_rate", number(f.good_rate)},
          {"bad_rate", number(f.bad_rate)},
          {"work_orders", f.work_orders},
          {"called_back", f.called_back},
          {"reached", f.reached},
          {"rectified", f.rectified},
          {"overdue", f.overdue},
          {"callback_rate", number(f.callback_rate)},
          {"rectify_rate", number(f.rectify_rate)},
          {"no_show_rate", number(f.no_show_rate)},
          {"left_rate", number(f.left_rate)},
          {"open_s", f.open_s},
          {"paused_s", f.paused_s},
          {"busy_s", f.busy_s},
          {"utilisation", number(f.utilisation)}};
}

json stats_json(const Stats& st, const core::HallConfig& hall) {
  json services = json::array(), windows = json::array(), staff = json::array(), periods = json::array();
  for (std::size_t i = 0; i < hall.services.size() && i < st.total.services.size(); ++i) {
    json j = figures_json(st.total.services[i]);
    j["id"] = hall.services[i].id;
    j["name"] = hall.services[i].name;
    services.push_back(std::move(j));
  }
  for (std::size_t i = 0; i < hall.windows.size() && i < st.total.windows.size(); ++i) {
    json j = figures_json(st.total.windows[i]);
    j["id"] = hall.windows[i].id;
    j["name"] = hall.windows[i].name;
    windows.push_back(std::move(j));
  }
  for (std::size_t i = 0; i < st.staff_ids.size() && i < st.total.staff.size(); ++i) {
    json j = figures_json(st.total.staff[i]);
    j["id"] = st.staff_ids[i];
    j["name"] = staff_display_name(hall, st.staff_ids[i]);
    staff.push_back(std::move(j));
  }
  for (const Slice& s : st.slices) {
    json j = figures_json(s.hall);
    j["period"] = s.label;
    periods.push_back(std::move(j));
  }
  return {{"period", period_name(st.period)},
          {"from_us", st.from},
          {"to_us", st.to},
          {"wait_target_min", st.wait_target_min},
          {"total", figures_json(st.total.hall)},
          {"services", std::move(services)},
          {"windows", std::move(windows)},
          {"staff", std::move(staff)},
          {"periods", std::move(periods)}};
}

}  // namespace hallq::stats
