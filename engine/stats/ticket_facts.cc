#include "engine/stats/ticket_facts.h"

#include <type_traits>
#include <variant>

#include "engine/core/overloaded.h"

namespace hallq::stats {
std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::kOpen:
      return "open";
    case Outcome::kServed:
      return "served";
    case Outcome::kNoShow:
      return "no_show";
    case Outcome::kLeft:
      return "left";
    case Outcome::kExpired:
      return "expired";
  }
  return "?";
}

FactFold::FactFold(std::size_t windows) : windows_(windows) {}

TicketFacts* FactFold::find(core::TicketId id) {
  if (tickets_.empty() || id < tickets_.front().id) return nullptr;
  const std::size_t i = id - tickets_.front().id;
  return i < tickets_.size() ? &tickets_[i] : nullptr;
}

StaffRef FactFold::intern(const std::string& staff) {
  auto [it, inserted] = staff_index_.try_emplace(staff, static_cast<StaffRef>(staff_ids_.size()));
  if (inserted) staff_ids_.push_back(staff);
  return it->second;
}

void FactFold::cut(WindowIdx w, TimeUs t) {
  WindowNow& win = windows_[w];
  if (win.open && t > win.since) {
    spans_.push_back({w, win.staff, win.since, t, win.paused, win.current != 0});
  }
  win.since = t;
}

void FactFold::end_serving_segment(TicketFacts& t, TimeUs now) {
  TimeUs& since = serving_since_[&t - tickets_.data()];
  if (since != 0) t.visits.back().handling_us += now - since;
  since = 0;
}

std::vector<WindowSpan> FactFold::open_spans(TimeUs as_of) const {
  std::vector<WindowSpan> out;
  for (std::size_t w = 0; w < windows_.size(); ++w) {
    const WindowNow& win = windows_[w];
    if (win.open && as_of > win.since)
      out.push_back({static_cast<WindowIdx>(w), win.staff, win.since, as_of, win.paused, win.current != 0});
  }
  return out;
}

