// What a hall learns online about each service from its own history: handling
// times (blended with the config's expected_handle_min as a prior) and the
// arrival rate. Derived from events (TicketIssued, TicketFinished), so
// replicas and recovery agree.
#pragma once

#include <cstdint>

#include "engine/core/types.h"

namespace hallq::core {

struct ServiceStats {
  // Arrivals are counted with an exponential decay of this time constant.
  static constexpr double kArrivalWindowS = 1800;  // chosen by replay (bench/README.md)

  std::uint32_t finished = 0;  // tickets finished since the hall started
  double sum_handle_s = 0;     // their total handling time
  double ewma_handle_s = 0;    // exponentially weighted, recent days count more
  double arrivals = 0;         // decayed arrival count as of last_arrival
  TimeUs last_arrival = 0;     // 0: none yet

  // Record one handling time (start to finish), in seconds.
  void add(double handle_s);
  // Mean handling time in seconds: the prior alone at first, then weighted
  // towards what was observed.
  double mean_handle_s(double prior_s) const;
  // Records a ticket issued at `t` (times never decrease).
  void add_arrival(TimeUs t);
  // Arrivals per second around `now` (about the last kArrivalWindowS).
  double arrival_rate(TimeUs now) const;
  bool operator==(const ServiceStats&) const = default;
};

}  // namespace hallq::core
