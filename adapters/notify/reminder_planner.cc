#include "adapters/notify/reminder_planner.h"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "engine/core/booking.h"
#include "engine/core/calendar.h"
#include "engine/core/line_position.h"
#include "engine/core/remote_ticket.h"
#include "engine/predict/forecast.h"

namespace hallq::notify {
namespace {

using Values = std::map<std::string, std::string, std::less<>>;

// A remote ticket not yet checked in (its citizen is away): its entry in
// the forecast's `awaiting` (when it would be called had it checked in now,
// the remote tickets ahead of it counted as the play counts them: what its
// page shows, adapters/citizen/ticket_view.h), or, where the play does not
// reach it (no open window would call it), the people its service's lines
// would call before it once it joined at its place (the returning and
// priority lines in full, the normal line up to its issue time) and no
// minutes. Due when that is within the rule's threshold, whatever it was at
// issue (its turn comes, RemoteTurnCame, only with nobody ahead, so it is
// due by then). nullopt: not due.
std::optional<Reminder> near_of_awaiting(const core::Hall& hall, const core::Ticket& t,
                                         const predict::Forecast& forecast, const ReminderRules& rules) {
  Reminder r;
  r.kind = ReminderKind::kNear;
  const predict::TicketForecast* f = nullptr;
  for (const predict::TicketForecast& tf : forecast.awaiting)
    if (tf.ticket == t.id) f = &tf;
  if (f != nullptr && f->wait_s != predict::kUnknownWait) {
    r.ahead = f->ahead;
    r.minutes = (f->wait_s + 59) / 60;
  } else {
    const core::ServiceQueue& q = hall.queue(t.service);
    r.ahead = static_cast<std::uint32_t>(q.line(core::QueueClass::kReturning).size() +
                                         q.line(core::QueueClass::kPriority).size());
    for (const core::QueueEntry& e : q.line(core::QueueClass::kNormal)) {
      if (e.key > t.issued_at) break;  // the line is in key order
      ++r.ahead;
    }
  }
  const bool due = rules.rule == NearRule::kPeople ? r.ahead <= static_cast<std::uint32_t>(rules.threshold)
                                                   : r.minutes >= 0 && r.minutes <= rules.threshold;
  if (!due) return std::nullopt;
  return r;
}

}  // namespace

std::string_view to_string(ReminderKind kind) {
  switch (kind) {
    case ReminderKind::kNear:
      return "near";
    case ReminderKind::kCalled:
      return "called";
    case ReminderKind::kTurn:
      return "turn";
  }
  return "near";
}

std::string reminder_key(std::string_view hall, std::int64_t day, std::string_view number,
                         ReminderKind kind) {
  return fmt::format("{}/{}/{}/{}", hall, core::format_date(day), number, to_string(kind));
}

std::vector<Reminder> plan_reminders(const core::Hall& hall, core::TimeUs now, const ReminderRules& rules,
                                     std::span<const CallSeen> calls,
                                     const std::function<bool(std::string_view key)>& done) {
  const core::HallConfig& cfg = hall.config();
  std::vector<Reminder> out;
  // Tickets with a phone: those of checked-in bookings, and remote tickets
  // (网上取号), checked in or not yet arrived.
  struct Phoned {
    const core::Ticket* t = nullptr;
    std::string_view phone;
    bool awaiting = false;  // a remote ticket not checked in: its citizen is not in the hall
  };
  std::vector<Phoned> phoned;
  for (const core::Booking& b : hall.bookings()) {
    if (b.state != core::BookingState::kCheckedIn || b.phone.empty() || !core::valid_phone(b.phone)) continue;
    const core::Ticket* t = hall.find_ticket(b.ticket);
    if (t != nullptr && core::is_open(t->state)) phoned.push_back({t, b.phone, false});
  }
  for (const core::RemoteTicket& r : hall.remotes()) {
    if (r.phone.empty() || !core::valid_phone(r.phone)) continue;
    const core::Ticket* t = hall.find_ticket(r.ticket);
    if (t == nullptr) continue;
    if (r.state == core::RemoteState::kCheckedIn && core::is_open(t->state))
      phoned.push_back({t, r.phone, false});
    if (r.state == core::RemoteState::kAwaiting && t->state == core::TicketState::kNotArrived)
      phoned.push_back({t, r.phone, true});
  }
  if (phoned.empty()) return out;

  // A due `near` (its ahead and minutes set): addressed and worded.
  const auto add_near = [&](Reminder r, const std::string& key, std::string_view phone,
                            const std::string& number, Values& values) {
    r.kind = ReminderKind::kNear;
    r.key = key;
    r.phone = std::string(phone);
    r.number = number;
    values["ahead"] = std::to_string(r.ahead);
    values["minutes"] = r.minutes >= 0 ? std::to_string(r.minutes) : std::string("-");
    r.text = rules.near_text->render(values);
    out.push_back(std::move(r));
  };
  std::optional<predict::Forecast> forecast;  // made once, only if a near reminder may be due
  for (const Phoned& p : phoned) {
    const core::Ticket* t = p.t;
    const std::string number = hall.number_of(*t);
    Values values{{"number", number}, {"hall_name", cfg.name}, {"service", cfg.services[t->service].name}};

    // called: the state, or a call seen since the last plan (the ticket may be
    // at the counter already when the batch of events is planned).
    std::optional<core::WindowIdx> called;
    if (t->state == core::TicketState::kCalled) called = t->window;
    for (const CallSeen& c : calls)
      if (c.ticket == t->id) called = c.window;
    if (called && *called < cfg.windows.size()) {
      const std::string key = reminder_key(cfg.id, hall.day(), number, ReminderKind::kCalled);
      if (!done(key)) {
        Reminder r;
        r.kind = ReminderKind::kCalled;
        r.key = key;
        r.phone = std::string(p.phone);
        r.number = number;
        r.window = cfg.windows[*called].number;
        values["window"] = std::to_string(r.window);
        r.text = rules.called_text->render(values);
        out.push_back(std::move(r));
      }
      continue;
    }

    const std::string key = reminder_key(cfg.id, hall.day(), number, ReminderKind::kNear);
    const bool people = rules.rule == NearRule::kPeople;
    if (p.awaiting) {
      // Its turn came (held back until grace_until): come now, once.
      const core::RemoteTicket* remote = hall.find_remote(t->id);
      if (remote != nullptr && remote->grace_until != 0) {
        const std::string turn_key = reminder_key(cfg.id, hall.day(), number, ReminderKind::kTurn);
        if (rules.turn_text == nullptr || done(turn_key)) continue;
        Reminder r;
        r.kind = ReminderKind::kTurn;
        r.key = turn_key;
        r.phone = std::string(p.phone);
        r.number = number;
        const int s = cfg.local_second_of_day(remote->grace_until);
        values["deadline"] = fmt::format("{:02}:{:02}", s / 3600, s / 60 % 60);
        values["code"] = fmt::format("{:06}", remote->code);
        r.text = rules.turn_text->render(values);
        out.push_back(std::move(r));
        continue;
      }
      if (done(key)) continue;
      if (!forecast) forecast = predict::forecast(hall, now);
      std::optional<Reminder> due = near_of_awaiting(hall, *t, *forecast, rules);
      if (!due) continue;
      add_near(std::move(*due), key, p.phone, number, values);
      continue;
    }
    if (t->state != core::TicketState::kWaiting) continue;
    if (done(key)) continue;
    // Only a drop: at check-in it was further away than the threshold.
    if (people ? t->ahead_at_issue <= static_cast<std::uint32_t>(rules.threshold)
               : t->predicted_wait_s <= rules.threshold * 60)
      continue;
    if (!forecast) forecast = predict::forecast(hall, now);
    const predict::TicketForecast* f = nullptr;
    for (const predict::TicketForecast& tf : forecast->tickets)
      if (tf.ticket == t->id) f = &tf;
    const bool known = f != nullptr && f->wait_s != predict::kUnknownWait;
    Reminder r;
    r.ahead = known ? f->ahead : core::ahead_in_line(hall, *t);
    r.minutes = known ? (f->wait_s + 59) / 60 : -1;
    const bool due = people ? r.ahead <= static_cast<std::uint32_t>(rules.threshold)
                            : known && f->wait_s <= rules.threshold * 60;
    if (!due) continue;
    add_near(std::move(r), key, p.phone, number, values);
  }
  return out;
}

}  // namespace hallq::notify
