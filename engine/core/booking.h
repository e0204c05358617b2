// An appointment booking (预约) held by a hall: a person's place in one slot
// of a service on a day (AppointmentConfig), known by its booking code. The
// person is a salted hash of their GB 11643 ID number, made by the adapter,
// gateway or HTTP layer that saw the number (the core never sees it); the
// phone number, when given, is kept for reminders (issue 20, package D) and
// goes with the booking when the day it was for has passed.
// Owned by HallState (bookings, ascending code). Plain value; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/core/types.h"

namespace hallq::core {

enum class BookingState : std::uint8_t {
  kBooked,     // waiting for its slot
  kCheckedIn,  // turned into an appointment ticket (`ticket`)
  kNoShow,     // not checked in by the end of its check-in margin; its place was released
};

// Booking codes: six digits, never starting with 0.
inline constexpr std::uint32_t kFirstBookingCode = 100'000;
inline constexpr std::uint32_t kBookingCodes = 900'000;
// The person's hash: 64 lowercase hex digits (HMAC-SHA256 of the ID number
// with the installation's salt), so that an ID number (18 characters) can
// never pass for one.
inline constexpr std::size_t kPersonHexDigits = 64;

struct Booking {
  std::uint32_t code = 0;
  ServiceIdx service = 0;
  std::int64_t day = 0;  // local day of the slot
  int slot_min = 0;      // local minute of day the slot starts
  std::string person;    // hash of the ID number, lowercase hex
  std::string phone;     // 11 digits of a mainland mobile number, or empty
  BookingState state = BookingState::kBooked;
  TicketId ticket = 0;  // kCheckedIn: the ticket it became
  TimeUs booked_at = 0;
  bool operator==(const Booking&) const = default;
};

// A booking code as people type it ("123456"); nullopt-like 0 if it is not one.
std::uint32_t parse_booking_code(std::string_view text);
// kPersonHexDigits lowercase hex digits.
bool valid_person_hash(std::string_view person);
// A person as a booking or remote ticket may hold it once folded: the hash,
// or empty where the engine withheld it (the events and snapshots sent to
// devices without access to personal data, SECURITY.md). A command must
// still carry a valid hash.
bool valid_held_person(std::string_view person);
// Empty, or 11 digits starting with 1 (a mainland mobile number).
bool valid_phone(std::string_view phone);
std::string_view to_string(BookingState s);
// A slot's start as people write it: exactly "HH:MM" (00:00..23:59) -> the
// minute of day; -1 for anything else ("9:30", "24:00", "09:30:00").
int parse_slot_time(std::string_view text);
// "09:30" of a minute of day (0..1439).
std::string format_slot_time(int minute);
// "138****5678": the phone with its middle four digits hidden (reads shown
// to managers); anything not 11 characters long is hidden whole.
std::string mask_phone(std::string_view phone);

}  // namespace hallq::core
