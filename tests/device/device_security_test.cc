// The [security] table every device and screen shares: a good table gives the
// keys `hallq keys gen` wrote (real key files, real modes), each mistake is
// named with the config file's line, the command line overrides it, and every
// device's config accepts the table (and only there).
#include "engine/device/device_security.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "adapters/caller/caller_config.h"
#include "adapters/keypad/keypad_config.h"
#include "adapters/kiosk/kiosk_config.h"
#include "adapters/speaker/speaker_config.h"
#include "engine/keys/curve_keys.h"
#include "tests/support/temp_dir.h"

namespace hallq::device {
namespace {

class DeviceSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = keys::generate_key_pair();
    own_ = keys::generate_key_pair();
    (void)keys::write_key_files(dir_.path() + "/keys", "engine", engine_, "engine");
    (void)keys::write_key_files(dir_.path() + "/keys", "kiosk-1", own_, "kiosk-1");
  }

  // Writes `text` as DIR/NAME and returns the path.
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  // The [security] table of a minimal document `body` read from DIR/dev.toml.
  SecurityConfig read(const std::string& body) {
    const std::string path = write("dev.toml", body);
    const toml::table root = config::read_toml_file(path);
    return read_security(config::TableReader::document(root, path));
  }
  // The message of the config::ConfigError reading or loading `body` throws.
  std::string error_of(const std::string& body) {
    try {
      (void)load_curve(read(body));
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return "(accepted)";
  }
  std::string conf() const { return dir_.path() + "/dev.toml"; }

  testing::TempDir dir_{"hallq-devsec-unit"};
  keys::CurveKeyPair engine_, own_;
};

TEST_F(DeviceSecurityTest, GoodTableGivesTheKeysGenWrote) {
  const SecurityConfig s = read(
      "[device]\nx = 1\n\n[security]\nkey_file = \"keys/kiosk-1.key\"\nengine_public_key_file = "
      "\"keys/engine.pub\"\n");
  EXPECT_TRUE(s.enabled());
  EXPECT_EQ(s.key_file, dir_.path() + "/keys/kiosk-1.key");  // relative to the config file
  EXPECT_EQ(s.key_file_line, 5u);
  EXPECT_EQ(s.engine_key_line, 6u);
  const LoadedCurve c = load_curve(s);
  EXPECT_EQ(c.curve.secret_key, own_.secret_key);
  EXPECT_EQ(c.curve.public_key, own_.public_key);
  EXPECT_EQ(c.curve.server_key, engine_.public_key);
  EXPECT_TRUE(c.curve.enabled());
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();
}

TEST_F(DeviceSecurityTest, EngineKeyInlineOrFromItsKeyFileAndAbsolutePaths) {
  const LoadedCurve inline_key =
      load_curve(read("[security]\nkey_file = \"" + dir_.path() +
                      "/keys/kiosk-1.key\"\nengine_public_key = \"" + engine_.public_key + "\"\n"));
  EXPECT_EQ(inline_key.curve.server_key, engine_.public_key);
  EXPECT_EQ(inline_key.curve.public_key, own_.public_key);
  // The engine's .key works too (its public half is derived).
  const LoadedCurve from_key = load_curve(
      read("[security]\nkey_file = \"keys/kiosk-1.key\"\nengine_public_key_file = \"keys/engine.key\"\n"));
  EXPECT_EQ(from_key.curve.server_key, engine_.public_key);
}

TEST_F(DeviceSecurityTest, NoTableIsPlaintext) {
  const SecurityConfig s = read("[device]\nx = 1\n");
  EXPECT_FALSE(s.enabled());
  const LoadedCurve c = load_curve(s);
  EXPECT_FALSE(c.curve.enabled());
  EXPECT_TRUE(c.curve.secret_key.empty());
}

TEST_F(DeviceSecurityTest, EachMistakeNamesTheFileAndLine) {
  const std::string good_key = "key_file = \"keys/kiosk-1.key\"\n";
  const std::string good_engine = "engine_public_key_file = \"keys/engine.pub\"\n";
  struct Case {
    std::string body, message;
  };
  write("keys/garbage.key", "secret_key = \"too short\"\n");
  write("keys/syntax.key", "secret_key = = 3\n");
  write("keys/empty.pub", "# nothing\n");
  write("keys/mismatch.key",
        "secret_key = \"" + own_.secret_key + "\"\npublic_key = \"" + engine_.public_key + "\"\n");
  const std::vector<Case> cases = {
      {"[security]\nkey_fle = \"x\"\n",
       conf() + ":2: unknown key \"key_fle\" in [security] (did you mean \"key_file\"?)"},
      {"[security]\n" + good_engine, conf() + ":1: security: missing key_file"},
      {"# c\n[security]\n" + good_key,
       conf() + ":2: security: missing engine_public_key_file or engine_public_key"},
      {"[security]\nkey_file = \"\"\n" + good_engine, conf() + ":2: security.key_file: must not be empty"},
      {"[security]\nkey_file = 7\n" + good_engine, conf() + ":2: security.key_file: expected a string"},
      {"[security]\n" + good_key + good_engine + "engine_public_key = \"" + engine_.public_key + "\"\n",
       conf() + ":4: security.engine_public_key: give engine_public_key_file or engine_public_key, not both"},
      {"[security]\n" + good_key + "engine_public_key = \"keys/engine.pub\"\n",
       conf() + ":3: security.engine_public_key: must be 40 characters of Z85 (got 15 characters)"},
      {"[security]\n" + good_key + "engine_public_key = \"" + std::string(40, ' ') + "\"\n",
       conf() + ":3: security.engine_public_key: must be 40 characters of Z85"},
      {"[security]\nkey_file = \"keys/nope.key\"\n" + good_engine,
       conf() + ":2: security.key_file: " + dir_.path() + "/keys/nope.key: No such file or directory"},
      {"[security]\nkey_file = \"keys\"\n" + good_engine,
       conf() + ":2: security.key_file: " + dir_.path() + "/keys: not a regular file"},
      {"[security]\nkey_file = \"keys/garbage.key\"\n" + good_engine,
       conf() + ":2: security.key_file: " + dir_.path() +
           "/keys/garbage.key:1: secret_key must be 40 characters of Z85"},
      {"[security]\nkey_file = \"keys/syntax.key\"\n" + good_engine,
       conf() + ":2: security.key_file: " + dir_.path() + "/keys/syntax.key:1: "},
      {"[security]\nkey_file = \"keys/mismatch.key\"\n" + good_engine,
       conf() + ":2: security.key_file: " + dir_.path() +
           "/keys/mismatch.key: public_key does not belong to secret_key"},
      {"[security]\n" + good_key + "engine_public_key_file = \"keys/missing.pub\"\n",
       conf() + ":3: security.engine_public_key_file: " + dir_.path() +
           "/keys/missing.pub: No such file or directory"},
      {"[security]\n" + good_key + "engine_public_key_file = \"keys/empty.pub\"\n",
       conf() + ":3: security.engine_public_key_file: " + dir_.path() + "/keys/empty.pub: no public_key"},
      {"[security]\n" + good_key + "engine_public_key_file = \"keys/kiosk-1.pub\"\n",
       conf() + ":3: security.engine_public_key_file: is this device's own public key, not the engine's"},
      {"security = \"on\"\n", conf() + ":1: "},
  };
  for (const Case& c : cases) {
    const std::string e = error_of(c.body);
    EXPECT_EQ(e.rfind(c.message, 0), 0u) << "config:\n"
                                         << c.body << "\ngot:      " << e << "\nexpected: " << c.message;
  }
}

TEST_F(DeviceSecurityTest, UnreadableKeyFileIsNamed) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files of any mode";
  const std::string key = dir_.path() + "/keys/kiosk-1.key";
  ASSERT_EQ(::chmod(key.c_str(), 0000), 0);
  EXPECT_EQ(
      error_of("[security]\nkey_file = \"keys/kiosk-1.key\"\nengine_public_key_file = \"keys/engine.pub\"\n"),
      conf() + ":2: security.key_file: " + key + ": cannot read: Permission denied");
}

