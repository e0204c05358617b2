// Evaluations pressed but not yet acknowledged by the engine. Each keeps the
// request id it was first sent with and is resent with the SAME id every
// `retry` until the engine answers (the engine applies a request id once and
// answers repeats with the first outcome), so an engine that goes away and
// comes back records every rating exactly once.
//
// Pure: time comes in as `now`. Thread: one owner.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "adapters/keypad/rating_machine.h"

namespace hallq::keypad {

struct OutboxEntry {
  std::string request_id;
  Evaluation evaluation;
  Clock::time_point next_send{};
  int sends = 0;
};

class Outbox {
 public:
  explicit Outbox(std::chrono::milliseconds retry = std::chrono::milliseconds(2000)) : retry_(retry) {}

  void add(std::string request_id, Evaluation evaluation, Clock::time_point now);
  // The entries to send now (first sends and retries), oldest first; each is
  // scheduled for its next retry.
  std::vector<OutboxEntry> due(Clock::time_point now);
  // Removes the entry with `request_id`; nullopt if none (a late repeat).
  std::optional<Evaluation> acknowledge(const std::string& request_id);
  std::size_t size() const { return entries_.size(); }

 private:
  std::chrono::milliseconds retry_;
  std::vector<OutboxEntry> entries_;
};

}  // namespace hallq::keypad
