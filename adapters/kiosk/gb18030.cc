#include "adapters/kiosk/gb18030.h"

#include <fmt/format.h>
#include <iconv.h>

#include <cerrno>
#include <stdexcept>

namespace hallq::kiosk {
namespace {

class Iconv {
 public:
  Iconv(const char* to, const char* from) : cd_(iconv_open(to, from)) {
    if (cd_ == reinterpret_cast<iconv_t>(-1)) {
      throw std::runtime_error(fmt::format("iconv_open {} -> {} failed", from, to));
    }
  }
  ~Iconv() { iconv_close(cd_); }
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;

  std::string convert(std::string_view in) {
    std::string out;
    out.resize(in.size() * 2 + 16);
    char* src = const_cast<char*>(in.data());
    std::size_t src_left = in.size();
    std::size_t produced = 0;
    while (true) {
      char* dst = out.data() + produced;
      std::size_t dst_left = out.size() - produced;
      const std::size_t r = iconv(cd_, src_left ? &src : nullptr, &src_left, &dst, &dst_left);
      produced = out.size() - dst_left;
      if (r != static_cast<std::size_t>(-1)) {
        if (src_left == 0) break;
        continue;
      }
      if (errno == E2BIG) {
        out.resize(out.size() * 2);
        continue;
      }
      throw std::runtime_error(fmt::format("cannot convert text at byte {}: invalid or incomplete sequence",
                                           in.size() - src_left));
    }
    out.resize(produced);
    return out;
  }

 private:
  iconv_t cd_;
};

}  // namespace

std::string utf8_to_gb18030(std::string_view utf8) { return Iconv("GB18030", "UTF-8").convert(utf8); }
std::string gb18030_to_utf8(std::string_view gb) { return Iconv("UTF-8", "GB18030").convert(gb); }

}  // namespace hallq::kiosk