TEST_F(DeviceSecurityTest, SecretKeyReadableByOthersIsWarnedNotRefused) {
  const std::string key = dir_.path() + "/keys/kiosk-1.key";
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  const LoadedCurve c = load_curve(
      read("[security]\nkey_file = \"keys/kiosk-1.key\"\nengine_public_key_file = \"keys/engine.pub\"\n"));
  EXPECT_EQ(c.curve.secret_key, own_.secret_key);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0],
            conf() + ":2: security.key_file: warning: " + key +
                " is readable by others (mode 0644); a device's secret key should be mode 0600 (chmod 600 " +
                key + ")");
  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  EXPECT_TRUE(
      load_curve(
          read("[security]\nkey_file = \"keys/kiosk-1.key\"\nengine_public_key_file = \"keys/engine.pub\"\n"))
          .warnings.empty());
}

TEST_F(DeviceSecurityTest, CommandLineOverridesTheTable) {
  const std::string key = dir_.path() + "/keys/kiosk-1.key";
  const std::string pub = dir_.path() + "/keys/engine.pub";
  // Both halves on the command line, no table.
  SecurityConfig s = read("[device]\nx = 1\n");
  override_security(s, key, pub);
  EXPECT_EQ(load_curve(s).curve.server_key, engine_.public_key);
  // --server-key as the 40 characters.
  s = read("[device]\nx = 1\n");
  override_security(s, key, engine_.public_key);
  EXPECT_EQ(s.engine_public_key, engine_.public_key);
  EXPECT_EQ(load_curve(s).curve.public_key, own_.public_key);
  // Only --key replaces the table's key_file and keeps its engine key.
  s = read("[security]\nkey_file = \"keys/nope.key\"\nengine_public_key_file = \"keys/engine.pub\"\n");
  override_security(s, key, "");
  EXPECT_EQ(load_curve(s).curve.secret_key, own_.secret_key);
  // A missing file from the command line names the option.
  s = read("[device]\nx = 1\n");
  override_security(s, dir_.path() + "/none.key", pub);
  try {
    (void)load_curve(s);
    ADD_FAILURE() << "accepted a missing --key file";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "--key: " + dir_.path() + "/none.key: No such file or directory");
  }
  // One half alone is a usage error.
  s = read("[device]\nx = 1\n");
  EXPECT_THROW(override_security(s, key, ""), config::ConfigError);
  s = read("[device]\nx = 1\n");
  EXPECT_THROW(override_security(s, "", pub), config::ConfigError);
  // Nothing given: the table stays as it was (plaintext here).
  s = read("[device]\nx = 1\n");
  override_security(s, "", "");
  EXPECT_FALSE(s.enabled());
}

