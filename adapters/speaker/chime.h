// The chime before an announcement: a two-tone 叮咚 (ding-dong), each tone a
// sine with its octave partial, a 5 ms attack and an exponential decay, so it
// starts and ends without clicks. Pure; any thread.
#pragma once

#include "adapters/speaker/pcm.h"

namespace hallq::speaker {

struct ChimeOptions {
  double first_hz = 659.25;   // E5
  double second_hz = 523.25;  // C5
  int tone_ms = 450;
  double amplitude = 0.45;  // of full scale
};

Pcm make_chime(int rate, const ChimeOptions& options = {});

}  // namespace hallq::speaker
