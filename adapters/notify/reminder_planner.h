// Which reminders are due in a hall, from the replica the notifier folds from
// the engine's events (as the hall screens fold theirs):
//   - the phone: a booking checked in (BookingCheckedIn) names its ticket, and
//     the booking keeps the phone the citizen gave (booking.h); a remote
//     ticket (网上取号, remote_ticket.h) keeps the phone given with it; walk-in
//     tickets and those without a phone get nothing;
//   - `near` for a remote ticket not yet checked in (its citizen is away):
//     once the people ahead of it are at most N (or its predicted wait at
//     most M minutes), whatever it was at issue, both from its entry in the
//     forecast's `awaiting` (its call had it checked in now: what its page
//     on the phone shows), or, when no open window would call it, the
//     people its lines would call before it (people only); the same key as
//     below, so a citizen gets one `near` in all;
//   - `near`: the ticket waits and the people ahead of it are at most N (or
//     its predicted wait at most M minutes), having been more at check-in
//     (a citizen who checks in near the front is in the hall already). People
//     ahead and the wait are the forecast's (engine/predict/forecast.h, what
//     the hall screens and the citizen's page show), or, when no open window
//     would call it, the tickets ahead in its service's line (people only);
//   - `turn` (已到号): a remote ticket's turn came (RemoteTurnCame) and its
//     citizen has not checked in: with the time its grace ends (deadline,
//     HH:MM local) and its check-in code; once, when the rules have a turn
//     text (the [turn] section);
//   - `called`: the ticket is called (state called, or a TicketCalled /
//     TicketRecalled seen since the last plan), to the window it names. A
//     recall is the same kind: the citizen had the message for this call.
// A reminder's key is hall/day/number/kind; `done(key)` says it was sent or
// is being sent, and such a reminder is not planned again.
//
// Pure: a function of the hall, the calls seen and `now`. Thread: any.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/notify/message_template.h"
#include "adapters/notify/notify_config.h"
#include "engine/core/hall.h"

namespace hallq::notify {

enum class ReminderKind { kNear, kCalled, kTurn };
std::string_view to_string(ReminderKind kind);

struct Reminder {
  ReminderKind kind = ReminderKind::kNear;
  std::string key;     // "town/2026-12-04/A003/near": the sent-log's and the Idempotency-Key
  std::string phone;   // 11 digits: only the gateway's request carries it whole
  std::string number;  // "A003"
  std::string text;    // the message, rendered from the config's template
  int window = 0;      // called: the window's number
  std::uint32_t ahead = 0;
  int minutes = -1;  // near: the predicted wait in minutes, -1 unknown
};

struct ReminderRules {
  NearRule rule = NearRule::kPeople;
  int threshold = 3;
  const MessageTemplate* near_text = nullptr;    // not owned
  const MessageTemplate* called_text = nullptr;  // not owned
  const MessageTemplate* turn_text = nullptr;    // not owned; none: no turn reminders
};

// A call seen in the events (TicketCalled / TicketRecalled).
struct CallSeen {
  core::TicketId ticket = 0;
  core::WindowIdx window = 0;
};

std::vector<Reminder> plan_reminders(const core::Hall& hall, core::TimeUs now, const ReminderRules& rules,
                                     std::span<const CallSeen> calls,
                                     const std::function<bool(std::string_view key)>& done);

// "town/2026-12-04/A003/near".
std::string reminder_key(std::string_view hall, std::int64_t day, std::string_view number, ReminderKind kind);

}  // namespace hallq::notify
