#include "engine/view/live_stats.h"

#include <fmt/format.h>

#include <algorithm>

namespace hallq::view {

using core::TicketState;

namespace {

void count_rating(RatingsLive& r, std::uint8_t level) {
  ++r.rated;
  if (level >= 4) ++r.good;
  if (level == 1 || level == 2) ++r.bad;
}

void rate(RatingsLive& r) {
  if (r.rated == 0) return;
  r.good_rate = static_cast<double>(r.good) / r.rated;
  r.bad_rate = static_cast<double>(r.bad) / r.rated;
}

}  // namespace

LiveStats live_stats(const core::Hall& hall, core::TimeUs now, const AlertThresholds& thresholds) {
  const core::HallConfig& cfg = hall.config();
  const core::TimeUs midnight = cfg.day_start(cfg.local_day(now));
  const double target_s = cfg.wait_target_min * 60.0;
  LiveStats out;
  out.windows.resize(cfg.windows.size());
  out.services.resize(cfg.services.size());
  for (std::size_t i = 0; i < cfg.windows.size(); ++i) out.windows[i].id = cfg.windows[i].id;
  for (std::size_t i = 0; i < cfg.services.size(); ++i) {
    out.services[i].id = cfg.services[i].id;
    out.services[i].mean_handle_s = hall.mean_handle_s(static_cast<core::ServiceIdx>(i));
  }

  std::vector<double> handle_sum(cfg.windows.size(), 0), wait_sum(cfg.services.size(), 0);
  std::vector<std::uint32_t> over(cfg.services.size(), 0);
  std::vector<core::TimeUs> first_call(cfg.windows.size(), 0);
  std::vector<RatingsLive> staff_of;  // by StaffIdx
  for (const core::Ticket& t : hall.tickets()) {
    if (t.issued_at < midnight) continue;
    ServiceLive& sv = out.services[t.issued_service];
    ++sv.issued;
    ++out.issued;
    if (t.first_called_at != 0) {
      const double wait_s = static_cast<double>(t.first_called_at - t.issued_at) / core::kUsPerSecond;
      ++sv.called;
      ++out.called;
      wait_sum[t.issued_service] += wait_s;
      if (wait_s > target_s) ++over[t.issued_service];
      if (t.window != core::kNoWindow) {
        core::TimeUs& first = first_call[t.window];
        if (first == 0 || t.first_called_at < first) first = t.first_called_at;
      }
    }
    if (t.finished_at != 0 && t.started_at != 0 && t.window != core::kNoWindow) {
      ++out.services[t.service].finished;
      WindowLive& w = out.windows[t.window];
      ++w.finished;
      handle_sum[t.window] += static_cast<double>(t.finished_at - t.started_at) / core::kUsPerSecond;
    }
    if (t.state == TicketState::kRated) {
      if (t.rating == 0) {
        ++out.not_rated;
      } else {
        ++out.ratings;
        if (t.rating >= 4) ++out.satisfied;
        count_rating(out.hall_ratings, t.rating);
        if (t.window != core::kNoWindow) count_rating(out.windows[t.window].ratings, t.rating);
        if (t.staff != core::kNoStaff) {
          if (staff_of.size() <= t.staff) staff_of.resize(t.staff + 1u);
          count_rating(staff_of[t.staff], t.rating);
        }
      }
    }
    if (t.state == TicketState::kNoShow) ++out.no_shows;
    if (t.state == TicketState::kLeft) ++out.left;
  }
  for (std::size_t i = 0; i < out.services.size(); ++i) {
    ServiceLive& sv = out.services[i];
    if (sv.called > 0) {
      sv.mean_wait_s = wait_sum[i] / sv.called;
      sv.over_target_share = static_cast<double>(over[i]) / sv.called;
    }
  }
  for (std::size_t i = 0; i < out.windows.size(); ++i) {
    WindowLive& w = out.windows[i];
    if (w.finished > 0) w.mean_handle_s = handle_sum[i] / w.finished;
    // Serving time so far, the current ticket's included.
    double busy_s = handle_sum[i];
    const core::Window& win = hall.window(static_cast<core::WindowIdx>(i));
    if (const core::Ticket* t = win.current ? hall.find_ticket(win.current) : nullptr;
        t && t->state == TicketState::kServing && t->started_at >= midnight)
      busy_s += static_cast<double>(now - t->started_at) / core::kUsPerSecond;
    if (first_call[i] != 0 && now > first_call[i])
      w.utilisation =
          std::clamp(busy_s / (static_cast<double>(now - first_call[i]) / core::kUsPerSecond), 0.0, 1.0);
  }
  if (out.ratings > 0) out.satisfaction = static_cast<double>(out.satisfied) / out.ratings;
  rate(out.hall_ratings);
  for (WindowLive& w : out.windows) rate(w.ratings);
  for (std::size_t i = 0; i < staff_of.size(); ++i) {
    if (staff_of[i].rated == 0) continue;
    const std::string id(hall.staff_id(static_cast<core::StaffIdx>(i)));
    const core::StaffConfig* known = cfg.find_staff(id);
    StaffLive st{id, known != nullptr ? known->name : "", staff_of[i]};
    rate(st.ratings);
    out.staff.push_back(std::move(st));
  }
  std::sort(out.staff.begin(), out.staff.end(),
            [](const StaffLive& a, const StaffLive& b) { return a.id < b.id; });
  if (out.called > 0) out.no_show_rate = static_cast<double>(out.no_shows) / out.called;
  if (out.issued > 0) out.give_up_rate = static_cast<double>(out.left) / out.issued;

  // Alerts.
  for (std::size_t i = 0; i < cfg.services.size(); ++i) {
    const auto s = static_cast<core::ServiceIdx>(i);
    const std::size_t waiting = hall.waiting(s);
    if (waiting == 0) continue;
    std::int64_t longest_s = 0;
    std::uint32_t open = 0;
    for (const core::Window& w : hall.windows())
      if (w.state == core::WindowState::kOpen && core::skill_level(w, s) > 0) ++open;
    for (int c = 0; c < core::kQueueClasses; ++c)
      for (const core::QueueEntry& e : hall.queue(s).line(static_cast<core::QueueClass>(c)))
        if (const core::Ticket* t = hall.find_ticket(e.ticket))
          longest_s = std::max<std::int64_t>(longest_s, (now - t->issued_at) / core::kUsPerSecond);
    const std::string& name = cfg.services[i].name;
    if (longest_s > target_s) {
      out.alerts.push_back({"long_wait", cfg.services[i].id, "",
                            fmt::format("{}：最久已等 {} 分钟，超过 {} 分钟的承诺", name, longest_s / 60,
                                        cfg.wait_target_min)});
    }
    if (static_cast<double>(waiting) > thresholds.queue_per_window * std::max<std::uint32_t>(1, open)) {
      out.alerts.push_back({"long_queue", cfg.services[i].id, "",
                            open ? fmt::format("{}：{} 人等候，{} 个窗口在办", name, waiting, open)
                                 : fmt::format("{}：{} 人等候，没有窗口在办", name, waiting)});
    }
  }
  for (std::size_t i = 0; i < cfg.windows.size(); ++i) {
    const core::Window& w = hall.window(static_cast<core::WindowIdx>(i));
    if (w.state != core::WindowState::kOpen || w.current != 0) continue;
    const std::int64_t idle_s = (now - std::max(w.idle_since, w.state_since)) / core::kUsPerSecond;
    if (idle_s < thresholds.idle_window_s) continue;
    for (const core::Skill& k : w.skills) {
      if (k.level != 1 || hall.waiting(k.service) == 0) continue;
      out.alerts.push_back({"idle_window", "", cfg.windows[i].id,
                            fmt::format("{}号窗口空闲 {} 分钟，{} 有 {} 人等候", cfg.windows[i].number,
                                        idle_s / 60, cfg.services[k.service].name, hall.waiting(k.service))});
      break;
    }
  }
  return out;
}

}  // namespace hallq::view
