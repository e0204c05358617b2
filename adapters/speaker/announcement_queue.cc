#include "adapters/speaker/announcement_queue.h"

#include <algorithm>

namespace hallq::speaker {

PushResult AnnouncementQueue::push(Announcement a) {
  if (a.kind == AnnouncementKind::kRecall) {
    const bool waiting = std::any_of(items_.begin(), items_.end(), [&](const Announcement& q) {
      return q.number == a.number && q.window == a.window && q.hall == a.hall;
    });
    if (waiting) {
      ++stats_.duplicates;
      return PushResult::kDuplicate;
    }
  }
  if (items_.size() >= capacity_) {
    ++stats_.refused;
    return PushResult::kFull;
  }
  items_.push_back(std::move(a));
  ++stats_.queued;
  stats_.max_waiting = std::max(stats_.max_waiting, items_.size());
  return PushResult::kQueued;
}

std::optional<Announcement> AnnouncementQueue::begin_next() {
  if (in_progress_ || items_.empty()) return std::nullopt;
  Announcement a = std::move(items_.front());
  items_.pop_front();
  in_progress_ = true;
  ++stats_.spoken;
  return a;
}

std::size_t AnnouncementQueue::withdraw(std::string_view hall, std::string_view number) {
  const std::size_t before = items_.size();
  std::erase_if(items_, [&](const Announcement& q) { return q.number == number && q.hall == hall; });
  const std::size_t dropped = before - items_.size();
  stats_.withdrawn += dropped;
  return dropped;
}

std::size_t AnnouncementQueue::clear() {
  const std::size_t dropped = items_.size();
  items_.clear();
  stats_.withdrawn += dropped;
  return dropped;
}

}  // namespace hallq::speaker
