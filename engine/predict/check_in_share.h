// How many of a hall's remote tickets not yet checked in (网上取号,
// engine/core/remote_ticket.h) will still come and take their place: the
// share learned from today's remote tickets that are decided, with a prior.
// The forecast (forecast.h) counts that share of them ahead of everyone
// behind their places.
//
// Decided today: checked in (RemoteState::kCheckedIn), or never to come
// (dropped when its grace ran out, or cancelled before check-in). A ticket
// whose turn came before check-in is in its grace: its share is learned
// apart, from the tickets whose turn came (checked in late against dropped),
// since a citizen late for the turn is less likely to come at all.
//
// The priors are assumptions, not fitted: before its turn 0.8 with the
// weight of 4 tickets; in its grace 0.5 with the weight of 2. The learned
// share moves from the prior towards the day's own as tickets are decided.
//
// Pure: a function of the hall. Thread: any (with the hall not changing).
#pragma once

#include <cstddef>
#include <vector>

#include "engine/core/hall.h"

namespace hallq::predict {

struct CheckInShare {
  double before_turn = 0.8;  // a ticket whose turn has not come yet
  double in_grace = 0.5;     // a ticket whose turn came (grace running)
};

CheckInShare check_in_share(const core::Hall& hall);

// Which of `weights.size()` uncertain tickets, in line order, a single play
// counts as coming: the k-th is counted when the running sum of the weights
// rounds (half up) to one more than before it. So of the first k, the number
// counted is the sum of their weights rounded: a citizen behind k of them
// has their expected number ahead (1 of 1 at weight 0.8; 1 of 2 at 0.3 each,
// the second). `weights` in [0, 1].
std::vector<bool> counted_in_play(const std::vector<double>& weights);

}  // namespace hallq::predict
