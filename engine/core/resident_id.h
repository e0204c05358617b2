// The 18-digit resident identity number (公民身份号码, GB 11643-1999): six
// digits of address code, the birth date YYYYMMDD, a three-digit order code
// and a check character computed over the first 17 (weights 7 9 10 5 8 4 2 1
// 6 3 7 9 10 5 8 4 2, sum mod 11 indexes "10X98765432").
//
// Shared by everything that takes the number from a citizen: the kiosk (which
// reads it only to decide priority by age and never stores, prints or sends
// it), the managers' HTTP API and `hallq book` (which check it before hashing
// it into a booking's person, engine/keys/person_hash.h). `mask_resident_id`
// is the only form that may leave the function that read it (logs, screens).
// Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/core/calendar.h"

namespace hallq::core {

enum class IdProblem { kOk, kLength, kCharacters, kBirthDate, kCheckDigit };

struct IdCheck {
  IdProblem problem = IdProblem::kOk;
  CivilDate birth;  // valid when problem == kOk
  bool ok() const { return problem == IdProblem::kOk; }
};

// The check character ('0'..'9' or 'X') of the first 17 digits of `id17`;
// '?' if they are not 17 digits.
char resident_id_check_char(std::string_view id17);

// Validates length, characters (17 digits then a digit or X/x), the birth date
// (a real date, not after `today`, not before 1900) and the check character.
IdCheck check_resident_id(std::string_view id, CivilDate today);

// The number as it is hashed: a trailing x upper-cased, nothing else changed
// (call after check_resident_id accepted it).
std::string normalize_resident_id(std::string_view id);

// What a citizen is told for a problem (Simplified Chinese).
std::string_view describe(IdProblem p);

// "110101**********1234"-style: the first 4 and last 4 characters kept, the
// rest replaced by '*'. Inputs shorter than 9 characters become all '*'.
std::string mask_resident_id(std::string_view id);

}  // namespace hallq::core
