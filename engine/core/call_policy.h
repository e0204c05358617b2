// The interface of call-next policies: which waiting ticket a free window calls.
// Implementations live in engine/policy; they must be pure (a function of the
// hall's state and `now`), stateless and thread-compatible, so one instance can
// serve every hall and every replay.
#pragma once

#include <string_view>

#include "engine/core/types.h"

namespace hallq::core {

class Hall;

class CallPolicy {
 public:
  virtual ~CallPolicy() = default;
  virtual std::string_view name() const = 0;
  // The ticket window `window` should call next at `now`, or 0 to call none.
  // Only waiting tickets may be returned. The window is open and idle.
  virtual TicketId choose(const Hall& hall, WindowIdx window, TimeUs now) const = 0;
};

}  // namespace hallq::core
