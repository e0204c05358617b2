// Check-in tokens: expected values from Python's hmac (run once, pasted):
//   base64.urlsafe_b64encode(hmac.new(bytes(range(32)), b"checkin|town|2026-11-24|60",
//                                     hashlib.sha256).digest()[:16]).rstrip(b"=")
// not from this code; the slot of an instant at UTC+8; the window of the
// current and the previous slot, across midnight; any other hall, slot or
// character refused.
#include "engine/keys/checkin_token.h"

#include <gtest/gtest.h>

#include <string>

namespace hallq::keys {
namespace {

const std::string kSecret = [] {
  std::string s;
  for (int i = 0; i < 32; ++i) s += static_cast<char>(i);
  return s;
}();
constexpr int kChina = 8 * 60;
// 2026-11-24 (day 20781) 00:00 local = 2026-11-23 16:00 UTC.
constexpr core::TimeUs kMidnight = (20'781LL * 86'400 - 8 * 3'600) * core::kUsPerSecond;
constexpr core::TimeUs at(int hour, int minute, int second = 0) {
  return kMidnight + ((hour * 60LL + minute) * 60 + second) * core::kUsPerSecond;
}

TEST(CheckInTokenTest, MatchesAnIndependentHmac) {
  EXPECT_EQ(checkin_token(kSecret, "town", "2026-11-24", 60), "nSo3V-ZkY4CwZbkZ_-1_nQ");
  EXPECT_EQ(checkin_token(kSecret, "town", "2026-11-24", 59), "s1c3vKSfaFZ7_Rk81oTF8Q");
  EXPECT_EQ(checkin_token(kSecret, "town", "2026-11-23", 143), "a75B1HLdgQ4hHUflxVuvDg");
  EXPECT_EQ(checkin_token(kSecret, "town", "2026-11-24", 0), "nxR-0hIdxTfy8sxiNh_5qw");
  EXPECT_EQ(checkin_token(kSecret, "city", "2026-11-24", 60), "HNYOqUQ224glU-xK5B-vSw");
}

TEST(CheckInTokenTest, SlotsAreTenLocalMinutes) {
  EXPECT_EQ(checkin_slot(at(10, 0), kChina).date, "2026-11-24");
  EXPECT_EQ(checkin_slot(at(10, 0), kChina).slot, 60);
  EXPECT_EQ(checkin_slot(at(10, 9, 59), kChina).slot, 60);
  EXPECT_EQ(checkin_slot(at(10, 10), kChina).slot, 61);
  EXPECT_EQ(checkin_slot(at(0, 0), kChina).slot, 0);
  EXPECT_EQ(checkin_slot(at(0, 0) - core::kUsPerSecond, kChina).date, "2026-11-23");
  EXPECT_EQ(checkin_slot(at(0, 0) - core::kUsPerSecond, kChina).slot, 143);
  EXPECT_EQ(checkin_token_at(kSecret, "town", at(10, 5), kChina), "nSo3V-ZkY4CwZbkZ_-1_nQ");
}

TEST(CheckInTokenTest, TheCurrentAndThePreviousSlotOnly) {
  const std::string slot60 = "nSo3V-ZkY4CwZbkZ_-1_nQ";                                 // 10:00-10:09
  EXPECT_FALSE(verify_checkin_token(kSecret, "town", at(9, 59, 59), kChina, slot60));  // not yet
  EXPECT_TRUE(verify_checkin_token(kSecret, "town", at(10, 0), kChina, slot60));
  EXPECT_TRUE(verify_checkin_token(kSecret, "town", at(10, 19, 59), kChina, slot60));  // the previous slot
  EXPECT_FALSE(verify_checkin_token(kSecret, "town", at(10, 20), kChina, slot60));     // expired
  EXPECT_FALSE(verify_checkin_token(kSecret, "city", at(10, 5), kChina, slot60));
  // Across midnight: 23:50-23:59 of the day before is still good at 00:05.
  EXPECT_TRUE(verify_checkin_token(kSecret, "town", at(0, 5), kChina, "a75B1HLdgQ4hHUflxVuvDg"));
  EXPECT_TRUE(verify_checkin_token(kSecret, "town", at(0, 5), kChina, "nxR-0hIdxTfy8sxiNh_5qw"));
  EXPECT_FALSE(verify_checkin_token(kSecret, "town", at(0, 10), kChina, "a75B1HLdgQ4hHUflxVuvDg"));
}

TEST(CheckInTokenTest, AnyChangedCharacterOrLengthIsRefused) {
  const std::string good = "nSo3V-ZkY4CwZbkZ_-1_nQ";
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_checkin_token(kSecret, "town", at(10, 5), kChina, bad)) << i;
  }
  EXPECT_FALSE(verify_checkin_token(kSecret, "town", at(10, 5), kChina, good.substr(1)));
  EXPECT_FALSE(verify_checkin_token(kSecret, "town", at(10, 5), kChina, good + "A"));
  EXPECT_FALSE(verify_checkin_token(kSecret, "town", at(10, 5), kChina, ""));
  // Another secret's token of the same slot is refused.
  EXPECT_FALSE(verify_checkin_token(std::string(32, '\x01'), "town", at(10, 5), kChina, good));
}

}  // namespace
}  // namespace hallq::keys
