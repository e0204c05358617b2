// Screen files: the shipped ones load; every mistake names its line.
#include "displays/screens/screen_config.h"

#include <gtest/gtest.h>

#include "engine/config/config_loader.h"

namespace hallq::display {
namespace {

const std::string kScreens = std::string(HALLQ_SOURCE_DIR) + "/conf/screens/";

TEST(ScreenConfigTest, ShippedScreensLoadAndFitTheTownHall) {
  auto town = config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml");
  struct Case {
    const char* file;
    ScreenKind kind;
    int w, h;
  };
  for (const Case& c : {Case{"town-hall-1080p.toml", ScreenKind::kHall, 1920, 1080},
                        Case{"town-hall-portrait.toml", ScreenKind::kHall, 1080, 1920},
                        Case{"town-hall-wall-2x2.toml", ScreenKind::kHall, 3840, 2160},
                        Case{"town-window-strips.toml", ScreenKind::kWindowStrips, 0, 0}}) {
    SCOPED_TRACE(c.file);
    const ScreenConfig s = load_screen_config(kScreens + c.file);
    EXPECT_EQ(s.kind, c.kind);
    EXPECT_EQ(s.hall, "town");
    EXPECT_NO_THROW(check_against(s, *town));
    const std::size_t panels = s.strip_windows(*town).size();
    if (c.w) {
      EXPECT_EQ(s.canvas_width(panels), c.w);
      EXPECT_EQ(s.canvas_height(panels), c.h);
      EXPECT_EQ(s.notice.lines.size(), 4u);
    } else {
      EXPECT_EQ(panels, 12u);
      EXPECT_EQ(s.canvas_width(panels), 12 + 2 * (128 * 4 + 12));
      EXPECT_EQ(s.canvas_height(panels), 12 + 6 * (32 * 4 + 12));
    }
  }
}

std::string error_of(const std::string& text) {
  try {
    parse_screen_config(text, "conf/screens/x.toml");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ScreenConfigTest, MistakesNameTheLine) {
  const std::string head = "[screen]\nhall = \"town\"\nhall_config = \"../town.toml\"\n";
  EXPECT_EQ(
      error_of(head + "widht = 3\n"),
      "conf/screens/x.toml:4: unknown key \"widht\" in [screen] (known: kind, hall, hall_config, engine, "
      "events, title, width, height, x, y, fullscreen, borderless, fps, font, font_face)");
  EXPECT_EQ(error_of(head + "width = \"big\"\n"), "conf/screens/x.toml:4: screen.width: expected an integer");
  EXPECT_EQ(error_of(head + "\n\nfps = 0\n"), "conf/screens/x.toml:6: screen.fps: 0 is out of range 1..240");
  EXPECT_EQ(error_of(head + "kind = \"tv\"\n"),
            "conf/screens/x.toml:4: screen.kind: \"tv\" is not one of hall, window_strips");
  EXPECT_EQ(error_of(head + "[notice]\nlines = [\"a\", 3]\n"),
            "conf/screens/x.toml:5: notice.lines: expected an array of strings");
  EXPECT_EQ(error_of(head + "[led]\ncolors = \"rgb\"\n"),
            "conf/screens/x.toml:5: led.colors: \"rgb\" is not one of single, dual");
  EXPECT_EQ(error_of("[screen]\nhall_config = \"a.toml\"\n"),
            "conf/screens/x.toml:1: missing required key \"hall\" in [screen]");
  EXPECT_NE(error_of(head + "width = \n").find("conf/screens/x.toml:4: "), std::string::npos);  // TOML syntax
  EXPECT_EQ(error_of(head + "[speaker]\n"),
            "conf/screens/x.toml:4: unknown top-level key \"speaker\" (known: screen, wall, calls, notice, "
            "led, checkin, security)");
  EXPECT_EQ(error_of(head + "kind = \"window_strips\"\n"),
            "conf/screens/x.toml:1: missing required section [led] for screen.kind = \"window_strips\"");
}

// [checkin]: the check-in QR code's URL (with {token}) and the ticket
// secret's path from the screen file's folder; a hall screen only.
TEST(ScreenConfigTest, CheckinTableNamesTheUrlAndTheSecret) {
  const std::string head = "[screen]\nhall = \"town\"\nhall_config = \"../town.toml\"\n";
  EXPECT_FALSE(parse_screen_config(head, "conf/screens/x.toml").checkin.enabled());
  const ScreenConfig s = parse_screen_config(
      head +
          "[checkin]\nurl = \"https://q.example.gov.cn/c/{hall}?k={token}\"\nticket_secret = "
          "\"../keys/t.secret\"\n",
      "conf/screens/x.toml");
  EXPECT_TRUE(s.checkin.enabled());
  EXPECT_EQ(s.checkin.url, "https://q.example.gov.cn/c/{hall}?k={token}");
  EXPECT_EQ(s.checkin.ticket_secret, "conf/keys/t.secret");
  EXPECT_EQ(s.checkin.caption, "扫码签到（网上取号）");
  EXPECT_EQ(error_of(head + "[checkin]\nurl = \"https://q.example.gov.cn/c/town\"\nticket_secret = \"t\"\n"),
            "conf/screens/x.toml:5: checkin.url: the check-in URL must carry \"{token}\" (e.g. "
            "https://q.example.gov.cn/c/{hall}?k={token})");
  EXPECT_EQ(error_of(head + "[checkin]\nurl = \"https://x/{token}\"\n"),
            "conf/screens/x.toml:4: missing required key \"ticket_secret\" in [checkin]");
  EXPECT_NE(error_of(head + "kind = \"window_strips\"\n[led]\n[checkin]\nurl = \"https://x/{token}\"\n"
                            "ticket_secret = \"t\"\n")
                .find("[checkin] is shown on a hall screen only"),
            std::string::npos);
}

// [security] is the table every device reads (engine/device/device_security.h):
// paths from the screen file's folder, mistakes with the screen file's line.
TEST(ScreenConfigTest, SecurityTableIsReadLikeEveryDevice) {
  const std::string head = "[screen]\nhall = \"town\"\nhall_config = \"../town.toml\"\n";
  const ScreenConfig plain = parse_screen_config(head, "conf/screens/x.toml");
  EXPECT_FALSE(plain.security.enabled());
  const ScreenConfig s =
      parse_screen_config(head +
                              "[security]\nkey_file = \"keys/screen-1.key\"\nengine_public_key_file = "
                              "\"/etc/hallq/engine.pub\"\n",
                          "conf/screens/x.toml");
  EXPECT_TRUE(s.security.enabled());
  EXPECT_EQ(s.security.key_file, "conf/screens/keys/screen-1.key");
  EXPECT_EQ(s.security.key_file_line, 5u);
  EXPECT_EQ(s.security.engine_public_key_file, "/etc/hallq/engine.pub");
  EXPECT_EQ(
      error_of(head + "[security]\nkey_file = \"k.key\"\n"),
      "conf/screens/x.toml:4: security: missing engine_public_key_file or engine_public_key (the engine's "
      "public key, engine.pub)");
  EXPECT_EQ(
      error_of(head + "[security]\nkey_file = \"k.key\"\nengine_public_key = \"short\"\n"),
      "conf/screens/x.toml:6: security.engine_public_key: must be 40 characters of Z85 (got 5 characters); "
      "for a file use engine_public_key_file");
  EXPECT_EQ(error_of(head + "[security]\nkey = \"k.key\"\n"),
            "conf/screens/x.toml:5: unknown key \"key\" in [security]");
  for (const char* f : {"town-hall-1080p.toml", "town-hall-portrait.toml", "town-hall-wall-2x2.toml",
                        "town-window-strips.toml"})
    EXPECT_FALSE(load_screen_config(kScreens + f).security.enabled()) << f;  // the demo runs without keys
}

TEST(ScreenConfigTest, UnknownHallOrWindowIsAnError) {
  auto town = config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml");
  ScreenConfig s = parse_screen_config(
      "[screen]\nkind = \"window_strips\"\nhall = \"twon\"\nhall_config = \"../town.toml\"\n[led]\nwindows = "
      "[\"w1\", "
      "\"w13\"]\n",
      "conf/screens/x.toml");
  EXPECT_EQ(s.hall_config, "conf/town.toml");  // relative to the screen file
  try {
    check_against(s, *town);
    FAIL();
  } catch (const config::ConfigError& e) {
    EXPECT_STREQ(
        e.what(),
        "conf/screens/x.toml:3: screen.hall: unknown hall \"twon\" (conf/town.toml is hall \"town\")");
  }
  s.hall = "town";
  try {
    check_against(s, *town);
    FAIL();
  } catch (const config::ConfigError& e) {
    EXPECT_STREQ(e.what(), "conf/screens/x.toml:6: led.windows: unknown window \"w13\" in hall \"town\"");
  }
}

}  // namespace
}  // namespace hallq::display
