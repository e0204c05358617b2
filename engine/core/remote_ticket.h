// A remote ticket (网上取号, issue 20) held by a hall: a ticket a citizen took
// from the citizen gateway's page (IssueRemote), known by its check-in code.
// Its Ticket exists from the moment it was taken (number, issued_at: its place
// in the line) in state kNotArrived and stands in no queue line, so no policy
// calls it; the forecast (engine/predict) counts it at its place, weighted by
// the hall's share of remote tickets that check in, and predicts its own wait
// as if it checked in now. Checked in (CheckIn with the code) it joins its line
// with its original key, taking the place it held. When a normal-class ticket
// of its service issued after it is called first, its turn has come
// (RemoteTurnCame): it is held back until `grace_until` and then dropped as
// not arrived (RemoteMissed; the ticket becomes a no-show that cannot be
// reactivated). The person is a salted hash of the ID number (booking.h).
// Owned by HallState (remotes, ascending ticket id; today's only).
// Plain value; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/types.h"

namespace hallq::core {

enum class RemoteState : std::uint8_t {
  kAwaiting,   // taken, not yet checked in (its turn may have come: grace_until)
  kCheckedIn,  // in its line, or called since
  kDropped,    // its turn came and the grace ran out before check-in: 未按时签到
};

struct RemoteTicket {
  TicketId ticket = 0;
  ServiceIdx service = 0;
  std::uint32_t code = 0;  // check-in code: six digits, disjoint from booking codes
  std::string person;      // hash of the ID number, lowercase hex (booking.h)
  std::string phone;       // 11 digits of a mainland mobile number, or empty
  RemoteState state = RemoteState::kAwaiting;
  TimeUs grace_until = 0;  // its turn came: checked in by then or dropped; 0: not yet
  bool operator==(const RemoteTicket&) const = default;
};

// "awaiting", "checked_in", "dropped".
std::string_view to_string(RemoteState s);

}  // namespace hallq::core
