// The enrolled-keys file: what a valid one yields, and that every mistake is
// named with its file and line (hallqd exits 2 with that message); key pairs
// and key files.
#include "engine/keys/key_registry.h"

#include <gtest/gtest.h>

#include "engine/keys/curve_keys.h"

namespace hallq::keys {
namespace {

const std::string kKey1 = generate_key_pair().public_key;
const std::string kKey2 = generate_key_pair().public_key;

std::string error_of(const std::string& text) {
  try {
    (void)KeyRegistry::parse(text, "conf/keys.toml");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(parsed)";
}

TEST(KeyRegistry, ParsesEntriesAndResolvesTheEngineKeyFile) {
  const KeyRegistry reg = KeyRegistry::parse(
      "[engine]\nsecret_key_file = \"keys/engine.key\"\n"
      "[[key]]\nname = \"k1\"\npublic_key = \"" +
          kKey1 +
          "\"\nrole = \"kiosk\"\nhalls = [\"town\"]\n"
          "[[key]]\nname = \"boss\"\npublic_key = \"" +
          kKey2 + "\"\nrole = \"manager\"\nhalls = [\"town\", \"district\"]\n",
      "/etc/hallq/keys.toml");
  ASSERT_EQ(reg.entries().size(), 2u);
  EXPECT_EQ(reg.engine_secret_key_file(), "/etc/hallq/keys/engine.key");
  const KeyEntry* k1 = reg.by_public_key(kKey1);
  ASSERT_NE(k1, nullptr);
  EXPECT_EQ(k1->name, "k1");
  EXPECT_EQ(k1->role, DeviceRole::kKiosk);
  EXPECT_EQ(k1->line, 3);
  EXPECT_EQ(reg.by_name("boss")->halls, (std::vector<std::string>{"town", "district"}));
  EXPECT_EQ(reg.by_name("nobody"), nullptr);
  EXPECT_EQ(reg.by_public_key(generate_key_pair().public_key), nullptr);
}

// The public gateway's key: one or more halls, like a manager; no window.
TEST(KeyRegistry, CitizenSpansHallsWithoutAWindow) {
  const std::string head = "[[key]]\nname = \"gw\"\npublic_key = \"" + kKey1 + "\"\nrole = \"citizen\"\n";
  const KeyRegistry reg = KeyRegistry::parse(head + "halls = [\"town\", \"district\"]\n", "conf/keys.toml");
  ASSERT_EQ(reg.entries().size(), 1u);
  EXPECT_EQ(reg.entries()[0].role, DeviceRole::kCitizen);
  EXPECT_EQ(to_string(DeviceRole::kCitizen), "citizen");
  EXPECT_EQ(reg.entries()[0].halls, (std::vector<std::string>{"town", "district"}));
  EXPECT_EQ(error_of(head + "halls = [\"town\"]\nwindow = \"w1\"\n"),
            "conf/keys.toml:6: key \"gw\": window applies to callers and keypads only, not a citizen");
  EXPECT_EQ(error_of(head + "halls = []\n"),
            "conf/keys.toml:5: key \"gw\": halls must be a list of hall ids, e.g. [\"town\"]");
}

// The reminder sender's key: subscribe only, one or more halls; with the
// manager's, the role that receives citizens' phones and ID hashes.
TEST(KeyRegistry, NotifierSpansHallsAndSeesPersonalData) {
  const std::string head = "[[key]]\nname = \"sms\"\npublic_key = \"" + kKey1 + "\"\nrole = \"notifier\"\n";
  const KeyRegistry reg = KeyRegistry::parse(head + "halls = [\"town\", \"district\"]\n", "conf/keys.toml");
  ASSERT_EQ(reg.entries().size(), 1u);
  EXPECT_EQ(reg.entries()[0].role, DeviceRole::kNotifier);
  EXPECT_EQ(to_string(DeviceRole::kNotifier), "notifier");
  EXPECT_EQ(device_role_from_string("notifier"), DeviceRole::kNotifier);
  for (const char* role :
       {"kiosk", "caller", "keypad", "display", "speaker", "manager", "citizen", "notifier"})
    EXPECT_EQ(role_sees_personal_data(*device_role_from_string(role)),
              std::string_view(role) == "manager" || std::string_view(role) == "notifier")
        << role;
  EXPECT_EQ(error_of(head + "halls = [\"town\"]\nwindow = \"w1\"\n"),
            "conf/keys.toml:6: key \"sms\": window applies to callers and keypads only, not a notifier");
}

TEST(KeyRegistry, TheDocumentedExampleParses) {
  const KeyRegistry reg =
      KeyRegistry::load(std::string(HALLQ_SOURCE_DIR) + "/conf/security/keys.example.toml");
  EXPECT_EQ(reg.entries().size(), 6u);
  EXPECT_EQ(reg.by_name("caller-w1")->window, "w1");
  EXPECT_EQ(reg.by_name("manager-li")->halls.size(), 2u);
  EXPECT_EQ(reg.engine_secret_key_file(), std::string(HALLQ_SOURCE_DIR) + "/conf/security/keys/engine.key");
}

TEST(KeyRegistry, FormattedEntryParsesBack) {
  KeyEntry e{
      .name = "c-w1", .public_key = kKey1, .role = DeviceRole::kCaller, .halls = {"town"}, .window = "w1"};
  const KeyRegistry reg = KeyRegistry::parse(format_key_entry(e), "x.toml");
  ASSERT_EQ(reg.entries().size(), 1u);
  const KeyEntry& back = reg.entries()[0];
  EXPECT_EQ(back.name, e.name);
  EXPECT_EQ(back.public_key, e.public_key);
  EXPECT_EQ(back.role, e.role);
  EXPECT_EQ(back.halls, e.halls);
  EXPECT_EQ(back.window, e.window);
}

TEST(KeyRegistry, MistakesNameFileAndLine) {
  const std::string head = "[[key]]\nname = \"k1\"\n";
  EXPECT_EQ(
      error_of(head + "public_key = \"short\"\nrole = \"kiosk\"\nhalls = [\"town\"]\n"),
      "conf/keys.toml:3: key \"k1\": public_key must be 40 characters of Z85 (hallq keys gen writes it)");
  EXPECT_EQ(error_of(head + "public_key = \"" + kKey1 + "\"\nrole = \"cashier\"\nhalls = [\"town\"]\n"),
            "conf/keys.toml:4: key \"k1\": unknown role \"cashier\" (kiosk, caller, keypad, display, "
            "speaker, manager, citizen, notifier)");
  EXPECT_EQ(error_of(head + "public_key = \"" + kKey1 + "\"\nrole = \"caller\"\nhalls = [\"town\"]\n"),
            "conf/keys.toml:1: key \"k1\": a caller needs window = \"...\"");
  EXPECT_EQ(
      error_of(head + "public_key = \"" + kKey1 + "\"\nrole = \"kiosk\"\nhalls = [\"town\", \"district\"]\n"),
      "conf/keys.toml:5: key \"k1\": a kiosk serves exactly one hall");
  EXPECT_EQ(error_of(head + "public_key = \"" + kKey1 +
                     "\"\nrole = \"kiosk\"\nhalls = [\"town\"]\nwindow = \"w1\"\n"),
            "conf/keys.toml:6: key \"k1\": window applies to callers and keypads only, not a kiosk");
  EXPECT_EQ(
      error_of(head + "public_key = \"" + kKey1 + "\"\nrole = \"kiosk\"\nhalls = [\"town\"]\ncolour = 1\n"),
      "conf/keys.toml:6: unknown key \"colour\" (expected name, public_key, role, halls, window)");
  const std::string one = head + "public_key = \"" + kKey1 + "\"\nrole = \"kiosk\"\nhalls = [\"town\"]\n";
  EXPECT_EQ(error_of(one + "[[key]]\nname = \"k2\"\npublic_key = \"" + kKey1 +
                     "\"\nrole = \"kiosk\"\nhalls = [\"town\"]\n"),
            "conf/keys.toml:8: key \"k2\" has the same public_key as \"k1\"");
  EXPECT_EQ(error_of(one + "[[key]]\nname = \"k1\"\npublic_key = \"" + kKey2 +
                     "\"\nrole = \"kiosk\"\nhalls = [\"town\"]\n"),
            "conf/keys.toml:6: key \"k1\" enrolled twice (first at line 1)");
  EXPECT_EQ(error_of("[[key]\n").substr(0, 17), "conf/keys.toml:1:");  // TOML syntax, via toml++
  EXPECT_EQ(error_of("[users]\n"),
            "conf/keys.toml:1: unknown section \"users\" (expected [engine] or [[key]])");
}

TEST(KeyFiles, SecretKeyGivesItsPublicKey) {
  const CurveKeyPair p = generate_key_pair();
  EXPECT_TRUE(is_z85_key(p.public_key));
  EXPECT_TRUE(is_z85_key(p.secret_key));
  EXPECT_EQ(public_key_of(p.secret_key), p.public_key);
  EXPECT_NE(p.public_key, generate_key_pair().public_key);
  EXPECT_FALSE(is_z85_key("too short"));
  EXPECT_FALSE(is_z85_key(std::string(40, '"')));          // not in the Z85 alphabet
  EXPECT_EQ(read_public_key(p.public_key), p.public_key);  // inline Z85, not a file
}

}  // namespace
}  // namespace hallq::keys
