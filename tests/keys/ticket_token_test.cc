// Ticket tokens: HMAC-SHA256 against RFC 4231's vectors (expected values
// from the RFC, not from this code), base64url against RFC 4648's, and a
// token that is refused for any other hall, day or number, or with any one
// character changed. The secret file: 0600, never overwritten, 32 bytes.
#include "engine/keys/ticket_token.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "engine/config/config_error.h"
#include "engine/keys/curve_keys.h"
#include "tests/support/temp_dir.h"

namespace hallq::keys {
namespace {

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string unhex(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16));
  return out;
}

// RFC 4231 section 4, HMAC-SHA-256 of test cases 1-4, 6 and 7 (case 5 is truncated output).
TEST(TicketTokenTest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex(hmac_sha256(std::string(20, '\xaa'), std::string(50, '\xdd'))),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  EXPECT_EQ(
      hex(hmac_sha256(unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'))),
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  EXPECT_EQ(
      hex(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hex(hmac_sha256(std::string(131, '\xaa'),
                            "This is a test using a larger than block-size key and a larger than block-size "
                            "data. The key needs to be hashed before being used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

// RFC 4648 section 10's vectors, URL-safe alphabet, no padding.
TEST(TicketTokenTest, Base64UrlMatchesRfc4648) {
  EXPECT_EQ(base64url(""), "");
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url("foob"), "Zm9vYg");
  EXPECT_EQ(base64url("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url("\xfb\xff\xbf"), "-_-_");
}

TEST(TicketTokenTest, TokenIsTheTruncatedMacOfHallDateNumber) {
  const std::string secret(kTicketSecretBytes, '\x42');
  const std::string token = ticket_token(secret, "town", "2026-12-03", "A012");
  ASSERT_EQ(token.size(), kTicketTokenLength);
  EXPECT_EQ(token, base64url(hmac_sha256(secret, "town|2026-12-03|A012").substr(0, 16)));
  EXPECT_TRUE(verify_ticket_token(secret, "town", "2026-12-03", "A012", token));
}

TEST(TicketTokenTest, OtherTicketsDaysHallsAndTamperedTokensAreRefused) {
  const std::string secret = generate_ticket_secret();
  ASSERT_EQ(secret.size(), kTicketSecretBytes);
  const std::string token = ticket_token(secret, "town", "2026-12-03", "A012");
  EXPECT_FALSE(verify_ticket_token(secret, "town", "2026-12-04", "A012", token));  // next day
  EXPECT_FALSE(verify_ticket_token(secret, "town", "2026-12-03", "A013", token));  // next number
  EXPECT_FALSE(verify_ticket_token(secret, "district", "2026-12-03", "A012", token));
  EXPECT_FALSE(verify_ticket_token(generate_ticket_secret(), "town", "2026-12-03", "A012", token));
  // "town|2026-12-0" + "3|A012" must not equal another split of the same bytes.
  EXPECT_FALSE(verify_ticket_token(secret, "town|2026-12-03", "", "A012", token));
  EXPECT_FALSE(verify_ticket_token(secret, "town", "2026-12-03", "A012", token.substr(0, 21)));
  EXPECT_FALSE(verify_ticket_token(secret, "town", "2026-12-03", "A012", token + "A"));
  EXPECT_FALSE(verify_ticket_token(secret, "town", "2026-12-03", "A012", ""));
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_ticket_token(secret, "town", "2026-12-03", "A012", t)) << i;
  }
  // Tokens of neighbouring numbers share nothing visible.
  EXPECT_NE(ticket_token(secret, "town", "2026-12-03", "A013").substr(0, 4), token.substr(0, 4));
}

TEST(TicketTokenTest, SecretFileIsPrivateNeverOverwrittenAndChecked) {
  testing::TempDir dir("hallq-secret");
  const std::string path = dir.path() + "/ticket.secret";
  write_ticket_secret_file(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string secret = read_ticket_secret_file(path);
  EXPECT_EQ(secret.size(), kTicketSecretBytes);
  EXPECT_THROW(write_ticket_secret_file(path), KeyFileError);
  EXPECT_EQ(read_ticket_secret_file(path), secret) << "the secret was replaced";

  std::ofstream(dir.path() + "/short") << "too short";
  try {
    read_ticket_secret_file(dir.path() + "/short");
    FAIL() << "a 9-byte secret was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("a ticket secret is 32 bytes, this file has 9"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(read_ticket_secret_file(dir.path() + "/missing"), config::ConfigError);
}

}  // namespace
}  // namespace hallq::keys
