// A hall's state as one value: export and import (snapshots, recovery,
// replicas) and the indexes derived from it.
#include <fmt/format.h>

#include <utility>

#include "engine/core/evaluation_rules.h"
#include "engine/core/hall.h"

namespace hallq::core {

HallState Hall::export_state(bool with_requests) const {
  HallState s = state_;
  if (with_requests) {
    s.requests.reserve(requests_.size());
    requests_.for_each([&](std::string_view id, const RequestRecord& r) { s.requests.emplace_back(id, r); });
  }
  return s;
}

void Hall::import_state(HallState s) {
  // Every check comes before the first assignment: a refused state leaves the hall as it was.
  const std::size_t n_services = config_->services.size();
  auto fail = [&](std::string_view what) {
    throw CorruptionError(fmt::format("hall {}: snapshot does not fit: {}", config_->id, what));
  };
  if (s.windows.size() != config_->windows.size()) fail("window count");
  if (s.last_number.size() != n_services || s.stats.size() != n_services) fail("service count");
  for (std::size_t i = 1; i < s.tickets.size(); ++i)
    if (s.tickets[i].id != s.tickets[i - 1].id + 1) fail("ticket ids not contiguous");
  // Tickets are only ever dropped from the front (day roll), so the next id
  // follows the last one; a gap would make the next issue fail (fuzz/regressions/snapshot).
  if (!s.tickets.empty() && s.tickets.back().id + 1 != s.next_ticket)
    fail("next ticket id does not follow the last");
  for (const Ticket& t : s.tickets) {
    if (t.service >= n_services || t.issued_service >= n_services) fail("ticket service");
    if (t.window != kNoWindow && t.window >= s.windows.size()) fail("ticket window");
  }
  for (const Advisory& a : s.advisories) {
    if (a.service >= n_services || a.window >= s.windows.size() || a.id >= s.next_advisory) fail("advisory");
    for (const Skill& k : a.skills)
      if (k.service >= n_services || k.level < 1 || k.level > 9) fail("advisory skill");
  }
  // Devices: ascending unique ids (find_device searches them), within the hall's bound.
  if (s.devices.size() > kMaxDevices) fail("too many devices");
  for (std::size_t i = 0; i < s.bookings.size(); ++i) {
    const Booking& b = s.bookings[i];
    if (i > 0 && !(s.bookings[i - 1].code < b.code)) fail("bookings not in code order");
    if (b.code < kFirstBookingCode || b.code >= kFirstBookingCode + kBookingCodes) fail("booking code");
    if (b.service >= n_services || b.slot_min < 0 || b.slot_min >= 24 * 60) fail("booking slot");
    if (!valid_held_person(b.person) || !valid_phone(b.phone)) fail("booking person or phone");
  }
  for (std::size_t i = 0; i < s.remotes.size(); ++i) {
    const RemoteTicket& r = s.remotes[i];
    if (i > 0 && !(s.remotes[i - 1].ticket < r.ticket)) fail("remote tickets not in ticket order");
    if (r.code < kFirstBookingCode || r.code >= kFirstBookingCode + kBookingCodes) fail("remote code");
    if (r.service >= n_services || r.state > RemoteState::kDropped) fail("remote service or state");
    if (!valid_held_person(r.person) || !valid_phone(r.phone)) fail("remote person or phone");
  }
  for (std::size_t i = 0; i < s.rateable.size(); ++i) {
    const RateableTicket& r = s.rateable[i];
    if (i > 0 && !(s.rateable[i - 1].ticket < r.ticket)) fail("rateable tickets not in ticket order");
    if (r.issued_service >= n_services || r.rating > 5 || r.ticket >= s.next_ticket) fail("rateable ticket");
    if (r.service >= n_services || (r.window != kNoWindow && r.window >= s.windows.size()))
      fail("rateable ticket's service or window");
  }
  for (std::size_t i = 1; i < s.devices.size(); ++i)
    if (!(s.devices[i - 1].first < s.devices[i].first)) fail("devices not in id order");
  for (std::size_t i = 0; i < s.work_orders.size(); ++i) {
    const WorkOrder& o = s.work_orders[i];
    if (i > 0 && !(s.work_orders[i - 1].ticket < o.ticket)) fail("work orders not in ticket order");
    if (o.ticket == 0 || o.ticket >= s.next_ticket) fail("work order ticket");
    if (o.service >= n_services || (o.window != kNoWindow && o.window >= s.windows.size()))
      fail("work order service or window");
    if (o.level < 1 || o.level > 2) fail("work order level");
    // The rating's words reach managers' pages and JSON: text, as a rating's would be.
    if (!plausible_rating_words(o.reasons, o.comment)) fail("work order reasons or comment");
    if (o.closed() && o.callbacks.empty()) fail("work order rectified without a callback");
  }
  for (std::size_t wi = 0; wi < s.windows.size(); ++wi) {
    const Window& w = s.windows[wi];
    if (w.staff != kNoStaff && w.staff >= s.staff_names.size()) fail("window staff");
    // Levels index index_.open_at_level (1..9), as apply_event checks for skill events.
    for (const Skill& k : w.skills)
      if (k.service >= n_services || k.level < 1 || k.level > 9) fail("window skill");
    // Ids are contiguous, so the current ticket is present iff its id is in range.
    if (w.current != 0 &&
        (s.tickets.empty() || w.current < s.tickets.front().id || w.current > s.tickets.back().id))
      fail("window's current ticket missing");
    // ... and called or served there: a day roll keeps only such tickets, so
    // any other would be dropped under the window (fuzz/regressions/snapshot/current-*).
    if (w.current != 0) {
      const Ticket& t = s.tickets[w.current - s.tickets.front().id];
      if ((t.state != TicketState::kCalled && t.state != TicketState::kServing) || t.window != wi)
        fail("window's current ticket is not called or served there");
    }
  }

  requests_.clear();
  for (const auto& [id, rec] : s.requests) requests_.remember(id, rec);
  s.requests.clear();
  state_ = std::move(s);
  rebuild_indexes();
}

void Hall::rebuild_indexes() {
  const std::size_t n_services = config_->services.size();
  index_.queues.assign(n_services, ServiceQueue());
  index_.by_number.assign(n_services, {});
  index_.calls_today = index_.remote_calls_today = 0;
  for (const Ticket& t : state_.tickets) {
    // First called today (local_day, as below: a snapshot's day may be anything).
    if (t.first_called_at != 0 && config_->local_day(t.first_called_at) == state_.day) {
      ++index_.calls_today;
      if (find_remote(t.id) != nullptr) ++index_.remote_calls_today;
    }
    if (t.state == TicketState::kWaiting)
      index_.queues[t.service].push(t.queue_class, {t.queue_key, t.queue_order, t.id});
    // Today's numbers: tickets carried over from an earlier day are not indexed.
    if (config_->local_day(t.issued_at) == state_.day &&
        t.number == index_.by_number[t.issued_service].size() + 1)
      index_.by_number[t.issued_service].push_back(t.id);
  }
  count_open_windows();
}

void Hall::count_open_windows() {
  index_.open_at_level.assign(config_->services.size(), {});
  index_.active.clear();
  for (std::size_t i = 0; i < state_.windows.size(); ++i) {
    const Window& w = state_.windows[i];
    if (w.state != WindowState::kClosed) index_.active.push_back(static_cast<WindowIdx>(i));
    if (w.state != WindowState::kOpen) continue;
    for (const Skill& k : w.skills) ++index_.open_at_level[k.service][k.level];
  }
}

}  // namespace hallq::core