void FactFold::add(const core::Event& e) {
  using namespace core;
  ++events_;
  const TimeUs t = e.time;
  last_time_ = std::max(last_time_, t);

  // A window event for a window the config does not have: ignored.
  auto window_ok = [&](WindowIdx w) {
    if (w < windows_.size()) return true;
    ++unknown_ticket_events_;
    return false;
  };
  // A window seen working although no WindowOpened was folded (the fold
  // started while it was open): from now on it counts as open.
  auto ensure_open = [&](WindowIdx w) {
    WindowNow& win = windows_[w];
    if (!win.open) {
      win.open = true;
      win.since = t;
    }
  };
  auto ticket = [&](TicketId id) -> TicketFacts* {
    TicketFacts* f = find(id);
    if (f == nullptr) ++unknown_ticket_events_;
    return f;
  };
  auto end_visit = [&](TicketFacts& f, VisitEnd end, WindowIdx w) {
    Visit& v = f.visits.back();
    v.end = end;
    v.ended_at = t;
    v.end_window = w;
    v.end_staff = w < windows_.size() ? windows_[w].staff : kNoStaffRef;
  };
  // The window's current ticket is done with the window (skip, hold, transfer, finish).
  auto free_window = [&](WindowIdx w) {
    cut(w, t);
    windows_[w].current = 0;
  };

  std::visit(core::Overloaded{
                 [&](const TicketIssued& ev) {
                   if (!tickets_.empty() && ev.ticket != tickets_.back().id + 1) {
                     ++unknown_ticket_events_;  // ids are contiguous in a hall; anything else is not ours
                     return;
                   }
                   TicketFacts f;
                   f.id = ev.ticket;
                   f.service = ev.service;
                   f.number = ev.number;
                   f.priority = ev.priority;
                   f.issued_at = t;
                   f.visits.push_back(Visit{.service = ev.service, .queued_at = t});
                   tickets_.push_back(std::move(f));
                   serving_since_.push_back(0);
                 },
                 // A remote ticket (网上取号): counted from its issue, waiting from its check-in.
                 [&](const core::RemoteTicketIssued& ev) {
                   if (!tickets_.empty() && ev.ticket != tickets_.back().id + 1) {
                     ++unknown_ticket_events_;
                     return;
                   }
                   TicketFacts f;
                   f.id = ev.ticket;
                   f.service = ev.service;
                   f.number = ev.number;
                   f.issued_at = t;
                   f.state = TicketState::kNotArrived;
                   f.visits.push_back(Visit{.service = ev.service, .queued_at = t});
                   tickets_.push_back(std::move(f));
                   serving_since_.push_back(0);
                 },
                 [&](const core::RemoteCheckedIn& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   f->visits.back().queued_at = t;
                   f->state = TicketState::kWaiting;
                 },
                 [&](const core::RemoteMissed& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   end_visit(*f, VisitEnd::kNoShow, core::kNoWindow);
                   f->outcome = Outcome::kNoShow;
                   f->state = TicketState::kNoShow;
                 },
                 [&](const WindowOpened& ev) {
                   if (!window_ok(ev.window)) return;
                   cut(ev.window, t);
                   WindowNow& win = windows_[ev.window];
                   win.open = true;
                   win.paused = false;
                   win.staff = intern(ev.staff);
                 },
                 [&](const StaffChanged& ev) {
                   if (!window_ok(ev.window)) return;
                   ensure_open(ev.window);
                   cut(ev.window, t);
                   windows_[ev.window].staff = intern(ev.staff);
                 },
                 [&](const WindowClosed& ev) {
                   if (!window_ok(ev.window)) return;
                   cut(ev.window, t);
                   windows_[ev.window] = WindowNow{.since = t};
                 },
                 [&](const WindowPaused& ev) {
                   if (!window_ok(ev.window)) return;
                   ensure_open(ev.window);
                   cut(ev.window, t);
                   windows_[ev.window].paused = true;
                 },
                 [&](const WindowResumed& ev) {
                   if (!window_ok(ev.window)) return;
                   ensure_open(ev.window);
                   cut(ev.window, t);
                   windows_[ev.window].paused = false;
                 },
                 [&](const TicketCalled& ev) {
                   if (!window_ok(ev.window)) return;
                   ensure_open(ev.window);
                   cut(ev.window, t);
                   windows_[ev.window].current = ev.ticket;
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   Visit& v = f->visits.back();
                   if (v.first_called_at == 0) {
                     v.first_called_at = t;
                     v.call_window = ev.window;
                     v.call_staff = windows_[ev.window].staff;
                   }
                   f->state = TicketState::kCalled;
                 },
                 [&](const TicketRecalled& ev) {
                   if (TicketFacts* f = ticket(ev.ticket)) ++f->recalls;
                 },
                 [&](const ServiceStarted& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   if (f->visits.back().started_at == 0) f->visits.back().started_at = t;
                   serving_since_[f - tickets_.data()] = t;
                   f->state = TicketState::kServing;
                 },
                 [&](const TicketSkipped& ev) {
                   if (window_ok(ev.window)) free_window(ev.window);
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   end_visit(*f, VisitEnd::kNoShow, ev.window);
                   f->outcome = Outcome::kNoShow;
                   f->state = TicketState::kNoShow;
                 },
                 [&](const TicketRequeued& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   Visit& v = f->visits.back();
                   v.end = VisitEnd::kOpen;
                   v.ended_at = 0;
                   v.end_window = core::kNoWindow;
                   v.end_staff = kNoStaffRef;
                   f->outcome = Outcome::kOpen;
                   f->state = TicketState::kWaiting;
                 },
                 [&](const TicketHeld& ev) {
                   if (window_ok(ev.window)) free_window(ev.window);
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   end_serving_segment(*f, t);
                   f->state = TicketState::kHeld;
                 },
                 [&](const TicketTransferred& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f != nullptr) {
                     end_serving_segment(*f, t);
                     end_visit(*f, VisitEnd::kTransferred, ev.window);
                     f->visits.push_back(Visit{.service = ev.service, .queued_at = t});
                     f->state = TicketState::kWaiting;
                   }
                   if (window_ok(ev.window)) free_window(ev.window);
                 },
                 [&](const TicketFinished& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f != nullptr) {
                     end_serving_segment(*f, t);
                     end_visit(*f, VisitEnd::kFinished, ev.window);
                     f->outcome = Outcome::kServed;
                     f->state = TicketState::kDone;
                     f->case_number = ev.case_number;
                   }
                   if (window_ok(ev.window)) free_window(ev.window);
                 },
                 [&](const TicketEvaluated& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   f->rating = static_cast<std::int8_t>(ev.level > 5 ? 0 : ev.level);
                   f->rated_at = t;
                   f->state = TicketState::kRated;
                   f->reasons = ev.reasons;
                   f->comment = ev.comment;
                   f->channel = ev.channel;
                   f->supplementary = ev.supplementary;
                 },
                 [&](const TicketLeft& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   end_visit(*f, VisitEnd::kLeft, core::kNoWindow);
                   f->outcome = Outcome::kLeft;
                   f->leave_reason = ev.reason;
                   f->state = TicketState::kLeft;
                 },
                 [&](const DayRolled&) {
                   // As the core: waiting, held and no-show tickets expire. A no-show
                   // stays a no-show for statistics: it can no longer come back.
                   for (std::size_t i = expiry_scan_from_; i < tickets_.size(); ++i) {
                     TicketFacts& f = tickets_[i];
                     if (f.state == TicketState::kNoShow) {
                       f.state = TicketState::kExpired;
                     } else if (f.state == TicketState::kWaiting || f.state == TicketState::kHeld ||
                                f.state == TicketState::kNotArrived) {
                       end_visit(f, VisitEnd::kExpired, core::kNoWindow);
                       f.outcome = Outcome::kExpired;
                       f.state = TicketState::kExpired;
                     }
                   }
                   // Only tickets at a window can still change state to one that expires.
                   std::size_t i = expiry_scan_from_;
                   while (i < tickets_.size() && tickets_[i].state != TicketState::kCalled &&
                          tickets_[i].state != TicketState::kServing)
                     ++i;
                   expiry_scan_from_ = i;
                 },
                 // 差评工单: the instants of its steps (the first of each kind).
                 [&](const WorkOrderOpened& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   f->order.opened_at = t;
                   f->order.due_day = ev.due_day;
                 },
                 [&](const WorkOrderCalledBack& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   if (f->order.called_back_at == 0) f->order.called_back_at = t;
                   if (ev.reached && f->order.reached_at == 0) f->order.reached_at = t;
                 },
                 [&](const WorkOrderRectified& ev) {
                   TicketFacts* f = ticket(ev.ticket);
                   if (f == nullptr) return;
                   if (f->order.rectified_at == 0) f->order.rectified_at = t;
                 },
                 // Skills, advisories, notices: nothing to count.
                 [&](const auto&) {},
             },
             e.body);
}

}  // namespace hallq::stats
