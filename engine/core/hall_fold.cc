// Folding: Hall::apply_event, the one way the hall's state changes. Replaying
// a hall's events rebuilds the same state, so each event is re-checked for fit
// (events also arrive from disk and from the network) before anything moves.
#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <utility>

#include "engine/core/evaluation_rules.h"
#include "engine/core/hall.h"
#include "engine/core/overloaded.h"
#include "engine/core/utf8.h"

namespace hallq::core {

StaffIdx Hall::intern_staff(const std::string& staff_id) {
  if (staff_id.empty()) return kNoStaff;
  for (std::size_t i = 0; i < state_.staff_names.size(); ++i)
    if (state_.staff_names[i] == staff_id) return static_cast<StaffIdx>(i);
  state_.staff_names.push_back(staff_id);
  return static_cast<StaffIdx>(state_.staff_names.size() - 1);
}

void Hall::enqueue(Ticket& t) {
  t.queue_order = state_.next_queue_order++;
  index_.queues[t.service].push(t.queue_class, {t.queue_key, t.queue_order, t.id});
}

void Hall::dequeue(Ticket& t) {
  const bool erased = index_.queues[t.service].erase(t.queue_class, {t.queue_key, t.queue_order, t.id});
  assert(erased);
  (void)erased;
}

Booking* Hall::booking_mut(std::uint32_t code) { return const_cast<Booking*>(find_booking(code)); }

RemoteTicket* Hall::remote_mut(TicketId id) { return const_cast<RemoteTicket*>(find_remote(id)); }

WorkOrder* Hall::work_order_mut(TicketId id) { return const_cast<WorkOrder*>(find_work_order(id)); }

void Hall::apply_event(const Event& e) {
  if (e.seq != state_.seq + 1) {
    throw CorruptionError(
        fmt::format("hall {}: event {} where {} was expected", config_->id, e.seq, state_.seq + 1));
  }
  auto fail = [&](std::string_view what) {
    throw CorruptionError(
        fmt::format("hall {}: event {} ({}) does not fit: {}", config_->id, e.seq, event_name(e.body), what));
  };
  auto window_at = [&](WindowIdx w) -> Window& {
    if (w >= state_.windows.size()) fail("unknown window");
    return state_.windows[w];
  };
  auto ticket_at = [&](TicketId id) -> Ticket& {
    Ticket* t = ticket_mut(id);
    if (t == nullptr) fail("unknown ticket");
    return *t;
  };
  // The window's current ticket, which must be `id` in state `s`.
  auto current_at = [&](WindowIdx w, TicketId id, TicketState s) -> std::pair<Window&, Ticket&> {
    Window& win = window_at(w);
    Ticket& t = ticket_at(id);
    if (win.current != id || t.state != s) fail("not the window's current ticket in that state");
    return {win, t};
  };
  auto booked = [&](std::uint32_t code) -> Booking& {
    Booking* b = booking_mut(code);
    if (b == nullptr) fail("unknown booking");
    if (b->state != BookingState::kBooked) fail("booking not waiting for its slot");
    return *b;
  };
  // The remote ticket `id`, still awaiting check-in.
  auto awaiting = [&](TicketId id) -> std::pair<RemoteTicket&, Ticket&> {
    RemoteTicket* r = remote_mut(id);
    if (r == nullptr) fail("not a remote ticket");
    Ticket& t = ticket_at(id);
    if (r->state != RemoteState::kAwaiting || t.state != TicketState::kNotArrived)
      fail("remote ticket not awaiting check-in");
    return {*r, t};
  };
  auto free_window = [&](Window& win) {
    win.current = 0;
    win.idle_since = e.time;
  };

  std::visit(
      Overloaded{
          [&](const TicketIssued& ev) {
            if (ev.service >= index_.queues.size()) fail("unknown service");
            if (ev.ticket != state_.next_ticket) fail("ticket id out of order");
            if (ev.number != state_.last_number[ev.service] + 1) fail("ticket number out of order");
            if (!state_.tickets.empty() && state_.tickets.back().id + 1 != ev.ticket)
              fail("ticket ids not contiguous");
            Ticket t;
            t.id = ev.ticket;
            t.number = ev.number;
            t.issued_service = t.service = ev.service;
            t.priority = ev.priority;
            t.queue_class = queue_class_of(ev.priority);
            t.ahead_at_issue = ev.ahead;
            t.predicted_wait_s = ev.predicted_wait_s;
            t.issued_at = t.queue_key = e.time;
            state_.tickets.push_back(t);
            enqueue(state_.tickets.back());
            index_.by_number[ev.service].push_back(ev.ticket);
            state_.last_number[ev.service] = ev.number;
            state_.next_ticket = ev.ticket + 1;
            state_.stats[ev.service].add_arrival(e.time);
          },
          [&](const WindowOpened& ev) {
            Window& win = window_at(ev.window);
            if (win.state != WindowState::kClosed) fail("window already open");
            win.state = WindowState::kOpen;
            win.staff = intern_staff(ev.staff);
            win.state_since = win.idle_since = e.time;
            win.consecutive_priority = 0;
          },
          [&](const StaffChanged& ev) {
            Window& win = window_at(ev.window);
            if (win.state == WindowState::kClosed) fail("window closed");
            win.staff = intern_staff(ev.staff);
          },
          [&](const WindowClosed& ev) {
            Window& win = window_at(ev.window);
            if (win.state == WindowState::kClosed || win.current != 0) fail("window closed or busy");
            win.state = WindowState::kClosed;
            win.staff = kNoStaff;
            win.state_since = e.time;
          },
          [&](const WindowPaused& ev) {
            Window& win = window_at(ev.window);
            if (win.state != WindowState::kOpen) fail("window not open");
            win.state = WindowState::kPaused;
            win.state_since = e.time;
          },
          [&](const WindowResumed& ev) {
            Window& win = window_at(ev.window);
            if (win.state != WindowState::kPaused) fail("window not paused");
            ++state_.pauses;
            state_.pause_seconds +=
                std::max<double>(0, static_cast<double>(e.time - win.state_since) / kUsPerSecond);
            win.state = WindowState::kOpen;
            win.state_since = e.time;
          },
          [&](const TicketCalled& ev) {
            Window& win = window_at(ev.window);
            Ticket& t = ticket_at(ev.ticket);
            if (win.state == WindowState::kClosed || win.current != 0) fail("window cannot call");
            if (t.state == TicketState::kWaiting) {
              dequeue(t);
            } else if (t.state != TicketState::kHeld) {
              fail("ticket not waiting");
            }
            t.state = TicketState::kCalled;
            t.window = ev.window;
            t.recalls = 0;
            t.called_at = e.time;
            if (t.first_called_at == 0) {
              t.first_called_at = e.time;
              ++index_.calls_today;
              if (find_remote(t.id) != nullptr) ++index_.remote_calls_today;
            }
            win.current = t.id;
            if (t.queue_class == QueueClass::kNormal) {
              win.consecutive_priority = 0;
            } else if (win.consecutive_priority < 255) {
              ++win.consecutive_priority;
            }
          },
          [&](const TicketRecalled& ev) {
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kCalled);
            if (t.recalls < 255) ++t.recalls;
          },
          [&](const ServiceStarted& ev) {
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kCalled);
            t.state = TicketState::kServing;
            t.started_at = e.time;
          },
          [&](const TicketSkipped& ev) {
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kCalled);
            t.state = TicketState::kNoShow;
            t.ended_at = e.time;
            free_window(win);
          },
          [&](const TicketRequeued& ev) {
            Ticket& t = ticket_at(ev.ticket);
            if (!is_requeueable(t.state)) fail("ticket neither held nor a no-show");
            t.state = TicketState::kWaiting;
            t.queue_class = ev.returning ? QueueClass::kReturning : queue_class_of(t.priority);
            t.queue_key = ev.queue_key;
            t.ended_at = 0;
            enqueue(t);
          },
          [&](const TicketHeld& ev) {
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kServing);
            t.state = TicketState::kHeld;
            free_window(win);
          },
          [&](const TicketTransferred& ev) {
            if (ev.service >= index_.queues.size()) fail("unknown service");
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kServing);
            t.service = ev.service;
            if (t.transfers < 255) ++t.transfers;
            t.state = TicketState::kWaiting;
            t.queue_class = QueueClass::kReturning;
            t.queue_key = e.time;
            enqueue(t);
            free_window(win);
          },
          [&](const TicketFinished& ev) {
            auto [win, t] = current_at(ev.window, ev.ticket, TicketState::kServing);
            t.state = TicketState::kDone;
            t.finished_at = e.time;
            t.staff = win.staff;
            ++win.served;
            state_.stats[t.service].add(static_cast<double>(e.time - t.started_at) / kUsPerSecond);
            free_window(win);
          },
          [&](const TicketEvaluated& ev) {
            if (ev.level > 5) fail("not ratable");
            if (ev.supplementary) {
              auto r = std::lower_bound(state_.rateable.begin(), state_.rateable.end(), ev.ticket,
                                        [](const RateableTicket& x, TicketId id) { return x.ticket < id; });
              if (r == state_.rateable.end() || r->ticket != ev.ticket || r->rating != 0 || ev.level == 0)
                fail("not ratable later");
              r->rating = ev.level;
              return;
            }
            Ticket& t = ticket_at(ev.ticket);
            // Done, or rated "not rated" (0) by a keypad and now rated 1..5.
            const bool open = t.state == TicketState::kDone ||
                              (t.state == TicketState::kRated && t.rating == 0 && ev.level != 0);
            if (!open) fail("not ratable");
            t.state = TicketState::kRated;
            t.rating = ev.level;
          },
          [&](const TicketLeft& ev) {
            Ticket& t = ticket_at(ev.ticket);
            if (t.state == TicketState::kWaiting) {
              dequeue(t);
            } else if (!is_requeueable(t.state) && t.state != TicketState::kNotArrived) {
              fail("ticket cannot leave");
            }
            t.state = TicketState::kLeft;
            t.ended_at = e.time;
          },
          [&](const WindowSkillsChanged& ev) {
            Window& win = window_at(ev.window);
            if (ev.skills.empty()) fail("no skills");
            for (const Skill& k : ev.skills)
              if (k.service >= index_.queues.size() || k.level < 1 || k.level > 9) fail("bad skill");
            win.skills = ev.skills;
            std::erase_if(state_.advisories, [&](const Advisory& a) { return a.id == ev.advisory; });
          },
          [&](const NoticeChanged& ev) {
            if (ev.text.size() > kMaxNoticeBytes) fail("notice too long");
            state_.notice = ev.text;
          },
          [&](const DeviceReported& ev) {
            if (ev.device.empty() || ev.device.size() > kMaxDeviceIdBytes || ev.kind.empty() ||
                ev.kind.size() > kMaxDeviceKindBytes || ev.detail.size() > kMaxDeviceDetailBytes ||
                !printable_utf8(ev.device) || !printable_utf8(ev.kind) || !printable_utf8(ev.detail))
              fail("bad device report");
            if (ev.state > DeviceState::kUnreachable) fail("unknown device state");
            auto it = std::lower_bound(state_.devices.begin(), state_.devices.end(), ev.device,
                                       [](const auto& d, const std::string& id) { return d.first < id; });
            const bool added = it == state_.devices.end() || it->first != ev.device;
            if (added) {
              if (state_.devices.size() >= kMaxDevices) fail("too many devices");
              it = state_.devices.insert(it, {ev.device, DeviceStatus{}});
            }
            DeviceStatus& d = it->second;
            if (added || d.state != ev.state) d.since = e.time;  // a changed detail keeps `since`
            d.kind = ev.kind;
            d.state = ev.state;
            d.detail = ev.detail;
          },
          [&](const AdvisoryIssued& ev) {
            if (ev.advisory != state_.next_advisory) fail("advisory id out of order");
            if (ev.service >= index_.queues.size() || ev.window >= state_.windows.size() || ev.skills.empty())
              fail("bad advisory");
            for (const Skill& k : ev.skills)
              if (k.service >= index_.queues.size() || k.level < 1 || k.level > 9) fail("bad skill");
            // One open advisory per service: the newest replaces the older.
            std::erase_if(state_.advisories, [&](const Advisory& a) { return a.service == ev.service; });
            state_.advisories.push_back({ev.advisory, ev.service, ev.window, ev.action, ev.skills,
                                         ev.wait_before_s, ev.wait_after_s, e.time});
            state_.next_advisory = ev.advisory + 1;
          },
          [&](const BookingMade& ev) {
            if (ev.service >= config_->services.size()) fail("unknown service");
            if (ev.code < kFirstBookingCode || ev.code >= kFirstBookingCode + kBookingCodes) fail("bad code");
            if (!valid_held_person(ev.person) || !valid_phone(ev.phone)) fail("bad person or phone");
            if (ev.slot_min < 0 || ev.slot_min >= 24 * 60) fail("bad slot");
            auto at = std::lower_bound(state_.bookings.begin(), state_.bookings.end(), ev.code,
                                       [](const Booking& b, std::uint32_t c) { return b.code < c; });
            if (at != state_.bookings.end() && at->code == ev.code) fail("booking code in use");
            Booking b;
            b.code = ev.code;
            b.service = ev.service;
            b.day = ev.day;
            b.slot_min = ev.slot_min;
            b.person = ev.person;
            b.phone = ev.phone;
            b.booked_at = e.time;
            state_.bookings.insert(at, std::move(b));
          },
          [&](const BookingCancelled& ev) {
            Booking& b = booked(ev.code);
            state_.bookings.erase(state_.bookings.begin() + (&b - state_.bookings.data()));
          },
          [&](const BookingCheckedIn& ev) {
            Booking& b = booked(ev.code);
            const Ticket& t = ticket_at(ev.ticket);
            if (t.service != b.service || t.priority != Priority::kAppointment)
              fail("not an appointment ticket");
            b.state = BookingState::kCheckedIn;
            b.ticket = ev.ticket;
          },
          [&](const BookingMissed& ev) { booked(ev.code).state = BookingState::kNoShow; },
          [&](const RemoteTicketIssued& ev) {
            if (ev.service >= index_.queues.size()) fail("unknown service");
            if (ev.ticket != state_.next_ticket) fail("ticket id out of order");
            if (ev.number != state_.last_number[ev.service] + 1) fail("ticket number out of order");
            if (!state_.tickets.empty() && state_.tickets.back().id + 1 != ev.ticket)
              fail("ticket ids not contiguous");
            if (ev.code < kFirstBookingCode || ev.code >= kFirstBookingCode + kBookingCodes) fail("bad code");
            if (!valid_held_person(ev.person) || !valid_phone(ev.phone)) fail("bad person or phone");
            if (!state_.remotes.empty() && state_.remotes.back().ticket >= ev.ticket)
              fail("remote out of order");
            Ticket t;
            t.id = ev.ticket;
            t.number = ev.number;
            t.issued_service = t.service = ev.service;
            t.state = TicketState::kNotArrived;
            t.ahead_at_issue = ev.ahead;
            t.predicted_wait_s = ev.predicted_wait_s;
            t.issued_at = t.queue_key = e.time;
            state_.tickets.push_back(t);
            index_.by_number[ev.service].push_back(ev.ticket);
            state_.last_number[ev.service] = ev.number;
            state_.next_ticket = ev.ticket + 1;
            state_.remotes.push_back({ev.ticket, ev.service, ev.code, ev.person, ev.phone});
          },
          [&](const RemoteCheckedIn& ev) {
            auto [r, t] = awaiting(ev.ticket);
            r.state = RemoteState::kCheckedIn;
            t.state = TicketState::kWaiting;
            t.queue_class = QueueClass::kNormal;
            t.queue_key = t.issued_at;  // the place it held since it was taken
            enqueue(t);
            state_.stats[t.service].add_arrival(e.time);
          },
          [&](const RemoteTurnCame& ev) {
            auto [r, t] = awaiting(ev.ticket);
            if (r.grace_until != 0 || ev.until <= 0) fail("turn already came");
            r.grace_until = ev.until;
          },
          [&](const RemoteMissed& ev) {
            auto [r, t] = awaiting(ev.ticket);
            r.state = RemoteState::kDropped;
            t.state = TicketState::kNoShow;
            t.ended_at = e.time;
          },
          [&](const WorkOrderOpened& ev) {
            if (find_work_order(ev.ticket) != nullptr) fail("work order already open");
            WorkOrder o;
            if (const Ticket* today = find_ticket(ev.ticket)) {
              const Ticket& t = *today;
              if (t.state != TicketState::kRated || t.rating < 1 || t.rating > 2) fail("not a 差评");
              o.ticket = t.id;
              o.number = number_of(t);
              o.service = t.service;
              o.window = t.window;
              o.staff = std::string(staff_id(t.staff));
              o.level = t.rating;
            } else {  // a 补充评价 of an earlier day's ticket
              const RateableTicket* r = find_rateable_ticket(ev.ticket);
              if (r == nullptr || r->rating < 1 || r->rating > 2) fail("not a 差评");
              o.ticket = r->ticket;
              o.number = printed_number(r->ticket);
              o.service = r->service;
              o.window = r->window;
              o.staff = r->staff;
              o.level = r->rating;
            }
            if (!plausible_rating_words(ev.reasons, ev.comment)) fail("work order reasons or comment");
            o.reasons = ev.reasons;
            o.comment = ev.comment;
            o.opened_at = e.time;
            o.due_day = ev.due_day;
            auto at = std::lower_bound(state_.work_orders.begin(), state_.work_orders.end(), o.ticket,
                                       [](const WorkOrder& x, TicketId id) { return x.ticket < id; });
            state_.work_orders.insert(at, std::move(o));
          },
          [&](const WorkOrderCalledBack& ev) {
            WorkOrder* o = work_order_mut(ev.ticket);
            if (o == nullptr || o->closed() || o->reached()) fail("no work order awaiting a callback");
            o->callbacks.push_back({e.time, ev.reached, ev.note, ev.by});
          },
          [&](const WorkOrderRectified& ev) {
            WorkOrder* o = work_order_mut(ev.ticket);
            if (o == nullptr || o->closed() || o->callbacks.empty())
              fail("no work order awaiting rectification");
            o->rectified_at = e.time;
            o->rectification = ev.note;
            o->rectified_by = ev.by;
          },
          [&](const UploadRejected&) {
            // Kept in the event log only: the hall's state has nothing of it
            // (the API reads the log, http_upload_rejections.h).
          },
          [&](const UploadResendRequested&) {
            // Likewise: the records API reads it from the log (evaluation_record.h).
          },
          [&](const UploadResendAccepted&) {
            // Likewise: the rejections list reads it from the log.
          },
          [&](const DayRolled& ev) {
            if (ev.day <= state_.day) fail("day does not advance");
            // The days' finished tickets not rated 1..5 stay open to 补充评价 from their
            // phone pages for supplement_days; older ones go.
            std::erase_if(state_.rateable, [&](const RateableTicket& r) {
              return ev.day - r.day > config_->evaluation.supplement_days;
            });
            if (config_->evaluation.supplement_days > 0) {
              for (const Ticket& t : state_.tickets) {
                const bool unrated =
                    t.state == TicketState::kDone || (t.state == TicketState::kRated && t.rating == 0);
                const std::int64_t issued = config_->local_day(t.issued_at);
                if (unrated && ev.day - issued <= config_->evaluation.supplement_days &&
                    (state_.rateable.empty() || state_.rateable.back().ticket < t.id))
                  state_.rateable.push_back({t.id, issued, t.issued_service, t.number, 0, t.service, t.window,
                                             std::string(staff_id(t.staff))});
              }
            }
            // Work orders stay open across days; those closed before the new day go.
            std::erase_if(state_.work_orders, [](const WorkOrder& o) { return o.closed(); });
            // Bookings of the days before go (with the phone numbers they kept).
            std::erase_if(state_.bookings, [&](const Booking& b) { return b.day < ev.day; });
            for (Ticket& t : state_.tickets) {
              if (t.state == TicketState::kWaiting || is_requeueable(t.state) ||
                  t.state == TicketState::kNotArrived) {
                t.state = TicketState::kExpired;
                t.ended_at = e.time;
              }
            }
            for (ServiceQueue& q : index_.queues) q.clear();
            state_.remotes.clear();
            index_.calls_today = index_.remote_calls_today = 0;
            std::fill(state_.last_number.begin(), state_.last_number.end(), 0);
            state_.advisories.clear();
            for (auto& v : index_.by_number) v.clear();
            for (Window& w : state_.windows) {
              w.served = 0;
              w.consecutive_priority = 0;
            }
            // Keep only tickets still at a window (called or serving across midnight)
            // and everything after the first of them, so ids stay contiguous.
            auto first_active =
                std::find_if(state_.tickets.begin(), state_.tickets.end(), [](const Ticket& t) {
                  return t.state == TicketState::kCalled || t.state == TicketState::kServing;
                });
            state_.tickets.erase(state_.tickets.begin(), first_active);
          },
      },
      e.body);

  state_.clock = std::max(state_.clock, e.time);
  if (std::holds_alternative<WindowOpened>(e.body) || std::holds_alternative<WindowClosed>(e.body) ||
      std::holds_alternative<WindowPaused>(e.body) || std::holds_alternative<WindowResumed>(e.body) ||
      std::holds_alternative<WindowSkillsChanged>(e.body)) {
    count_open_windows();
  }
  if (std::holds_alternative<DayRolled>(e.body)) {
    state_.day = std::get<DayRolled>(e.body).day;
  } else if (state_.day == 0) {
    state_.day = config_->local_day(e.time);
  }
  state_.seq = e.seq;
}

}  // namespace hallq::core
