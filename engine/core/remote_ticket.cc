#include "engine/core/remote_ticket.h"

namespace hallq::core {

std::string_view to_string(RemoteState s) {
  switch (s) {
    case RemoteState::kAwaiting:
      return "awaiting";
    case RemoteState::kCheckedIn:
      return "checked_in";
    case RemoteState::kDropped:
      return "dropped";
  }
  return "unknown";
}

}  // namespace hallq::core
