// The names of the 好差评 rating levels, as citizens see them on the keypad and
// managers in reports: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意,
// and 0 未评价 (asked, but the keypad's time ran out).
#pragma once

#include <string_view>

namespace hallq::core {

inline constexpr int kBestRating = 5;  // levels are 0 (not rated) and 1..kBestRating

// The name of `level` (0..5); "?" for anything else.
constexpr std::string_view rating_name(int level) {
  constexpr std::string_view kNames[] = {"未评价", "非常不满意", "不满意", "基本满意", "满意", "非常满意"};
  return level >= 0 && level <= kBestRating ? kNames[level] : "?";
}

}  // namespace hallq::core
