// The token a ticket's QR code carries to the citizen's phone page
// (hallq-citizen): proof that whoever opens /t/HALL/DATE/NUMBER holds that
// printed ticket, without the gateway keeping a list of tickets.
//
//   token = base64url(first 16 bytes of HMAC-SHA256(secret, "HALL|DATE|NUMBER"))
//
// 128 bits, 22 characters without padding; DATE is the hall's local date
// "YYYY-MM-DD", so a token is only good for the day it was printed on (the
// gateway compares DATE with the hall's today). The secret is 32 random
// bytes in a file of its own (`hallq keys ticket-secret FILE`, mode 0600),
// shared by the kiosks that print and the gateway that checks.
//
// Errors: reading a secret file that is missing or not exactly 32 bytes is a
// config::ConfigError naming it; writing one that exists is a KeyFileError
// (curve_keys.h). Verification never throws and takes the same time whatever
// bytes of the token are wrong (sodium_memcmp). Stateless; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hallq::keys {

inline constexpr std::size_t kTicketSecretBytes = 32;
inline constexpr std::size_t kTicketTokenBytes = 16;   // 128 bits
inline constexpr std::size_t kTicketTokenLength = 22;  // base64url characters, no padding

// HMAC-SHA256 of `message` under `key` (any length): the 32 raw bytes.
std::string hmac_sha256(std::string_view key, std::string_view message);

// URL-safe base64 (RFC 4648 section 5) without padding.
std::string base64url(std::string_view bytes);

// The token of one ticket. `secret` is the raw secret (kTicketSecretBytes).
std::string ticket_token(std::string_view secret, std::string_view hall, std::string_view date,
                         std::string_view number);

// True if `token` is the token of that ticket (constant time in its content).
bool verify_ticket_token(std::string_view secret, std::string_view hall, std::string_view date,
                         std::string_view number, std::string_view token);

// 32 fresh random bytes (libsodium's randombytes_buf).
std::string generate_ticket_secret();

// Writes a fresh secret to `path` (mode 0600, refusing to overwrite).
// Throws KeyFileError.
void write_ticket_secret_file(const std::string& path);

// The raw secret in `path`. Throws config::ConfigError if the file cannot be
// read or is not exactly kTicketSecretBytes bytes long.
std::string read_ticket_secret_file(const std::string& path);

}  // namespace hallq::keys
