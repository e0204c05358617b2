// WAV files (RIFF/WAVE, PCM) to and from Pcm. Writes mono 16-bit; reads PCM
// 8/16-bit, mono or stereo (mixed down), any rate. Errors (unreadable file,
// not a PCM WAV) are WavError naming the path.
// Stateless; any thread.
#pragma once

#include <stdexcept>
#include <string>

#include "adapters/speaker/pcm.h"

namespace hallq::speaker {

class WavError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `pcm` to `path` via a temporary file renamed into place, so a
// reader watching the directory never sees a half-written file.
void write_wav(const std::string& path, const Pcm& pcm);
Pcm read_wav(const std::string& path);

}  // namespace hallq::speaker
