// A window's live state within a hall (its static description is WindowConfig).
// Owned by Hall; read-only for everyone else.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/core/hall_config.h"
#include "engine/core/types.h"

namespace hallq::core {

struct Window {
  WindowState state = WindowState::kClosed;
  StaffIdx staff = kNoStaff;              // index into Hall::staff_names()
  TicketId current = 0;                   // called or serving ticket; 0: none
  std::vector<Skill> skills;              // live skills; start as the config's `serves`
  std::uint8_t consecutive_priority = 0;  // priority-class calls since the last normal one
  TimeUs state_since = 0;                 // last open/close/pause/resume
  TimeUs idle_since = 0;                  // when it last became free of a current ticket
  std::uint32_t served = 0;               // tickets finished today
  bool operator==(const Window&) const = default;
};

inline bool is_idle(const Window& w) { return w.state == WindowState::kOpen && w.current == 0; }

// The level at which a window serves a service, or 0 if it does not.
int skill_level(const Window& w, ServiceIdx service);

}  // namespace hallq::core
