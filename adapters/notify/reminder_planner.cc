#include "adapters/notify/reminder_planner.h"

#include <fmt/format.h>

#include <map>
#include <optional>

#include "engine/core/booking.h"
#include "engine/core/calendar.h"
#include "engine/core/line_position.h"
#include "engine/predict/forecast.h"

namespace hallq::notify {
namespace {

using Values = std::map<std::string, std::string, std::less<>>;

}  // namespace

std::string_view to_string(ReminderKind kind) { return kind == ReminderKind::kNear ? "near" : "called"; }

std::string reminder_key(std::string_view hall, std::int64_t day, std::string_view number,
                         ReminderKind kind) {
  return fmt::format("{}/{}/{}/{}", hall, core::format_date(day), number, to_string(kind));
}

std::vector<Reminder> plan_reminders(const core::Hall& hall, core::TimeUs now, const ReminderRules& rules,
                                     std::span<const CallSeen> calls,
                                     const std::function<bool(std::string_view key)>& done) {
  const core::HallConfig& cfg = hall.config();
  std::vector<Reminder> out;
  // Tickets with a phone: those of checked-in bookings.
  std::vector<std::pair<const core::Ticket*, const core::Booking*>> phoned;
  for (const core::Booking& b : hall.bookings()) {
    if (b.state != core::BookingState::kCheckedIn || b.phone.empty() || !core::valid_phone(b.phone)) continue;
    const core::Ticket* t = hall.find_ticket(b.ticket);
    if (t != nullptr && core::is_open(t->state)) phoned.emplace_back(t, &b);
  }
  if (phoned.empty()) return out;

  std::optional<predict::Forecast> forecast;  // made once, only if a near reminder may be due
  for (const auto& [t, b] : phoned) {
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
        r.phone = b->phone;
        r.number = number;
        r.window = cfg.windows[*called].number;
        values["window"] = std::to_string(r.window);
        r.text = rules.called_text->render(values);
        out.push_back(std::move(r));
      }
      continue;
    }

    if (t->state != core::TicketState::kWaiting) continue;
    const std::string key = reminder_key(cfg.id, hall.day(), number, ReminderKind::kNear);
    if (done(key)) continue;
    const bool people = rules.rule == NearRule::kPeople;
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
    r.kind = ReminderKind::kNear;
    r.key = key;
    r.phone = b->phone;
    r.number = number;
    values["ahead"] = std::to_string(r.ahead);
    values["minutes"] = r.minutes >= 0 ? std::to_string(r.minutes) : std::string("-");
    r.text = rules.near_text->render(values);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace hallq::notify
