#include "adapters/upload/rejection_reason.h"

#include <fmt/format.h>

#include <cstdint>

namespace hallq::upload {
namespace {

// The code point at raw[i] and its length; -1 for a malformed sequence (length 1).
std::pair<std::int32_t, std::size_t> next_code_point(std::string_view raw, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(raw[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return {c, 1};
  std::size_t n = 0;
  std::int32_t cp = 0, min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return {-1, 1};
  }
  if (i + n > raw.size()) return {-1, 1};
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return {-1, 1};
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {-1, 1};
  return {cp, n};
}

}  // namespace

std::string reason_for_engine(std::string_view raw, int status) {
  std::string out;
  std::size_t chars = 0;
  bool space = false;  // a space is pending (dropped at the start and the end)
  for (std::size_t i = 0; i < raw.size() && chars < kMaxReasonChars;) {
    const auto [cp, len] = next_code_point(raw, i);
    const std::string_view bytes = raw.substr(i, len);
    i += len;
    if (cp == ' ' || (cp >= 0 && (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)))) {
      space = !out.empty();
      continue;
    }
    if (space) {
      if (chars + 2 > kMaxReasonChars) break;  // no trailing space
      out += ' ';
      space = false;
      ++chars;
    }
    out += cp < 0 ? std::string_view("\xEF\xBF\xBD") : bytes;
    ++chars;
  }
  return out.empty() ? fmt::format("HTTP {}", status) : out;
}

}  // namespace hallq::upload
