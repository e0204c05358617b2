// The default wait predictor: a newcomer's or a waiting ticket's wait is read
// off a forecast (forecast.h) of the hall played forward with its own policy.
// Where no open window would call it (before opening time, all windows for
// it closed) the wait runs to the hall's next opening span plus the work
// ahead of it over the windows the config gives the service. A remote ticket
// not yet checked in (`predict`) is told its wait had it checked in now
// (forecast.h, Forecast::awaiting).
#pragma once

#include <vector>

#include "engine/core/wait_predictor.h"

namespace hallq::predict {

class ForecastPredictor final : public core::WaitPredictor {
 public:
  std::string_view name() const override { return "forecast"; }
  core::Prediction predict_new(const core::Hall& hall, core::ServiceIdx service, core::Priority priority,
                               core::TimeUs now) const override;
  core::Prediction predict(const core::Hall& hall, core::TicketId ticket, core::TimeUs now) const override;

  // Every service's newcomer with `priority`, from one play of the hall
  // instead of one per service: element s is exactly predict_new(hall, s,
  // priority, now) (same cap, same fallbacks; tests/predict's differential
  // test holds them equal on random states of the shipped halls and a big
  // one). One per service, in config order.
  std::vector<core::Prediction> predict_new_all(const core::Hall& hall, core::Priority priority,
                                                core::TimeUs now) const override;
};

// The process-wide default predictor instance.
const core::WaitPredictor& default_predictor();

}  // namespace hallq::predict
