// The HMAC uses libsodium's init/update/final form, which takes a key of any
// length (the RFC 4231 vectors need that); the secret itself is always 32
// bytes. Only the first 16 bytes of the MAC are kept: 128 bits is beyond any
// guessing at the gateway's rate limit, and the URL stays short enough for a
// small QR code.
#include "engine/keys/ticket_token.h"

#include <fmt/format.h>
#include <sodium.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "engine/config/config_error.h"
#include "engine/keys/curve_keys.h"
#include "engine/keys/exclusive_file.h"

namespace hallq::keys {
namespace {

void init_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
}

std::string ticket_message(std::string_view hall, std::string_view date, std::string_view number) {
  return fmt::format("{}|{}|{}", hall, date, number);
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view message) {
  init_sodium();
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  std::string out(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(out.data()));
  sodium_memzero(&state, sizeof state);
  return out;
}

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string ticket_token(std::string_view secret, std::string_view hall, std::string_view date,
                         std::string_view number) {
  const std::string mac = hmac_sha256(secret, ticket_message(hall, date, number));
  return base64url(std::string_view(mac).substr(0, kTicketTokenBytes));
}

bool verify_ticket_token(std::string_view secret, std::string_view hall, std::string_view date,
                         std::string_view number, std::string_view token) {
  if (token.size() != kTicketTokenLength) return false;
  const std::string expected = ticket_token(secret, hall, date, number);
  return sodium_memcmp(expected.data(), token.data(), kTicketTokenLength) == 0;
}

std::string generate_ticket_secret() {
  init_sodium();
  std::string out(kTicketSecretBytes, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

void write_ticket_secret_file(const std::string& path) {
  std::string secret = generate_ticket_secret();
  write_exclusive(path, secret, 0600);
  sodium_memzero(secret.data(), secret.size());
}

std::string read_ticket_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw config::ConfigError(path, 0, "cannot read the ticket secret (hallq keys ticket-secret FILE)");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() != kTicketSecretBytes)
    throw config::ConfigError(path, 0,
                              fmt::format("a ticket secret is {} bytes, this file has {} (make one with "
                                          "hallq keys ticket-secret FILE)",
                                          kTicketSecretBytes, bytes.size()));
  return bytes;
}

}  // namespace hallq::keys
