// The interface of wait-time predictors. Implementations live in
// engine/predict; they must be pure (a function of the hall's state and
// `now`) and never see ground truth such as a trace's handling times.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/core/types.h"

namespace hallq::core {

class Hall;

struct Prediction {
  std::uint32_t ahead = 0;  // people expected to be called first
  std::int32_t wait_s = 0;  // expected wait until the first call
};

class WaitPredictor {
 public:
  virtual ~WaitPredictor() = default;
  virtual std::string_view name() const = 0;
  // A newcomer's wait if issued now for `service` with `priority`.
  virtual Prediction predict_new(const Hall& hall, ServiceIdx service, Priority priority,
                                 TimeUs now) const = 0;
  // Every service's newcomer at once, in config order: element s equals
  // predict_new(hall, s, priority, now). The default asks once per service;
  // a predictor that plays the hall forward answers all from one play (the
  // dashboard's and the city view's summaries ask for every service).
  virtual std::vector<Prediction> predict_new_all(const Hall& hall, Priority priority, TimeUs now) const;
  // The remaining wait of a waiting ticket.
  virtual Prediction predict(const Hall& hall, TicketId ticket, TimeUs now) const = 0;
};

}  // namespace hallq::core
