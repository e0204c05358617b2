// The interface of call-next policies: which waiting ticket a free window calls.
// Implementations live in engine/policy; they must be pure (a function of the
// view and `now`), stateless and thread-compatible, so one instance can serve
// every hall, every replay and the predictor's simulations.
#pragma once

#include <string_view>

#include "engine/core/types.h"

namespace hallq::core {

class CallView;

class CallPolicy {
 public:
  virtual ~CallPolicy() = default;
  virtual std::string_view name() const = 0;
  // The ticket window `window` should call next at `now`, or 0 to call none.
  // Only the head of a waiting line may be returned. The window is open and idle.
  virtual TicketId choose(const CallView& view, WindowIdx window, TimeUs now) const = 0;
};

}  // namespace hallq::core
