// UTF-8 checks for text that people type and screens show (notices).
#pragma once

#include <string>
#include <string_view>

namespace hallq::core {

// True if `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing beyond U+10FFFF) without control characters (C0, DEL, C1).
bool printable_utf8(std::string_view text);

// The number of code points of well-formed `utf8` (bytes that do not
// continue a sequence).
std::size_t utf8_length(std::string_view utf8);

// The columns `utf8` takes on a terminal: CJK, Hangul and fullwidth forms
// two, everything else one (a malformed byte one).
int display_width(std::string_view utf8);

// `utf8` followed by spaces up to `width` columns (display_width); as it is
// if already that wide.
std::string pad_to_width(std::string_view utf8, int width);

}  // namespace hallq::core
