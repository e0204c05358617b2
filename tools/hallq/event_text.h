// How `hallq` words things for people: events, waits and ratings in
// Simplified Chinese, and column widths that count a Chinese character as two.
#pragma once

#include <string>
#include <string_view>

#include "engine/protocol/event_codec.h"

namespace hallq::cli {

// One line describing an event, e.g. "叫号：请 A012 号到 5 号窗口办理".
std::string describe(const protocol::EventSummary& e);

// "约 18 分钟" / "无需等待".
std::string wait_text(std::int64_t seconds);

// `text` padded with spaces to `width` columns (core::display_width).
std::string pad(std::string_view text, int width);

}  // namespace hallq::cli
