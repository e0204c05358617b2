// What a call-next policy may look at when it chooses: the hall as it is (a
// core::Hall) or as the wait predictor's forward simulation imagines it a
// while from now. Policies are written against this view only, so the
// predictor runs the very policy the hall runs.
#pragma once

#include <vector>

#include "engine/core/hall_config.h"
#include "engine/core/service_queue.h"
#include "engine/core/types.h"

namespace hallq::core {

class CallView {
 public:
  virtual ~CallView() = default;
  virtual const HallConfig& config() const = 0;
  // The window's skills now (sorted by level, then service).
  virtual const std::vector<Skill>& skills(WindowIdx w) const = 0;
  // Priority-class calls the window made since its last normal one.
  virtual int consecutive_priority(WindowIdx w) const = 0;
  // The first waiting entry of a service's class, or null.
  virtual const QueueEntry* head(ServiceIdx s, QueueClass c) const = 0;
  virtual bool has_waiting(ServiceIdx s) const = 0;
  // Learned from the hall's own history (the config's expected_handle_min
  // as the prior): mean handling time in seconds.
  virtual double mean_handle_s(ServiceIdx s) const = 0;
  // Learned arrival rate of a service at `now`, per second.
  virtual double arrival_rate(ServiceIdx s, TimeUs now) const = 0;
  // Windows open now (not paused, not closed) serving `s` at `level`.
  virtual int open_windows(ServiceIdx s, int level) const = 0;
};

}  // namespace hallq::core
