// A voice turns a sentence (announcement_text.h) into audio. Two backends:
// EspeakVoice (speech synthesis, espeak_voice.h) and VoicePack (recorded
// clips, voice_pack.h).
//
// Thread: a voice is used by one thread at a time.
#pragma once

#include <string>
#include <vector>

#include "adapters/speaker/announcement_text.h"
#include "adapters/speaker/pcm.h"

namespace hallq::speaker {

class Voice {
 public:
  virtual ~Voice() = default;
  // The sentence spoken once. Parts the voice cannot say are left out (and
  // named by missing()).
  virtual Pcm speak(const Sentence& sentence) = 0;
  // The parts of `sentence` this voice cannot say (empty: all of it). Used at
  // start-up to refuse a template or a hall the voice cannot read.
  virtual std::vector<std::string> missing(const Sentence& sentence) const = 0;
  virtual int rate() const = 0;
};

}  // namespace hallq::speaker
