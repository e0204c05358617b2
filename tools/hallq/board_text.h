// The text of `hallq board` for a hall at an instant: hall name, time and
// people waiting; the hall closed and its next opening after hours, else the
// latest calls (newest first, the newest highlighted while `flash`); every
// window's number, name, current ticket, state and staff; per service the
// people waiting and the predicted wait, worded as every display words it
// (engine/view/hall_words.h), so the board and the hall screen agree.
//
// Pure: a function of its arguments. Thread: any.
#pragma once

#include <deque>
#include <string>

#include "engine/core/hall.h"

namespace hallq::cli {

std::string board_text(const core::Hall& hall, core::TimeUs now, const std::deque<std::string>& calls,
                       bool flash);

}  // namespace hallq::cli
