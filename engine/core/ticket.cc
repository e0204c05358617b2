// Ticket numbers as printed and read back.
#include "engine/core/ticket.h"

#include <fmt/format.h>

namespace hallq::core {

std::string format_number(std::string_view prefix, std::uint32_t number, int digits) {
  return fmt::format("{}{:0{}}", prefix, number, digits);
}

bool split_number(std::string_view text, std::string_view& prefix, std::uint32_t& number) {
  std::size_t i = 0;
  while (i < text.size() && text[i] >= 'A' && text[i] <= 'Z') ++i;
  if (i == 0 || i == text.size() || text.size() - i > 9) return false;
  std::uint32_t n = 0;
  for (std::size_t j = i; j < text.size(); ++j) {
    if (text[j] < '0' || text[j] > '9') return false;
    n = n * 10 + static_cast<std::uint32_t>(text[j] - '0');
  }
  prefix = text.substr(0, i);
  number = n;
  return true;
}

QueueClass queue_class_of(Priority p) {
  return p == Priority::kNormal ? QueueClass::kNormal : QueueClass::kPriority;
}

bool is_requeueable(TicketState s) { return s == TicketState::kHeld || s == TicketState::kNoShow; }

bool is_open(TicketState s) {
  switch (s) {
    case TicketState::kWaiting:
    case TicketState::kCalled:
    case TicketState::kServing:
    case TicketState::kHeld:
    case TicketState::kNoShow:
      return true;
    default:
      return false;
  }
}

}  // namespace hallq::core
