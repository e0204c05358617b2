#include "engine/core/booking.h"

#include <algorithm>

namespace hallq::core {

std::uint32_t parse_booking_code(std::string_view text) {
  if (text.size() != 6 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return 0;
  std::uint32_t code = 0;
  for (char c : text) code = code * 10 + static_cast<std::uint32_t>(c - '0');
  return code >= kFirstBookingCode ? code : 0;
}

bool valid_person_hash(std::string_view person) {
  return person.size() == kPersonHexDigits && std::all_of(person.begin(), person.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool valid_phone(std::string_view phone) {
  return phone.empty() ||
         (phone.size() == 11 && phone[0] == '1' &&
          std::all_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; }));
}

std::string_view to_string(BookingState s) {
  switch (s) {
    case BookingState::kBooked:
      return "booked";
    case BookingState::kCheckedIn:
      return "checked_in";
    case BookingState::kNoShow:
      return "no_show";
  }
  return "booked";
}

}  // namespace hallq::core
