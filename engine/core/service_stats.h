// Handling times learned online from a hall's own finished tickets, per
// service, blended with the config's expected_handle_min as a prior. Derived
// from events (TicketFinished), so replicas and recovery agree.
#pragma once

#include <cstdint>

namespace hallq::core {

struct ServiceStats {
  std::uint32_t finished = 0;   // tickets finished since the hall started
  double sum_handle_s = 0;      // their total handling time
  double ewma_handle_s = 0;     // exponentially weighted, recent days count more

  // Record one handling time (start to finish), in seconds.
  void add(double handle_s);
  // Mean handling time in seconds: the prior alone at first, then weighted
  // towards what was observed.
  double mean_handle_s(double prior_s) const;
};

}  // namespace hallq::core
