// The rotating token of a hall's check-in QR code (签到二维码, issue 20): the
// hall's screen shows a URL carrying it, a citizen who took a remote ticket
// scans it with the phone, and the citizen gateway (hallq-citizen) checks in
// that ticket only if the token is the hall's current one, so the code
// proves the phone was in the hall a few minutes ago.
//
//   token = base64url(first 16 bytes of HMAC-SHA256(secret, "checkin|HALL|DATE|SLOT"))
//
// SLOT is the hall's local minute of the day divided by 10 (0..143), DATE
// the hall's local date "YYYY-MM-DD": a new token every ten minutes. The
// gateway accepts the current slot and the one before it (across midnight
// too), so a photo of the code is useless 10-20 minutes later. The secret is
// the ticket secret (ticket_token.h) the kiosks, screens and gateway share;
// the "checkin|" prefix keeps these tokens apart from ticket tokens (a hall
// id has no '|'). 128 bits, 22 URL-safe characters.
//
// Verification never throws and compares in constant time. Stateless; any thread.
#pragma once

#include <string>
#include <string_view>

#include "engine/core/types.h"

namespace hallq::keys {

inline constexpr int kCheckInSlotMinutes = 10;

// The slot an instant falls in, seen at the hall's UTC offset.
struct CheckInSlot {
  std::string date;  // "2026-11-24"
  int slot = 0;      // local minute of the day / kCheckInSlotMinutes
};
CheckInSlot checkin_slot(core::TimeUs t, int utc_offset_min);

// The token of one slot. `secret`: the raw ticket secret.
std::string checkin_token(std::string_view secret, std::string_view hall, std::string_view date, int slot);

// The token a screen shows at `t`.
std::string checkin_token_at(std::string_view secret, std::string_view hall, core::TimeUs t,
                             int utc_offset_min);

// True if `token` is the hall's token of the slot `now` falls in or of the
// slot before it.
bool verify_checkin_token(std::string_view secret, std::string_view hall, core::TimeUs now,
                          int utc_offset_min, std::string_view token);

}  // namespace hallq::keys
