// The simple predictor: people ahead in the same service x its learned mean
// handling time / the open windows serving it, plus half a service when every
// such window is busy. A baseline the later predictors must beat.
#pragma once

#include "engine/core/wait_predictor.h"

namespace hallq::predict {

class QueueLengthPredictor final : public core::WaitPredictor {
 public:
  std::string_view name() const override { return "queue-length"; }
  core::Prediction predict_new(const core::Hall& hall, core::ServiceIdx service, core::Priority priority,
                               core::TimeUs now) const override;
  core::Prediction predict(const core::Hall& hall, core::TicketId ticket, core::TimeUs now) const override;
};

// The process-wide default predictor instance.
const core::WaitPredictor& default_predictor();

}  // namespace hallq::predict
