// A booking as people type it (the managers' HTTP API, `hallq book`, the
// one-time import of a kiosk's CSV book): service id, date, slot, ID number,
// phone, all text and all hostile. Checked field by field, the ID number
// against GB 11643 (core/resident_id.h), then hashed into the booking's
// person (person_hash.h), so that the ID number goes no further than this
// function. What the hall's config allows (the service books, the day is
// bookable, the slot is on its grid, a place is free) is the engine's to say.
//
// Pure apart from the salt; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "engine/core/calendar.h"
#include "engine/keys/person_hash.h"

namespace hallq::keys {

struct BookingForm {
  std::string_view service, day, slot, id_number, phone;
};

// Ready for a core::Book (with a nonce of the sender's).
struct PreparedBooking {
  std::string service;
  std::int64_t day = 0;
  int slot_min = 0;
  std::string person;  // 64 lowercase hex
  std::string phone;   // "" or 11 digits
};

// Why a form was refused: the core's ErrorCode name ("bad_argument"), the
// field ("id_number", ...) and a message for people (Simplified Chinese).
struct FormError {
  std::string code, field, message;
};

// `today`: the hall's local date (an ID number's birth date may not follow it).
std::variant<PreparedBooking, FormError> prepare_booking(const BookingForm& form, const PersonSalt& salt,
                                                         core::CivilDate today);

}  // namespace hallq::keys
