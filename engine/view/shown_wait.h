// How a citizen's phone words the 80% range of a wait (wait_range.h), and the
// bounds those words claim: the one wording, used by the page (adapters/
// citizen/ticket_view.h: its detail and JSON) and judged by the evaluation
// (bench/range_eval.cc), so the share measured is the share of what is shown.
//
//   high end at most a minute        即将轮到您                 (claims 0 to 60 s)
//   high end at most two minutes     half minutes: the low end to the nearest
//                                    half minute, the high end up to one:
//                                    "约 30–90 秒", "约 1–2 分钟",
//                                    "约 30 秒–2 分钟", "90 秒内"
//   longer                           whole minutes, low end down, high end up
//                                    (at least a minute apart): "约 8–12 分钟"
//   a low end of 0                   "N 分钟内" ("2 分钟内", "17 分钟内")
//
// Why half minutes only there: words in whole minutes rounded outward widen
// a one-to-two-minute range to "约 0–2 分钟", which at a bank's counter (most
// ranges shown there end within two minutes) held 92% of actual waits for an
// 80% range; rounding to the nearest minute instead would make longer ranges
// too narrow (town halls: 74%). bench/README.md, "市民手机: 预计等待区间",
// has the figures on every shared trace.
//
// Pure. Thread: any.
#pragma once

#include <cstdint>
#include <string>

#include "engine/view/wait_range.h"

namespace hallq::view {

struct ShownWait {
  std::int32_t low_s = 0;   // the bounds the words claim, seconds: a wait
  std::int32_t high_s = 0;  // in [low_s, high_s] is inside what was shown
  bool soon = false;        // 即将轮到您 (no range shown)
  std::string text;         // "约 8–12 分钟", "约 30 秒–2 分钟", "2 分钟内", "即将轮到您"
};

// `range` as the page shows it (low_s <= high_s, both >= 0).
ShownWait shown_wait(const WaitRange& range);

}  // namespace hallq::view