// Every device's config takes the table (and resolves it against its own
// folder); the shipped samples stay plaintext.
TEST_F(DeviceSecurityTest, EveryDeviceConfigReadsTheTable) {
  const std::string sec =
      "\n[security]\nkey_file = \"keys/kiosk-1.key\"\nengine_public_key_file = \"keys/engine.pub\"\n";
  const std::string want = dir_.path() + "/keys/kiosk-1.key";
  EXPECT_EQ(kiosk::load_kiosk_config(
                write("k.toml",
                      "[kiosk]\nhall = \"town\"\n[printer]\nkind = \"file\"\npath = \"spool.bin\"\n" + sec))
                .security.key_file,
            want);
  EXPECT_EQ(caller::load_caller_config(write("c.toml", "[caller]\nhall = \"town\"\nwindow = \"w1\"\n" + sec))
                .security.key_file,
            want);
  EXPECT_EQ(keypad::load_keypad_config(write("p.toml", "[keypad]\nhall = \"town\"\nwindow = \"w1\"\n" + sec))
                .security.key_file,
            want);
  const auto speaker = speaker::load_speaker_config(write("s.toml", "[speaker]\nhall = \"town\"\n" + sec));
  EXPECT_EQ(speaker.security.key_file, want);
  EXPECT_EQ(load_curve(speaker.security).curve.public_key, own_.public_key);
  // A mistake in the table is the device's config error with its line.
  try {
    (void)kiosk::load_kiosk_config(write("bad.toml",
                                         "[kiosk]\nhall = \"town\"\n[printer]\nkind = \"file\"\npath = "
                                         "\"spool.bin\"\n[security]\nkey_file = \"k.key\"\n"));
    ADD_FAILURE() << "accepted a table without the engine's key";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(
        std::string(e.what()).rfind(dir_.path() + "/bad.toml:6: security: missing engine_public_key_file", 0),
        0u)
        << e.what();
  }
  const std::string devices = std::string(HALLQ_SOURCE_DIR) + "/conf/devices/";
  EXPECT_FALSE(kiosk::load_kiosk_config(devices + "kiosk-town.toml").security.enabled());
  EXPECT_FALSE(caller::load_caller_config(devices + "caller-town-w1.toml").security.enabled());
  EXPECT_FALSE(keypad::load_keypad_config(devices + "keypad-w5.toml").security.enabled());
  EXPECT_FALSE(speaker::load_speaker_config(devices + "speaker-hall.toml").security.enabled());
}

}  // namespace
}  // namespace hallq::device
