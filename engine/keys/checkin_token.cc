// The same HMAC and encoding as ticket tokens (ticket_token.cc); only the
// message differs. The previous slot is the one ten minutes earlier, which
// carries midnight over to the day before by itself.
#include "engine/keys/checkin_token.h"

#include <fmt/format.h>
#include <sodium.h>

#include "engine/core/calendar.h"
#include "engine/keys/ticket_token.h"

namespace hallq::keys {

CheckInSlot checkin_slot(core::TimeUs t, int utc_offset_min) {
  return {core::format_date(core::local_day(t, utc_offset_min)),
          core::local_minute_of_day(t, utc_offset_min) / kCheckInSlotMinutes};
}

std::string checkin_token(std::string_view secret, std::string_view hall, std::string_view date, int slot) {
  const std::string mac = hmac_sha256(secret, fmt::format("checkin|{}|{}|{}", hall, date, slot));
  return base64url(std::string_view(mac).substr(0, kTicketTokenBytes));
}

std::string checkin_token_at(std::string_view secret, std::string_view hall, core::TimeUs t,
                             int utc_offset_min) {
  const CheckInSlot s = checkin_slot(t, utc_offset_min);
  return checkin_token(secret, hall, s.date, s.slot);
}

bool verify_checkin_token(std::string_view secret, std::string_view hall, core::TimeUs now,
                          int utc_offset_min, std::string_view token) {
  if (token.size() != kTicketTokenLength) return false;
  bool ok = false;
  for (const core::TimeUs t : {now, now - kCheckInSlotMinutes * core::kUsPerMinute}) {
    const std::string expected = checkin_token_at(secret, hall, t, utc_offset_min);
    ok = (sodium_memcmp(expected.data(), token.data(), kTicketTokenLength) == 0) || ok;
  }
  return ok;
}

}  // namespace hallq::keys
