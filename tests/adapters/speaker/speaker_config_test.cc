// Speaker settings: the samples load, and broken files name the line.
#include "adapters/speaker/speaker_config.h"

#include <gtest/gtest.h>

#include "engine/config/config_loader.h"
#include "engine/config/toml_reader.h"

namespace hallq::speaker {
namespace {

const std::string kDir = std::string(HALLQ_SOURCE_DIR) + "/conf/devices/";

std::string error_of(const std::string& text) {
  try {
    parse_speaker_config(text, "sp.toml");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(SpeakerConfig, SamplesLoadAndFitTheTownHall) {
  const auto town = config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml");
  const SpeakerConfig hall = load_speaker_config(kDir + "speaker-hall.toml");
  EXPECT_EQ(hall.hall, "town");
  EXPECT_TRUE(hall.windows.empty());
  EXPECT_EQ(hall.voice, VoiceKind::kEspeak);
  EXPECT_EQ(hall.announcer.repeat, 2);
  EXPECT_FALSE(check_windows(hall, *town));
  const SpeakerConfig social = load_speaker_config(kDir + "speaker-social.toml");
  EXPECT_EQ(social.windows, (std::vector<std::string>{"w1", "w2", "w3"}));
  EXPECT_EQ(social.voice, VoiceKind::kPack);
  EXPECT_EQ(social.pack_dir, kDir + "voice-cmn");
  EXPECT_FALSE(check_windows(social, *town));
}

TEST(SpeakerConfig, BrokenFilesNameTheLine) {
  EXPECT_EQ(error_of("[speaker]\nhall = \"town\"\nrepeet = 2\n"),
            "sp.toml:3: unknown key \"repeet\" in [speaker] (did you mean \"repeat\"?)");
  EXPECT_EQ(error_of("[speaker]\nhall = \"town\"\nrepeat = 0\n"),
            "sp.toml:3: speaker.repeat: 0 is out of range 1..9");
  EXPECT_EQ(error_of("[speaker]\nhall = \"town\"\n\ntemplate = \"请{numbr}号\"\n"),
            "sp.toml:4: speaker.template: unknown placeholder {numbr} (use {number} and {window})");
  EXPECT_EQ(error_of("[speaker]\nhall = \"town\"\nzone = \"east\"\n"),
            "sp.toml:3: speaker.zone: no [[zone]] with id \"east\" in this file");
  EXPECT_EQ(error_of("[speaker]\nhall = \"town\"\nticket_reading = \"words\"\n"),
            "sp.toml:3: speaker.ticket_reading: \"words\" is not a reading (use \"digits\" or \"number\")");
  EXPECT_EQ(error_of("[speaker]\nhall = \"town\"\n[speaker.voice]\nkind = \"pack\"\n"),
            "sp.toml:4: speaker.voice.kind: a voice pack needs pack_dir");
  EXPECT_EQ(error_of("[speaker]\nhall = 5\n"), "sp.toml:2: speaker.hall: expected a string, got integer");
  EXPECT_EQ(error_of("[speaker]\nengine = \"x\"\n"), "sp.toml:1: missing required key \"hall\" in [speaker]");
  EXPECT_EQ(error_of("[speaker\nhall = 1\n").rfind("sp.toml:1: ", 0), 0u);
  EXPECT_EQ(error_of("[speaker]\nhall = \"town\"\nwindows = [\"w1\", 3]\n"),
            "sp.toml:3: speaker.windows: expected strings, got integer");
}

TEST(SpeakerConfig, UnknownWindowNamesItsLine) {
  const auto town = config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml");
  const SpeakerConfig c =
      parse_speaker_config("[speaker]\nhall = \"town\"\n\nwindows = [\"w1\", \"w99\"]\n", "sp.toml");
  EXPECT_EQ(check_windows(c, *town).value_or(""),
            "sp.toml:4: speaker.windows: hall \"town\" has no window \"w99\"");
}

}  // namespace
}  // namespace hallq::speaker
