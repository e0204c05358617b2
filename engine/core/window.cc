#include "engine/core/window.h"

namespace hallq::core {

int skill_level(const Window& w, ServiceIdx service) {
  for (const Skill& s : w.skills)
    if (s.service == service) return s.level;
  return 0;
}

}  // namespace hallq::core
