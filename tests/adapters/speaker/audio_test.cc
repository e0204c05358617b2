// Real audio: WAV files, the chime, espeak-ng's Mandarin voice, a voice pack
// generated with espeak-ng, and whole announcements: length, non-silence.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "adapters/speaker/announcer.h"
#include "adapters/speaker/chime.h"
#include "adapters/speaker/espeak_voice.h"
#include "adapters/speaker/voice_pack.h"
#include "adapters/speaker/voice_pack_maker.h"
#include "adapters/speaker/wav_file.h"
#include "tests/support/temp_dir.h"

namespace hallq::speaker {
namespace {

TEST(Wav, RoundTripAndConversion) {
  testing::TempDir dir("speaker-wav");
  Pcm pcm{16000, {}};
  for (int i = 0; i < 1600; ++i) pcm.samples.push_back(static_cast<std::int16_t>((i % 100) * 300 - 15000));
  const std::string path = dir.path() + "/a.wav";
  write_wav(path, pcm);
  EXPECT_EQ(std::filesystem::file_size(path), 44u + 3200u);
  const Pcm back = read_wav(path);
  EXPECT_EQ(back.rate, 16000);
  EXPECT_EQ(back.samples, pcm.samples);
  const Pcm up = resample(back, 22050);
  EXPECT_NEAR(up.seconds(), 0.1, 0.001);
  EXPECT_NEAR(rms(up), rms(back), rms(back) * 0.05);

  std::ofstream(dir.path() + "/bad.wav") << "RIFF....WAVEjunk";
  EXPECT_THROW(read_wav(dir.path() + "/bad.wav"), WavError);
  EXPECT_THROW(read_wav(dir.path() + "/none.wav"), WavError);
}

TEST(Chime, TwoTonesStartAndEndQuietly) {
  const Pcm c = make_chime(22050);
  EXPECT_NEAR(c.seconds(), 0.9, 0.01);
  EXPECT_GT(rms(c), 2000);
  EXPECT_LT(std::abs(c.samples.front()), 200);
  EXPECT_LT(std::abs(c.samples.back()), 200);
  // Both halves sound.
  EXPECT_GT(rms(c, 0, c.samples.size() / 2), 1500);
  EXPECT_GT(rms(c, c.samples.size() / 2), 1500);
}

TEST(Espeak, MandarinSentenceIsRealSpeech) {
  EspeakVoice voice;
  EXPECT_EQ(voice.rate(), 22050);
  AnnouncementTemplate t("请{number}号到{window}号窗口办理");
  const Pcm short_one = voice.speak(t.expand("A012", 5, {}));
  // 13 syllables at 150 wpm: about 3-5 s.
  EXPECT_GT(short_one.seconds(), 2.0);
  EXPECT_LT(short_one.seconds(), 7.0);
  EXPECT_GT(rms(short_one), 1000);
  ReadingOptions as_number;
  as_number.ticket = NumberReading::kNumber;
  const Pcm shorter = voice.speak(t.expand("A012", 5, as_number));  // 十二 instead of 零一二
  EXPECT_LT(shorter.seconds(), short_one.seconds());
  EXPECT_THROW(EspeakVoice second, std::runtime_error);  // one per process
}

TEST(VoicePackTest, GeneratedPackSpeaksAndNamesWhatItLacks) {
  testing::TempDir dir("speaker-pack");
  {
    EspeakVoice espeak;
    make_voice_pack(dir.path(), espeak, default_vocabulary());
  }
  VoicePack pack = VoicePack::load(dir.path());
  EXPECT_EQ(pack.size(), default_vocabulary().size());
  AnnouncementTemplate t("请{number}号到{window}号窗口办理");
  const Sentence s = t.expand("B105", 12, {});
  EXPECT_TRUE(pack.missing(s).empty());
  const Pcm pcm = pack.speak(s);
  EXPECT_GT(pcm.seconds(), 2.0);
  EXPECT_LT(pcm.seconds(), 8.0);
  EXPECT_GT(rms(pcm), 1000);
  // Order: the clips follow each other as in the sentence: the first clip is 请.
  const Pcm qing = [&] {
    Pcm p = read_wav(dir.path() + "/请.wav");
    trim_silence(p);
    return p;
  }();
  ASSERT_GT(pcm.samples.size(), qing.samples.size());
  EXPECT_TRUE(std::equal(qing.samples.begin(), qing.samples.end(), pcm.samples.begin()));

  const auto missing =
      pack.missing(AnnouncementTemplate("请{number}号到{window}号窗口取件").expand("A001", 1, {}));
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0], "取");
  EXPECT_EQ(missing[1], "件");

  // Without a manifest every WAV is a clip named by its stem.
  std::filesystem::remove(dir.path() + "/manifest.toml");
  EXPECT_EQ(VoicePack::load(dir.path()).size(), default_vocabulary().size());
  std::ofstream(dir.path() + "/manifest.toml") << "[clips]\n\"请\" = 5\n";
  try {
    VoicePack::load(dir.path());
    FAIL() << "a broken manifest was accepted";
  } catch (const VoicePackError& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.toml:2:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(VoicePack::load(dir.path() + "/nowhere"), VoicePackError);
}

TEST(AnnouncerTest, ChimeThenSentenceRepeated) {
  testing::TempDir dir("speaker-pack");
  {
    EspeakVoice espeak;
    make_voice_pack(dir.path(), espeak, default_vocabulary());
  }
  VoicePack pack = VoicePack::load(dir.path());
  AnnouncerOptions options;
  options.repeat = 3;
  options.gap_ms = 500;
  Announcer announcer(pack, options);
  Announcement a;
  a.number = "A012";
  a.window_number = 5;
  const Pcm speech = pack.speak(announcer.sentence(a));
  const Pcm all = announcer.render(a);
  const double expected = make_chime(22050).seconds() + 0.5 + 3 * speech.seconds() + 2 * 0.5 + 0.1;
  EXPECT_NEAR(all.seconds(), expected, 0.01);
  // The chime comes first, then silence, then speech.
  const std::size_t chime_end = make_chime(22050).samples.size();
  EXPECT_GT(rms(all, 0, chime_end), 1500);
  EXPECT_EQ(rms(all, chime_end, chime_end + 22050 / 2), 0);
  EXPECT_GT(rms(all, chime_end + 22050 / 2), 1000);
}

}  // namespace
}  // namespace hallq::speaker
