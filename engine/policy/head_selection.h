// The selection step all built-in policies share. Among the heads of the
// lines a window serves, returning tickets go first, then priority ones (but
// at most `priority_ratio` in a row while normal tickets wait), then normal
// ones. Within a class the candidate with the highest score wins; equal
// scores go to the lower skill level, then to the earlier enqueue order. The
// policy's scoring rule gives each candidate its score, or none to pass it by.
#pragma once

#include <optional>

#include "engine/core/call_view.h"

namespace hallq::policy {

struct Candidate {
  const core::QueueEntry* entry = nullptr;
  core::ServiceIdx service = 0;
  int level = 1;
  double age_s = 0;  // how long it has been in line (from its queue key)
};

// `score(const Candidate&) -> std::optional<double>`; skills above
// `max_level` are not considered.
template <class Score>
core::TicketId select_head(const core::CallView& view, core::WindowIdx window, core::TimeUs now,
                           int max_level, Score&& score) {
  struct Best {
    Candidate c;
    double score = 0;
    bool found = false;
  } best[core::kQueueClasses];
  for (const core::Skill& skill : view.skills(window)) {
    if (skill.level > max_level) break;  // skills are sorted by level
    for (int k = 0; k < core::kQueueClasses; ++k) {
      const core::QueueEntry* e = view.head(skill.service, static_cast<core::QueueClass>(k));
      if (e == nullptr) continue;
      const Candidate c{e, skill.service, skill.level,
                        static_cast<double>(now - e->key) / core::kUsPerSecond};
      const std::optional<double> s = score(c);
      if (!s) continue;
      Best& b = best[k];
      const bool better =
          !b.found || *s > b.score ||
          (*s == b.score && (c.level < b.c.level || (c.level == b.c.level && e->order < b.c.entry->order)));
      if (better) b = {c, *s, true};
    }
  }
  const Best& returning = best[static_cast<int>(core::QueueClass::kReturning)];
  const Best& priority = best[static_cast<int>(core::QueueClass::kPriority)];
  const Best& normal = best[static_cast<int>(core::QueueClass::kNormal)];
  if (returning.found) return returning.c.entry->ticket;
  if (priority.found &&
      (!normal.found || view.consecutive_priority(window) < view.config().rules.priority_ratio)) {
    return priority.c.entry->ticket;
  }
  return normal.found ? normal.c.entry->ticket : 0;
}

}  // namespace hallq::policy
