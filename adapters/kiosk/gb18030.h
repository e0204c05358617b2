// UTF-8 <-> GB18030, the encoding of Chinese text on ESC/POS printers (in
// Chinese mode, FS &). A thin RAII layer over glibc's iconv.
//
// Errors: text that cannot be converted (invalid UTF-8 / GB18030) throws
// std::runtime_error naming the byte offset. Thread: the functions are
// independent (each opens its own conversion descriptor).
#pragma once

#include <string>
#include <string_view>

namespace hallq::kiosk {

std::string utf8_to_gb18030(std::string_view utf8);
std::string gb18030_to_utf8(std::string_view gb);

}  // namespace hallq::kiosk
