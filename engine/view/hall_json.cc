#include "engine/view/hall_json.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/core/calendar.h"
#include "engine/predict/forecast.h"
#include "engine/view/hall_summary.h"
#include "engine/view/json_view.h"
#include "engine/view/live_stats.h"

namespace hallq::view {

using nlohmann::json;

json hall_json(const core::Hall& hall, core::TimeUs now) {
  json j = to_json(summarize(hall, now));
  j["live"] = to_json(live_stats(hall, now));
  j["wait_target_min"] = hall.config().wait_target_min;
  // The hall's own calendar day (its time zone, not the browser's), for history queries.
  j["local_date"] = core::format_date(hall.config().local_day(now));
  // The engine's time of day there (simulated in a demo): the dashboard's clock.
  j["local_time"] = core::format_time_of_day(hall.config().local_second_of_day(now));
  j["utc_offset_min"] = hall.config().utc_offset_min;  // events' times in the hall's time zone
  return j;
}

json tickets_json(const core::Hall& hall, core::TimeUs now, bool waiting_only) {
  const core::HallConfig& cfg = hall.config();
  const core::TimeUs midnight = cfg.day_start(cfg.local_day(now));
  const predict::Forecast f = predict::forecast(hall, now);
  std::map<core::TicketId, const predict::TicketForecast*> by_id;
  for (const predict::TicketForecast& tf : f.tickets) by_id[tf.ticket] = &tf;
  json out = json::array();
  for (const core::Ticket& t : hall.tickets()) {
    if (t.issued_at < midnight) continue;
    if (waiting_only && t.state != core::TicketState::kWaiting) continue;
    json j = {{"id", t.id},
              {"number", hall.number_of(t)},
              {"service", cfg.services[t.service].id},
              {"priority", core::to_string(t.priority)},
              {"state", core::to_string(t.state)},
              {"issued_at_us", t.issued_at},
              {"predicted_wait_at_issue_s", t.predicted_wait_s}};
    if (t.window != core::kNoWindow) j["window"] = cfg.windows[t.window].id;
    if (t.first_called_at) j["waited_s"] = (t.first_called_at - t.issued_at) / core::kUsPerSecond;
    if (t.state == core::TicketState::kWaiting) {
      j["waited_s"] = (now - t.issued_at) / core::kUsPerSecond;
      if (auto it = by_id.find(t.id); it != by_id.end()) {
        j["ahead"] = it->second->ahead;
        j["predicted_wait_s"] = it->second->wait_s;
      }
    }
    if (t.state == core::TicketState::kRated) j["rating"] = t.rating;
    out.push_back(std::move(j));
  }
  return out;
}

json staff_json(const core::Hall& hall) {
  const core::HallConfig& cfg = hall.config();
  json out = json::array();
  auto where = [&](std::string_view staff) -> json {
    for (std::size_t i = 0; i < cfg.windows.size(); ++i) {
      const core::Window& w = hall.window(static_cast<core::WindowIdx>(i));
      if (w.state != core::WindowState::kClosed && hall.staff_id(w.staff) == staff) return cfg.windows[i].id;
    }
    return nullptr;
  };
  for (const core::StaffConfig& s : cfg.staff)
    out.push_back({{"id", s.id}, {"name", s.name}, {"window", where(s.id)}});
  return out;
}

}  // namespace hallq::view
