// The person of a booking (core/booking.h): HMAC-SHA256 of the normalised
// GB 11643 ID number (core/resident_id.h) keyed by the installation's salt,
// as 64 lowercase hex digits. The same number gives the same person in every
// hall of one installation (one booking per person per service per day), and
// nothing outside it can test an ID number against a hash without the salt.
//
// The salt: 32 random bytes in a file of their own (mode 0600), made once by
// `hallq keys salt FILE` and given to hallqd (--person-salt) and to the tools
// that book (hallq book, hallq appointments import). Losing it means that
// bookings already made cannot be matched to new ones of the same person.
//
// Errors: a salt file that cannot be read or is not exactly 32 bytes is a
// config::ConfigError naming the file; writing one fails with KeyFileError
// (never overwriting). Stateless apart from the salt value; any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/config/config_error.h"

namespace hallq::keys {

inline constexpr std::size_t kPersonSaltBytes = 32;

class PersonSalt {
 public:
  explicit PersonSalt(const std::array<std::uint8_t, kPersonSaltBytes>& bytes) : bytes_(bytes) {}
  // Reads a salt file (exactly kPersonSaltBytes bytes). Errors: ConfigError.
  static PersonSalt read_file(const std::string& path);
  // kPersonSaltBytes from libsodium's CSPRNG.
  static PersonSalt generate();
  // Writes the salt to `path` (mode 0600), refusing to overwrite a file.
  void write_file(const std::string& path) const;
  const std::array<std::uint8_t, kPersonSaltBytes>& bytes() const { return bytes_; }

 private:
  std::array<std::uint8_t, kPersonSaltBytes> bytes_;
};

// HMAC-SHA256(key, message) as 64 lowercase hex digits (RFC 2104 / 4231).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// The person of `id_number`, which must already have passed
// core::check_resident_id: HMAC-SHA256(salt, normalize_resident_id(id)).
std::string person_hash(const PersonSalt& salt, std::string_view id_number);

}  // namespace hallq::keys
