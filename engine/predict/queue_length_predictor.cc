#include "engine/predict/queue_length_predictor.h"

#include <cmath>

#include "engine/core/hall.h"

namespace hallq::predict {
namespace {

using core::QueueClass;

core::Prediction estimate(const core::Hall& hall, core::ServiceIdx service, std::size_t ahead) {
  int open = 0;
  int busy = 0;
  for (const core::Window& w : hall.windows()) {
    if (w.state != core::WindowState::kOpen || core::skill_level(w, service) == 0) continue;
    ++open;
    if (w.current != 0) ++busy;
  }
  const double mean_s =
      hall.stats(service).mean_handle_s(hall.config().services[service].expected_handle_min * 60);
  const double servers = open > 0 ? open : 1;
  double wait = static_cast<double>(ahead) * mean_s / servers;
  if (open == 0 || busy == open) wait += mean_s / (2 * servers);
  return {static_cast<std::uint32_t>(ahead), static_cast<std::int32_t>(std::lround(wait))};
}

}  // namespace

core::Prediction QueueLengthPredictor::predict_new(const core::Hall& hall, core::ServiceIdx service,
                                                   core::Priority priority, core::TimeUs) const {
  const core::ServiceQueue& q = hall.queue(service);
  std::size_t ahead = q.size(QueueClass::kReturning) + q.size(QueueClass::kPriority);
  if (core::queue_class_of(priority) == QueueClass::kNormal) ahead += q.size(QueueClass::kNormal);
  return estimate(hall, service, ahead);
}

core::Prediction QueueLengthPredictor::predict(const core::Hall& hall, core::TicketId id, core::TimeUs) const {
  const core::Ticket* t = hall.find_ticket(id);
  if (t == nullptr || t->state != core::TicketState::kWaiting) return {};
  const core::ServiceQueue& q = hall.queue(t->service);
  std::size_t ahead = 0;
  for (int c = 0; c < static_cast<int>(t->queue_class); ++c) ahead += q.size(static_cast<QueueClass>(c));
  for (const core::QueueEntry& e : q.line(t->queue_class)) {
    if (e.ticket == id) break;
    ++ahead;
  }
  return estimate(hall, t->service, ahead);
}

const core::WaitPredictor& default_predictor() {
  static const QueueLengthPredictor kInstance;
  return kInstance;
}

}  // namespace hallq::predict
