#include "adapters/speaker/pcm.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace hallq::speaker {

Pcm resample(const Pcm& src, int rate) {
  if (src.rate == rate || src.samples.empty()) return Pcm{rate, src.samples};
  Pcm out{rate, {}};
  const double step = static_cast<double>(src.rate) / rate;
  const std::size_t n = static_cast<std::size_t>(static_cast<double>(src.samples.size()) / step);
  out.samples.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double pos = static_cast<double>(i) * step;
    const std::size_t k = static_cast<std::size_t>(pos);
    const double frac = pos - static_cast<double>(k);
    const double a = src.samples[k];
    const double b = k + 1 < src.samples.size() ? src.samples[k + 1] : a;
    out.samples.push_back(static_cast<std::int16_t>(std::lround(a + (b - a) * frac)));
  }
  return out;
}

void append(Pcm& dst, const Pcm& src) {
  if (src.rate == dst.rate) {
    dst.samples.insert(dst.samples.end(), src.samples.begin(), src.samples.end());
    return;
  }
  const Pcm converted = resample(src, dst.rate);
  dst.samples.insert(dst.samples.end(), converted.samples.begin(), converted.samples.end());
}

void append_silence(Pcm& dst, int milliseconds) {
  if (milliseconds <= 0) return;
  dst.samples.resize(dst.samples.size() + static_cast<std::size_t>(dst.rate) * milliseconds / 1000, 0);
}

void trim_silence(Pcm& pcm, int threshold, int keep_ms) {
  auto loud = [&](std::int16_t s) { return std::abs(static_cast<int>(s)) >= threshold; };
  auto first = std::find_if(pcm.samples.begin(), pcm.samples.end(), loud);
  if (first == pcm.samples.end()) {
    pcm.samples.clear();
    return;
  }
  auto last = std::find_if(pcm.samples.rbegin(), pcm.samples.rend(), loud).base();
  const std::ptrdiff_t keep = static_cast<std::ptrdiff_t>(pcm.rate) * keep_ms / 1000;
  const std::ptrdiff_t begin = std::max<std::ptrdiff_t>(0, (first - pcm.samples.begin()) - keep);
  const std::ptrdiff_t end = std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(pcm.samples.size()),
                                                      (last - pcm.samples.begin()) + keep);
  pcm.samples = std::vector<std::int16_t>(pcm.samples.begin() + begin, pcm.samples.begin() + end);
}

double rms(const Pcm& pcm, std::size_t begin, std::size_t end) {
  end = std::min(end, pcm.samples.size());
  if (begin >= end) return 0;
  double sum = 0;
  for (std::size_t i = begin; i < end; ++i) sum += static_cast<double>(pcm.samples[i]) * pcm.samples[i];
  return std::sqrt(sum / static_cast<double>(end - begin));
}

void scale(Pcm& pcm, double gain) {
  if (gain == 1.0) return;
  for (auto& s : pcm.samples)
    s = static_cast<std::int16_t>(std::clamp(std::lround(s * gain), -32768L, 32767L));
}

}  // namespace hallq::speaker
