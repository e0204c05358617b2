// Mono 16-bit PCM audio in memory and the few operations announcements need:
// concatenation (with rate conversion), silence, trimming, RMS.
// Plain values; any thread.
#pragma once

#include <cstdint>
#include <vector>

namespace hallq::speaker {

struct Pcm {
  int rate = 22050;                   // samples per second
  std::vector<std::int16_t> samples;  // mono

  double seconds() const { return rate > 0 ? static_cast<double>(samples.size()) / rate : 0; }
};

// `src` converted to `rate` (linear interpolation; a copy when equal).
Pcm resample(const Pcm& src, int rate);
// Appends `src` to `dst`, converted to dst's rate.
void append(Pcm& dst, const Pcm& src);
void append_silence(Pcm& dst, int milliseconds);
// Removes leading and trailing samples quieter than `threshold`, keeping
// `keep_ms` of them at each end.
void trim_silence(Pcm& pcm, int threshold = 300, int keep_ms = 10);
// Root mean square of samples [begin, end) (the whole buffer by default).
double rms(const Pcm& pcm, std::size_t begin = 0, std::size_t end = SIZE_MAX);
// Multiplies by `gain`, clipping to the 16-bit range.
void scale(Pcm& pcm, double gain);

}  // namespace hallq::speaker
