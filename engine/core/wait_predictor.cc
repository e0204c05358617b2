// The default of WaitPredictor::predict_new_all: one predict_new per service.
#include "engine/core/wait_predictor.h"

#include "engine/core/hall.h"

namespace hallq::core {

std::vector<Prediction> WaitPredictor::predict_new_all(const Hall& hall, Priority priority,
                                                       TimeUs now) const {
  std::vector<Prediction> out;
  const std::size_t services = hall.config().services.size();
  out.reserve(services);
  for (std::size_t s = 0; s < services; ++s)
    out.push_back(predict_new(hall, static_cast<ServiceIdx>(s), priority, now));
  return out;
}

}  // namespace hallq::core
