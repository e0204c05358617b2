#include "adapters/speaker/chime.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace hallq::speaker {

Pcm make_chime(int rate, const ChimeOptions& o) {
  Pcm out{rate, {}};
  const int n = rate * o.tone_ms / 1000;
  const int attack = std::max(1, rate * 5 / 1000);
  for (double hz : {o.first_hz, o.second_hz}) {
    for (int i = 0; i < n; ++i) {
      const double t = static_cast<double>(i) / rate;
      const double env = std::min(1.0, static_cast<double>(i) / attack) * std::exp(-4.0 * i / n) *
                         std::min(1.0, static_cast<double>(n - i) / attack);
      const double wave =
          std::sin(2 * std::numbers::pi * hz * t) + 0.3 * std::sin(4 * std::numbers::pi * hz * t);
      out.samples.push_back(static_cast<std::int16_t>(std::lround(32767.0 * o.amplitude * env * wave / 1.3)));
    }
  }
  return out;
}

}  // namespace hallq::speaker
