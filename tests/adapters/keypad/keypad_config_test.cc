// Keypad settings: samples load, broken files name the line.
#include "adapters/keypad/keypad_config.h"

#include <gtest/gtest.h>

#include "engine/config/config_loader.h"
#include "engine/config/toml_reader.h"

namespace hallq::keypad {
namespace {

const std::string kDir = std::string(HALLQ_SOURCE_DIR) + "/conf/devices/";

std::string error_of(const std::string& text) {
  try {
    parse_keypad_config(text, "kp.toml");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(KeypadConfig, ReasonKeysDefaultAndConfigured) {
  using Kind = ReasonKey::Kind;
  const KeypadConfig d = parse_keypad_config("[keypad]\nhall = \"town\"\nwindow = \"w5\"\n", "kp.toml");
  EXPECT_EQ(d.rating.reasons, std::chrono::seconds(20));
  EXPECT_EQ(d.reason_key("3").kind, Kind::kToggle);
  EXPECT_EQ(d.reason_key("Keypad 7").n, 7);
  EXPECT_EQ(d.reason_key("KP_9").n, 9);
  EXPECT_EQ(d.reason_key("#").kind, Kind::kConfirm);
  EXPECT_EQ(d.reason_key("Keypad Enter").kind, Kind::kConfirm);
  EXPECT_EQ(d.reason_key("0").kind, Kind::kSkip);
  EXPECT_EQ(d.reason_key("Escape").kind, Kind::kSkip);
  EXPECT_EQ(d.reason_key("A").kind, Kind::kNone);
  EXPECT_EQ(d.reason_key("33").kind, Kind::kNone);
  const KeypadConfig c = parse_keypad_config(
      "[keypad]\nhall = \"town\"\nwindow = \"w5\"\nreasons_timeout_s = 45\nconfirm_keys = [\"F1\"]\n"
      "skip_keys = [\"F2\"]\n",
      "kp.toml");
  EXPECT_EQ(c.rating.reasons, std::chrono::seconds(45));
  EXPECT_EQ(c.reason_key("F1").kind, Kind::kConfirm);
  EXPECT_EQ(c.reason_key("F2").kind, Kind::kSkip);
  EXPECT_EQ(c.reason_key("#").kind, Kind::kNone);
  EXPECT_EQ(c.reason_key("0").kind, Kind::kNone) << "0 is not a reason's number";
  EXPECT_NE(error_of("[keypad]\nhall = \"town\"\nwindow = \"w5\"\nreasons_timeout_s = 0\n").find("kp.toml:4"),
            std::string::npos);
}

TEST(KeypadConfig, SamplesLoadAndFitTheTownHall) {
  const auto town = config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml");
  const KeypadConfig w5 = load_keypad_config(kDir + "keypad-w5.toml");
  EXPECT_EQ(w5.window, "w5");
  EXPECT_EQ(w5.rating.timeout, std::chrono::seconds(30));
  EXPECT_EQ(w5.input, InputKind::kStdin);
  EXPECT_EQ(w5.level_of("A"), 5);
  EXPECT_EQ(w5.level_of("KP_2"), 2);
  EXPECT_EQ(w5.level_of("Keypad 3"), 3);
  EXPECT_EQ(w5.level_of("Z"), 0);
  EXPECT_FALSE(check_window(w5, *town));
  EXPECT_EQ(w5.key_label(5), "5");
  EXPECT_EQ(w5.key_label(1), "1");
  const KeypadConfig window = load_keypad_config(kDir + "keypad-w5-window.toml");
  EXPECT_EQ(window.input, InputKind::kSdl);
  EXPECT_EQ(window.width, 800);
  EXPECT_EQ(window.height, 480);
  EXPECT_EQ(window.level_of("Keypad 4"), 4);
  EXPECT_FALSE(
      check_window(window, *config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/district.toml")));
  EXPECT_EQ(error_of("[keypad]\nhall = \"town\"\nwindow = \"w5\"\nwidth = 10\n"),
            "kp.toml:4: keypad.width: 10 is out of range 160..7680");
  const KeypadConfig w1 = load_keypad_config(kDir + "keypad-w1-serial.toml");
  EXPECT_EQ(w1.input, InputKind::kSerial);
  EXPECT_EQ(w1.serial_device, "/dev/ttyUSB0");
  EXPECT_FALSE(check_window(w1, *town));
}

TEST(KeypadConfig, BrokenFilesNameTheLine) {
  EXPECT_EQ(error_of("[keypad]\nhall = \"town\"\nwindow = \"w1\"\ntimeout = 5\n"),
            "kp.toml:4: unknown key \"timeout\" in [keypad] (did you mean \"timeout_s\"?)");
  EXPECT_EQ(error_of("[keypad]\nhall = \"town\"\n"),
            "kp.toml:1: missing required key \"window\" in [keypad]");
  EXPECT_EQ(error_of("[keypad]\nhall = \"town\"\nwindow = \"w1\"\ninput = \"serial\"\n"),
            "kp.toml:4: keypad.input: a serial input needs serial_device");
  EXPECT_EQ(error_of("[keypad]\nhall = \"town\"\nwindow = \"w1\"\nbaud = 9601\n"),
            "kp.toml:4: keypad.baud: 9601 is not a standard rate (1200 ... 115200)");
  EXPECT_EQ(error_of("[keypad]\nhall = \"town\"\nwindow = \"w1\"\n[keypad.keys]\n\"A\" = 7\n"),
            "kp.toml:5: keypad.keys.A: 7 is out of range 1..5");
  EXPECT_EQ(error_of("[keypad]\nhall = \"town\"\nwindow = \"w1\"\nserial_encoding = \"gb2312\"\n"),
            "kp.toml:4: keypad.serial_encoding: \"gb2312\" is not an encoding (use \"utf-8\" or \"gbk\")");
  EXPECT_EQ(parse_keypad_config("[keypad]\nhall = \"t\"\nwindow = \"w1\"\n", "kp.toml").serial_encoding,
            Encoding::kUtf8);
  EXPECT_EQ(
      parse_keypad_config("[keypad]\nhall = \"t\"\nwindow = \"w1\"\nserial_encoding = \"GBK\"\n", "kp.toml")
          .serial_encoding,
      Encoding::kGbk);
  const auto town = config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml");
  const KeypadConfig c = parse_keypad_config("[keypad]\nhall = \"town\"\n\nwindow = \"w50\"\n", "kp.toml");
  EXPECT_EQ(check_window(c, *town).value_or(""),
            "kp.toml:4: keypad.window: hall \"town\" has no window \"w50\"");
}

}  // namespace
}  // namespace hallq::keypad
