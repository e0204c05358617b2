#include "engine/view/shown_wait.h"

#include <fmt/format.h>

#include <algorithm>

namespace hallq::view {
namespace {

constexpr std::int32_t kSoon_s = 60;          // up to here: 即将轮到您
constexpr std::int32_t kHalfMinutes_s = 120;  // up to here: half-minute grain

// 30 s, 90 s -> "30 秒", "90 秒"; whole minutes -> "2 分钟".
std::string amount(std::int32_t s) {
  return s % 60 == 0 ? fmt::format("{} 分钟", s / 60) : fmt::format("{} 秒", s);
}

std::string words(std::int32_t low, std::int32_t high) {
  if (low == 0) return amount(high) + "内";
  if (low % 60 == 0 && high % 60 == 0) return fmt::format("约 {}–{} 分钟", low / 60, high / 60);
  if (high < 120) return fmt::format("约 {}–{} 秒", low, high);  // 30–90, 60–90
  return fmt::format("约 {}–{}", amount(low), amount(high));     // 30 秒–2 分钟, 90 秒–2 分钟
}

}  // namespace

ShownWait shown_wait(const WaitRange& range) {
  ShownWait w;
  if (range.high_s <= kSoon_s) {
    w.high_s = kSoon_s;
    w.soon = true;
    w.text = "即将轮到您";
    return w;
  }
  const std::int32_t low_s = std::clamp(range.low_s, 0, range.high_s);
  if (range.high_s <= kHalfMinutes_s) {
    w.low_s = (low_s + 15) / 30 * 30;          // the nearest half minute (15 s rounds up)
    w.high_s = (range.high_s + 29) / 30 * 30;  // 90 or 120
    if (w.low_s >= w.high_s) w.low_s = w.high_s - 30;
  } else {
    w.low_s = low_s / 60 * 60;
    w.high_s = (range.high_s + 59) / 60 * 60;
    if (w.high_s <= w.low_s) w.high_s = w.low_s + 60;
  }
  w.text = words(w.low_s, w.high_s);
  return w;
}

}  // namespace hallq::view
