#include "adapters/speaker/wav_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace hallq::speaker {
namespace {

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>(v >> 8);
}
void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
std::uint32_t get32(const std::vector<char>& b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}
std::uint16_t get16(const std::vector<char>& b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1])
                                                                            << 8);
}

}  // namespace

void write_wav(const std::string& path, const Pcm& pcm) {
  const std::uint32_t data_bytes = static_cast<std::uint32_t>(pcm.samples.size() * 2);
  std::string out;
  out.reserve(44 + data_bytes);
  out += "RIFF";
  put32(out, 36 + data_bytes);
  out += "WAVEfmt ";
  put32(out, 16);
  put16(out, 1);  // PCM
  put16(out, 1);  // mono
  put32(out, static_cast<std::uint32_t>(pcm.rate));
  put32(out, static_cast<std::uint32_t>(pcm.rate) * 2);
  put16(out, 2);
  put16(out, 16);
  out += "data";
  put32(out, data_bytes);
  for (std::int16_t s : pcm.samples) put16(out, static_cast<std::uint16_t>(s));

  const std::string tmp = path + ".part";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw WavError(fmt::format("{}: cannot write: {}", tmp, std::strerror(errno)));
  const bool ok = std::fwrite(out.data(), 1, out.size(), f) == out.size();
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed) throw WavError(fmt::format("{}: cannot write: {}", tmp, std::strerror(errno)));
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw WavError(fmt::format("{}: cannot rename into place: {}", path, std::strerror(errno)));
}

Pcm read_wav(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw WavError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  const std::vector<char> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0 || std::memcmp(b.data() + 8, "WAVE", 4) != 0)
    throw WavError(fmt::format("{}: not a RIFF/WAVE file", path));
  int channels = 0, bits = 0;
  std::uint32_t rate = 0;
  for (std::size_t at = 12; at + 8 <= b.size();) {
    const std::uint32_t size = get32(b, at + 4);
    const std::size_t body = at + 8;
    if (size > b.size() - body) throw WavError(fmt::format("{}: truncated chunk", path));
    if (std::memcmp(b.data() + at, "fmt ", 4) == 0 && size >= 16) {
      if (get16(b, body) != 1) throw WavError(fmt::format("{}: not PCM (format {})", path, get16(b, body)));
      channels = get16(b, body + 2);
      rate = get32(b, body + 4);
      bits = get16(b, body + 14);
    } else if (std::memcmp(b.data() + at, "data", 4) == 0) {
      if (channels < 1 || channels > 2 || (bits != 8 && bits != 16) || rate < 1000 || rate > 192000)
        throw WavError(
            fmt::format("{}: unsupported format ({} channels, {} bits, {} Hz)", path, channels, bits, rate));
      Pcm pcm{static_cast<int>(rate), {}};
      const std::size_t frame = static_cast<std::size_t>(channels * bits / 8);
      pcm.samples.reserve(size / frame);
      for (std::size_t f = body; f + frame <= body + size; f += frame) {
        int sum = 0;
        for (int c = 0; c < channels; ++c) {
          sum += bits == 16 ? static_cast<std::int16_t>(get16(b, f + static_cast<std::size_t>(c) * 2))
                            : (static_cast<unsigned char>(b[f + static_cast<std::size_t>(c)]) - 128) * 256;
        }
        pcm.samples.push_back(static_cast<std::int16_t>(sum / channels));
      }
      return pcm;
    }
    at = body + size + (size & 1);
  }
  throw WavError(fmt::format("{}: no fmt/data chunk", path));
}

}  // namespace hallq::speaker
