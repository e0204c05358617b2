// Speech synthesis with the espeak-ng library (no shell-out): synchronous
// mode, samples collected from the synth callback (16-bit mono, 22050 Hz).
//
// espeak-ng keeps global state and is not thread-safe: at most one
// EspeakVoice may exist at a time in a process (the library is initialised
// once and kept), used by one thread at a time (the
// speaker's synthesis thread). Construction throws std::runtime_error when
// the library or the voice cannot be initialised.
#pragma once

#include <string>

#include "adapters/speaker/voice.h"

namespace hallq::speaker {

struct EspeakOptions {
  std::string voice = "cmn";  // espeak-ng voice name (Mandarin)
  int rate_wpm = 150;         // speaking rate, words per minute (80..450)
  int pitch = 50;             // 0..100
};

class EspeakVoice final : public Voice {
 public:
  explicit EspeakVoice(const EspeakOptions& options = {});
  ~EspeakVoice() override;
  EspeakVoice(const EspeakVoice&) = delete;
  EspeakVoice& operator=(const EspeakVoice&) = delete;

  Pcm speak(const Sentence& sentence) override;
  // Synthesizes plain text.
  Pcm speak_text(const std::string& text);
  std::vector<std::string> missing(const Sentence&) const override { return {}; }
  int rate() const override { return rate_; }

 private:
  int rate_ = 22050;
};

}  // namespace hallq::speaker
