#include "engine/policy/head_selection.h"

#include <limits>

namespace hallq::policy {
namespace {

struct Best {
  const core::QueueEntry* entry = nullptr;
  core::TimeUs adjusted = std::numeric_limits<core::TimeUs>::max();
  int level = 0;

  // On equal adjusted keys the lower level wins (a later resort must be older by
  // *more* than the delay), then the earlier enqueue order.
  void offer(const core::QueueEntry* e, core::TimeUs handicap, int skill_level) {
    if (e == nullptr) return;
    const core::TimeUs a = e->key + handicap;
    if (entry == nullptr || a < adjusted ||
        (a == adjusted && (skill_level < level || (skill_level == level && e->order < entry->order)))) {
      entry = e;
      adjusted = a;
      level = skill_level;
    }
  }
};

}  // namespace

core::TicketId select_head(const core::Hall& hall, core::WindowIdx window, const SelectionRule& rule) {
  using core::QueueClass;
  const core::Window& w = hall.window(window);
  Best returning, priority, normal;
  for (const core::Skill& skill : w.skills) {
    if (skill.level > rule.max_level) break;  // skills are sorted by level
    const core::ServiceQueue& q = hall.queue(skill.service);
    if (q.empty()) continue;
    const core::TimeUs handicap = (skill.level - 1) * rule.level_delay;
    returning.offer(q.head(QueueClass::kReturning), handicap, skill.level);
    priority.offer(q.head(QueueClass::kPriority), handicap, skill.level);
    normal.offer(q.head(QueueClass::kNormal), handicap, skill.level);
  }
  if (returning.entry) return returning.entry->ticket;
  if (priority.entry &&
      (normal.entry == nullptr || w.consecutive_priority < hall.config().rules.priority_ratio)) {
    return priority.entry->ticket;
  }
  return normal.entry ? normal.entry->ticket : 0;
}

}  // namespace hallq::policy
