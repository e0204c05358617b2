#include "engine/core/booking.h"

#include <fmt/format.h>

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

bool valid_held_person(std::string_view person) { return person.empty() || valid_person_hash(person); }

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

int parse_slot_time(std::string_view text) {
  auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) return -1;
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return -1;
  return h * 60 + m;
}

std::string format_slot_time(int minute) { return fmt::format("{:02}:{:02}", minute / 60, minute % 60); }

std::string mask_phone(std::string_view phone) {
  if (phone.size() != 11) return std::string(phone.size(), '*');
  return fmt::format("{}****{}", phone.substr(0, 3), phone.substr(7));
}

}  // namespace hallq::core
