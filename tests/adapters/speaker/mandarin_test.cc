// The voice speaks Mandarin: every announcement the shipped speakers can make
// (each template, with every letter, every digit and window numbers 1-99),
// and every clip of a voice pack made with --make-pack, is read by espeak-ng
// without a switch to another language. The judge is the espeak-ng program's
// own phoneme listing (`espeak-ng -v VOICE -q -x TEXT`), which marks a
// language switch as "(en)" ... "(cmn)": with Debian 12's `cmn` voice, 零 is
// read `ling2` and its tone digit in English (espeak-ng #1028, #1044).
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "adapters/speaker/announcement_text.h"
#include "adapters/speaker/espeak_voice.h"
#include "adapters/speaker/speaker_config.h"
#include "adapters/speaker/voice_pack.h"
#include "adapters/speaker/voice_pack_maker.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::speaker {
namespace {

const std::string kSource = HALLQ_SOURCE_DIR;
const std::string kEspeak = "/usr/bin/espeak-ng";

// What espeak-ng says it will pronounce for `text` with `voice`.
std::string phonemes(const std::string& voice, const std::string& text) {
  const testing::RunResult r = testing::run_program(kEspeak, {"-v", voice, "-q", "-x", text});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// A language switch in espeak's listing: "(en)", "(cmn)", "(zh)" ...
bool switches_language(const std::string& listing) {
  static const std::regex kSwitch(R"(\([a-z]{2,3}(-[a-zA-Z]+)*\))");
  return std::regex_search(listing, kSwitch);
}

class MandarinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kEspeak))
      GTEST_SKIP() << "espeak-ng program missing (tools/install-deps.sh)";
  }
};

// The check can fail: the voice Debian names `cmn` switches to English on the
// sentence the hall heard.
TEST_F(MandarinTest, TheCheckSeesTheEnglishOfDebiansCmnVoice) {
  const std::string listing = phonemes("cmn", "请 A 零 零 四 号到 一 号窗口办理");
  EXPECT_TRUE(switches_language(listing)) << listing;
  EXPECT_NE(listing.find("(en)"), std::string::npos) << listing;
}

TEST_F(MandarinTest, ConfiguredCmnMeansTheMandarinVoice) {
  EXPECT_EQ(mandarin_voice_name("cmn"), "cmn-latn-pinyin");
  EXPECT_EQ(mandarin_voice_name("zh"), "cmn-latn-pinyin");
  EXPECT_EQ(mandarin_voice_name("yue"), "yue");
  EXPECT_EQ(EspeakOptions{}.voice, "cmn-latn-pinyin");
}

// Every template of every shipped speaker config that speaks with espeak,
// with every letter, every digit, Chinese numbers up to the thousands and
// window numbers 1-99, in both readings.
TEST_F(MandarinTest, EveryAnnouncementOfTheShippedSpeakersIsMandarin) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSource + "/conf/devices")) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("speaker-") || entry.path().extension() != ".toml") continue;
    const SpeakerConfig config = load_speaker_config(entry.path().string());
    if (config.voice != VoiceKind::kEspeak) continue;  // packs: AVoicePackMadeByDefaultIsMandarin
    const std::string voice = mandarin_voice_name(config.espeak.voice);
    std::vector<std::string> tickets;
    for (char c = 'A'; c <= 'Z'; ++c) tickets.push_back(std::string(1, c) + "0123456789");
    for (const char* t : {"A1", "A10", "A12", "A20", "A200", "A1005", "A2222", "B9999"})
      tickets.emplace_back(t);
    // Sentences in batches: one espeak run each would take long; a batch is
    // still short enough to read in a failure message.
    std::vector<std::string> texts;
    for (const AnnouncementTemplate* t :
         {&config.announcer.call_template, &config.announcer.recall_template}) {
      for (NumberReading reading : {NumberReading::kDigits, NumberReading::kNumber}) {
        ReadingOptions o = config.announcer.reading;
        o.ticket = o.window = reading;
        for (std::size_t i = 0; i < tickets.size(); ++i)
          texts.push_back(espeak_text(t->expand(tickets[i], static_cast<int>(i % 99) + 1, o)));
        for (int window = 1; window <= 99; ++window)
          texts.push_back(espeak_text(t->expand("A001", window, o)));
      }
    }
    for (std::size_t i = 0; i < texts.size(); i += 24) {
      std::string batch;
      for (std::size_t j = i; j < std::min(texts.size(), i + 24); ++j) batch += texts[j] + "。";
      const std::string listing = phonemes(voice, batch);
      EXPECT_FALSE(switches_language(listing)) << name << " (voice " << voice << "): " << batch << "\n"
                                               << listing;
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
}

// A pack made with --make-pack's defaults says which voice made it, and each
// clip's text is Mandarin in that voice.
TEST_F(MandarinTest, AVoicePackMadeByDefaultIsMandarin) {
  testing::TempDir dir;
  {
    EspeakVoice voice;
    make_voice_pack(dir.path(), voice, default_vocabulary());
  }
  const toml::table manifest = toml::parse_file(dir.path() + "/manifest.toml");
  const std::string voice = manifest["pack"]["voice"].value_or(std::string());
  ASSERT_EQ(voice, "cmn-latn-pinyin");
  std::size_t clips = 0;
  for (const auto& [token, file] : *manifest["clips"].as_table()) {
    const std::string listing = phonemes(voice, std::string(token.str()));
    EXPECT_FALSE(switches_language(listing)) << token.str() << ": " << listing;
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/" + *file.value<std::string>()));
    ++clips;
  }
  EXPECT_EQ(clips, default_vocabulary().size());
}

}  // namespace
}  // namespace hallq::speaker
