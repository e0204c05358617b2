#include "engine/view/hall_summary.h"

#include <algorithm>

#include "engine/view/hall_words.h"

namespace hallq::view {

HallSummary summarize(const core::Hall& hall, core::TimeUs now) {
  const core::HallConfig& cfg = hall.config();
  now = std::max(now, hall.clock());
  HallSummary out;
  out.id = cfg.id;
  out.name = cfg.name;
  out.notice = hall.notice();
  out.seq = hall.seq();
  // Every service's newcomer at once: the forecast answers all from one play
  // (one play per service was most of a summary's time).
  const std::vector<core::Prediction> newcomers =
      hall.predictor().predict_new_all(hall, core::Priority::kNormal, now);
  for (std::size_t i = 0; i < cfg.services.size(); ++i) {
    const auto s = static_cast<core::ServiceIdx>(i);
    ServiceSummary ss;
    ss.id = cfg.services[i].id;
    ss.name = cfg.services[i].name;
    ss.prefix = cfg.services[i].prefix;
    ss.waiting = static_cast<std::uint32_t>(hall.waiting(s));
    ss.predicted_wait_s = newcomers[i].wait_s;
    const core::ServiceQueue& q = hall.queue(s);
    for (int c = 0; c < core::kQueueClasses; ++c) {
      for (const core::QueueEntry& e : q.line(static_cast<core::QueueClass>(c))) {
        if (const core::Ticket* t = hall.find_ticket(e.ticket))
          ss.longest_wait_s = std::max(ss.longest_wait_s, (now - t->issued_at) / core::kUsPerSecond);
      }
    }
    for (const core::Window& w : hall.windows())
      if (w.state == core::WindowState::kOpen && core::skill_level(w, s) > 0) ++ss.open_windows;
    ss.wait_text = service_wait_text(ss);
    out.waiting += ss.waiting;
    out.services.push_back(std::move(ss));
  }
  for (std::size_t i = 0; i < cfg.windows.size(); ++i) {
    const core::Window& w = hall.window(static_cast<core::WindowIdx>(i));
    WindowSummary ws;
    ws.id = cfg.windows[i].id;
    ws.name = cfg.windows[i].name;
    ws.number = cfg.windows[i].number;
    switch (w.state) {
      case core::WindowState::kClosed:
        ws.state = "closed";
        break;
      case core::WindowState::kPaused:
        ws.state = "paused";
        break;
      case core::WindowState::kOpen:
        ws.state = w.current != 0 ? "busy" : "idle";
        break;
    }
    if (const core::Ticket* t = w.current != 0 ? hall.find_ticket(w.current) : nullptr) {
      ws.current = hall.number_of(*t);
      ws.current_state = std::string(core::to_string(t->state));
      ws.service = cfg.services[t->service].id;
    }
    ws.staff = std::string(hall.staff_id(w.staff));
    if (const core::StaffConfig* sc = cfg.find_staff(ws.staff)) ws.staff_name = sc->name;
    ws.served = w.served;
    out.windows.push_back(std::move(ws));
  }
  for (const core::Advisory& a : hall.advisories()) {
    const core::TimeUs left = a.issued_at + core::kAdvisoryLifetime - now;
    if (left <= 0) continue;
    AdvisorySummary as;
    as.id = a.id;
    as.service = cfg.services[a.service].id;
    as.window = cfg.windows[a.window].id;
    as.service_name = cfg.services[a.service].name;
    as.window_name = cfg.windows[a.window].name;
    as.window_number = cfg.windows[a.window].number;
    as.action = std::string(core::to_string(a.action));
    for (const core::Skill& k : a.skills) as.serves.emplace_back(cfg.services[k.service].id, k.level);
    as.wait_before_s = a.wait_before_s;
    as.wait_after_s = a.wait_after_s;
    as.expires_in_s = left / core::kUsPerSecond;
    as.text = advisory_text(as);
    out.advisories.push_back(std::move(as));
  }
  for (const auto& [id, d] : hall.devices()) {
    out.devices.push_back({id, d.kind, std::string(core::to_string(d.state)),
                           std::string(core::display_name(d.state)), d.detail,
                           std::max<core::TimeUs>(0, now - d.since) / core::kUsPerSecond,
                           d.state == core::DeviceState::kOk});
  }
  return out;
}

}  // namespace hallq::view
