// libsodium's crypto_auth_hmacsha256 with a key of any length (the _init
// form; the one-shot crypto_auth_hmacsha256 wants exactly 32 bytes), so the
// RFC 4231 vectors with their 20- and 131-byte keys test the very code that
// hashes ID numbers.
#include "engine/keys/person_hash.h"

#include <fmt/format.h>
#include <sodium.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "engine/core/resident_id.h"
#include "engine/keys/exclusive_file.h"

namespace hallq::keys {
namespace {

void init_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
}

}  // namespace

PersonSalt PersonSalt::read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config::ConfigError(path, 0, "cannot read the person-hash salt file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() != kPersonSaltBytes)
    throw config::ConfigError(path, 0,
                              fmt::format("a person-hash salt is exactly {} bytes (made by `hallq keys "
                                          "salt FILE`), this file has {}",
                                          kPersonSaltBytes, bytes.size()));
  std::array<std::uint8_t, kPersonSaltBytes> a{};
  for (std::size_t i = 0; i < kPersonSaltBytes; ++i) a[i] = static_cast<std::uint8_t>(bytes[i]);
  return PersonSalt(a);
}

PersonSalt PersonSalt::generate() {
  init_sodium();
  std::array<std::uint8_t, kPersonSaltBytes> a{};
  randombytes_buf(a.data(), a.size());
  return PersonSalt(a);
}

void PersonSalt::write_file(const std::string& path) const {
  write_exclusive(path, std::string_view(reinterpret_cast<const char*>(bytes_.data()), bytes_.size()), 0600);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  init_sodium();
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

std::string person_hash(const PersonSalt& salt, std::string_view id_number) {
  const std::string key(reinterpret_cast<const char*>(salt.bytes().data()), salt.bytes().size());
  return hmac_sha256_hex(key, core::normalize_resident_id(id_number));
}

}  // namespace hallq::keys
