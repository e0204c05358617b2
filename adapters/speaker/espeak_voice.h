// Speech synthesis with the espeak-ng library (no shell-out): synchronous
// mode, samples collected from the synth callback (16-bit mono, 22050 Hz).
//
// espeak-ng keeps global state and is not thread-safe: at most one
// EspeakVoice may exist at a time in a process (the library is initialised
// once and kept), used by one thread at a time (the
// speaker's synthesis thread). Construction throws std::runtime_error when
// the library or the voice cannot be initialised.
//
// The voice is Mandarin through and through: Debian 12's espeak-ng 1.51
// voice `cmn` ("latin as English") turns 零 into the pinyin `ling2` and then
// reads the tone digit and Latin letters in English (espeak-ng issues #1028,
// #1044; `espeak-ng -v cmn -q -x` shows the "(en)" switches). `cmn-latn-pinyin`
// reads the same characters, and letters the way Chinese halls say them
// (A 诶, B 比, W 达不溜 ...), with Mandarin phonemes only; it is the default,
// and a configured `cmn` (or `zh`, `zh-cmn`) means it (mandarin_voice_name).
#pragma once

#include <string>
#include <string_view>

#include "adapters/speaker/voice.h"

namespace hallq::speaker {

inline constexpr const char* kMandarinVoice = "cmn-latn-pinyin";

// The espeak-ng voice to use for `configured`: the Mandarin voice for the
// names that select 1.51's English-switching `cmn`, any other name as given.
std::string mandarin_voice_name(std::string_view configured);

// The text espeak is given for `sentence`: reading tokens separated by spaces
// so that letters are spoken one by one ("A 0 1 2", not a word "A零");
// literal template text stays as written.
std::string espeak_text(const Sentence& sentence);

struct EspeakOptions {
  std::string voice = kMandarinVoice;  // espeak-ng voice name
  int rate_wpm = 150;                  // speaking rate, words per minute (80..450)
  int pitch = 50;                      // 0..100
};

class EspeakVoice final : public Voice {
 public:
  explicit EspeakVoice(const EspeakOptions& options = {});
  ~EspeakVoice() override;
  EspeakVoice(const EspeakVoice&) = delete;
  EspeakVoice& operator=(const EspeakVoice&) = delete;

  Pcm speak(const Sentence& sentence) override;
  const std::string& voice_name() const { return voice_name_; }
  // Synthesizes plain text.
  Pcm speak_text(const std::string& text);
  std::vector<std::string> missing(const Sentence&) const override { return {}; }
  int rate() const override { return rate_; }

 private:
  int rate_ = 22050;
  std::string voice_name_;
};

}  // namespace hallq::speaker
