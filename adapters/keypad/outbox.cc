#include "adapters/keypad/outbox.h"

#include <algorithm>

namespace hallq::keypad {

void Outbox::add(std::string request_id, Evaluation evaluation, Clock::time_point now) {
  entries_.push_back({std::move(request_id), std::move(evaluation), now, 0});
}

std::vector<OutboxEntry> Outbox::due(Clock::time_point now) {
  std::vector<OutboxEntry> out;
  for (OutboxEntry& e : entries_) {
    if (e.next_send > now) continue;
    e.next_send = now + retry_;
    ++e.sends;
    out.push_back(e);
  }
  return out;
}

std::optional<Evaluation> Outbox::acknowledge(const std::string& request_id) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const OutboxEntry& e) { return e.request_id == request_id; });
  if (it == entries_.end()) return std::nullopt;
  Evaluation e = std::move(it->evaluation);
  entries_.erase(it);
  return e;
}

}  // namespace hallq::keypad
