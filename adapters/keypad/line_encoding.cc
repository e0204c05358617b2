#include "adapters/keypad/line_encoding.h"

#include <iconv.h>

#include <cerrno>
#include <stdexcept>

namespace hallq::keypad {
namespace {

iconv_t open_iconv(const char* to, const char* from) {
  const iconv_t cd = ::iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw std::runtime_error(std::string("iconv cannot convert ") + from + " to " + to);
  return cd;
}

// Converts all of `in` (UTF-8 when `substitute` is given); a character the
// target lacks becomes `substitute`, or with an empty `substitute` any
// unconvertible byte fails the conversion.
std::optional<std::string> convert(void* handle, std::string_view in, std::string_view substitute) {
  const iconv_t cd = static_cast<iconv_t>(handle);
  ::iconv(cd, nullptr, nullptr, nullptr, nullptr);  // initial state
  std::string out;
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  char buffer[256];
  while (src_left > 0) {
    char* dst = buffer;
    std::size_t dst_left = sizeof buffer;
    const std::size_t r = ::iconv(cd, &src, &src_left, &dst, &dst_left);
    out.append(buffer, static_cast<std::size_t>(dst - buffer));
    if (r != static_cast<std::size_t>(-1)) continue;
    if (errno == E2BIG) continue;
    if (substitute.empty()) return std::nullopt;  // EILSEQ or EINVAL (a cut character)
    out.append(substitute);
    std::size_t skip = 1;  // the whole UTF-8 character
    while (skip < src_left && (static_cast<unsigned char>(src[skip]) & 0xC0) == 0x80) ++skip;
    src += skip;
    src_left -= skip;
  }
  return out;
}

}  // namespace

std::optional<Encoding> encoding_named(std::string_view name) {
  std::string lower(name);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (lower == "utf-8" || lower == "utf8") return Encoding::kUtf8;
  if (lower == "gbk") return Encoding::kGbk;
  return std::nullopt;
}

LineEncoding::LineEncoding(Encoding encoding) : encoding_(encoding) {
  if (encoding_ == Encoding::kUtf8) return;
  to_line_ = open_iconv("GBK", "UTF-8");
  from_line_ = open_iconv("UTF-8", "GBK");
}

LineEncoding::~LineEncoding() {
  if (to_line_) ::iconv_close(static_cast<iconv_t>(to_line_));
  if (from_line_) ::iconv_close(static_cast<iconv_t>(from_line_));
}

std::string LineEncoding::encode(std::string_view utf8) {
  if (encoding_ == Encoding::kUtf8) return std::string(utf8);
  return *convert(to_line_, utf8, "?");
}

std::optional<std::string> LineEncoding::decode(std::string_view bytes) {
  if (encoding_ == Encoding::kUtf8) return std::string(bytes);  // as before: the parser judges it
  return convert(from_line_, bytes, "");
}

}  // namespace hallq::keypad
