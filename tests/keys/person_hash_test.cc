// The person of a booking: HMAC-SHA256 against RFC 4231's vectors, the hash
// of an ID number (normalised, salted), and the salt file (exactly 32 bytes,
// 0600, never overwritten).
#include "engine/keys/person_hash.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "engine/keys/curve_keys.h"
#include "tests/support/temp_dir.h"

namespace hallq::keys {
namespace {

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

TEST(HmacSha256, Rfc4231Vectors) {
  EXPECT_EQ(hmac_sha256_hex(repeat('\x0b', 20), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hmac_sha256_hex(repeat('\xaa', 20), repeat('\xdd', 50)),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4.push_back(static_cast<char>(i));
  EXPECT_EQ(hmac_sha256_hex(key4, repeat('\xcd', 50)),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  EXPECT_EQ(hmac_sha256_hex(repeat('\xaa', 131), "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hmac_sha256_hex(repeat('\xaa', 131),
                            "This is a test using a larger than block-size key and a larger than block-size "
                            "data. The key needs to be hashed before being used by the HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

PersonSalt counting_salt() {
  std::array<std::uint8_t, kPersonSaltBytes> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i);
  return PersonSalt(a);
}

TEST(PersonHash, IsTheSaltedHmacOfTheNormalisedNumber) {
  const PersonSalt salt = counting_salt();
  // Computed with Python's hmac module over the same key and number.
  EXPECT_EQ(person_hash(salt, "11010519491231002X"),
            "a66755453b106dcea0cfa264214ae59ff1e8b067f3e5f3aa8085e1d8757880eb");
  EXPECT_EQ(person_hash(salt, "11010519491231002x"), person_hash(salt, "11010519491231002X"));
  EXPECT_NE(person_hash(salt, "440524188001010014"), person_hash(salt, "11010519491231002X"));
  std::array<std::uint8_t, kPersonSaltBytes> other{};
  other.fill(7);
  EXPECT_NE(person_hash(PersonSalt(other), "11010519491231002X"), person_hash(salt, "11010519491231002X"));
  const std::string h = person_hash(salt, "440524188001010014");
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(PersonSalt, WrittenOnceReadBack) {
  testing::TempDir dir("hallq-salt");
  const std::string path = dir.sub("person.salt");
  const PersonSalt salt = PersonSalt::generate();
  EXPECT_NE(salt.bytes(), PersonSalt::generate().bytes());
  salt.write_file(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  EXPECT_EQ(PersonSalt::read_file(path).bytes(), salt.bytes());
  // Never replaced: the bookings already made would no longer match.
  EXPECT_THROW(PersonSalt::generate().write_file(path), KeyFileError);
  EXPECT_EQ(PersonSalt::read_file(path).bytes(), salt.bytes());
}

TEST(PersonSalt, AFileOfAnotherSizeIsRefusedByName) {
  testing::TempDir dir("hallq-salt");
  const std::string path = dir.sub("short.salt");
  std::ofstream(path) << "too short";
  try {
    (void)PersonSalt::read_file(path);
    FAIL() << "a 9-byte salt was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("short.salt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("32"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)PersonSalt::read_file(dir.sub("missing")), config::ConfigError);
}

}  // namespace
}  // namespace hallq::keys
