#include "engine/core/line_position.h"

namespace hallq::core {

std::uint32_t ahead_in_line(const Hall& hall, const Ticket& t) {
  const ServiceQueue& q = hall.queue(t.service);
  const QueueEntry me{t.queue_key, t.queue_order, t.id};
  std::uint32_t ahead = 0;
  for (int c = 0; c < kQueueClasses; ++c) {
    const auto cls = static_cast<QueueClass>(c);
    if (cls == t.queue_class) {
      for (const QueueEntry& e : q.line(cls)) {
        if (!(e < me)) break;
        ++ahead;
      }
      break;
    }
    ahead += static_cast<std::uint32_t>(q.size(cls));
  }
  return ahead;
}

}  // namespace hallq::core
