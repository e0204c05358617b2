// A hall's opening hours at an instant, from its config's working days
// (`weekdays`, `closed_days`, `extra_days`) and `hours` (local time): whether
// it is inside them, and when it next opens (skipping days it does not work).
//
// Pure: a function of the config and `now`. Thread: any.
#pragma once

#include "engine/core/hall_config.h"

namespace hallq::view {

struct Opening {
  bool open_now = false;    // a working day inside one of the spans (a config without hours is open
                            // all day on its working days)
  core::TimeUs next = 0;    // not open now: the start of the next span (later today or a next working day)
  bool next_today = false;  // `next` is on now's local day
  int next_minute = 0;      // local minute of day of `next`
};

Opening opening(const core::HallConfig& cfg, core::TimeUs now);

}  // namespace hallq::view
