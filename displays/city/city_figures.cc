// Per-hall figures from engine/view's summary and live statistics.
#include "displays/city/city_figures.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "engine/view/hall_summary.h"
#include "engine/view/live_stats.h"
#include "engine/view/opening_hours.h"

namespace hallq::city {

HallFigures hall_figures(const core::Hall& hall, core::TimeUs now) {
  HallFigures f;
  const core::HallConfig& cfg = hall.config();
  const view::HallSummary s = view::summarize(hall, now);
  f.id = s.id;
  f.name = s.name;
  f.seq = s.seq;
  f.waiting = s.waiting;
  f.predicted_wait_s = -1;
  for (const view::ServiceSummary& sv : s.services) {
    f.longest_wait_s = std::max(f.longest_wait_s, sv.longest_wait_s);
    if (sv.open_windows > 0 && sv.predicted_wait_s > f.predicted_wait_s) {
      f.predicted_wait_s = sv.predicted_wait_s;
      f.predicted_service = sv.name;
    }
  }
  f.windows_total = static_cast<std::uint32_t>(s.windows.size());
  for (const view::WindowSummary& w : s.windows)
    if (w.state == "idle" || w.state == "busy") ++f.windows_open;
  const view::LiveStats live = view::live_stats(hall, now);
  f.ratings = live.ratings;
  f.satisfaction = live.satisfaction;
  f.open_now = view::opening(cfg, now).open_now;
  if (f.open_now && f.windows_open == 0) f.alerts.push_back({"no_window", "开放时间内没有窗口在办"});
  for (const view::Alert& a : live.alerts) f.alerts.push_back({a.kind, a.message});
  return f;
}

std::string hall_json(const HallFigures& f) {
  nlohmann::json alerts = nlohmann::json::array();
  for (const CityAlert& a : f.alerts) alerts.push_back({{"kind", a.kind}, {"message", a.message}});
  const nlohmann::json j = {{"id", f.id},
                            {"name", f.name},
                            {"seq", f.seq},
                            {"waiting", f.waiting},
                            {"longest_wait_s", f.longest_wait_s},
                            {"predicted_wait_s", f.predicted_wait_s},
                            {"predicted_service", f.predicted_service},
                            {"windows_open", f.windows_open},
                            {"windows_total", f.windows_total},
                            {"ratings", f.ratings},
                            {"satisfaction", f.satisfaction},
                            {"open_now", f.open_now},
                            {"last_event_us", f.last_event_us},
                            {"alerts", alerts}};
  return j.dump();
}

std::string city_json(const std::vector<std::string_view>& halls, std::uint64_t waiting,
                      const FeedFigures& feed, core::TimeUs now) {
  nlohmann::json j;
  j["time_us"] = now;
  j["waiting"] = waiting;
  nlohmann::json alerts = nlohmann::json::array();
  if (feed.pending >= kLagAlert)
    alerts.push_back({{"kind", "lag"}, {"message", fmt::format("城市视图落后事件流 {} 条", feed.pending)}});
  if (!feed.connected)
    alerts.push_back({{"kind", "lag"}, {"message", "与事件流的连接中断，数字可能不是最新"}});
  j["alerts"] = alerts;
  j["stream"] = {{"delivered", feed.delivered},
                 {"applied", feed.applied},
                 {"held", feed.held},
                 {"refused", feed.refused},
                 {"without_snapshot", feed.without_snapshot},
                 {"gaps", feed.gaps},
                 {"pending", feed.pending},
                 {"connected", feed.connected},
                 {"refusals", feed.refusals}};
  // {"halls":[…], then the rest of the object (its own opening brace dropped).
  const std::string rest = j.dump();
  std::size_t size = rest.size() + 16;
  for (std::string_view h : halls) size += h.size() + 1;
  std::string out;
  out.reserve(size);
  out += "{\"halls\":[";
  for (std::size_t i = 0; i < halls.size(); ++i) {
    if (i > 0) out += ',';
    out += halls[i];
  }
  out += "],";
  out.append(rest, 1);
  return out;
}

}  // namespace hallq::city
