// A ticket's state within a hall: what it is for, where it stands, and the
// times of its life. Owned by Hall; read-only for everyone else.
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/types.h"

namespace hallq::core {

// Queue class: returning tickets (transferred, resumed from hold) go before
// priority ones (elderly, disabled, appointments), which go before normal ones,
// subject to the hall's priority ratio.
enum class QueueClass : std::uint8_t { kReturning = 0, kPriority = 1, kNormal = 2 };
inline constexpr int kQueueClasses = 3;

struct Ticket {
  TicketId id = 0;
  std::uint32_t number = 0;       // daily sequence within the issuing service's prefix
  ServiceIdx issued_service = 0;  // gives the prefix; never changes
  ServiceIdx service = 0;         // what it waits for now (changes on transfer)
  Priority priority = Priority::kNormal;
  TicketState state = TicketState::kWaiting;
  QueueClass queue_class = QueueClass::kNormal;
  std::uint8_t recalls = 0;  // recalls of the current call
  std::uint8_t transfers = 0;
  std::uint8_t rating = 0;       // 1..5 once rated; 0 also when rated "not rated"
  WindowIdx window = kNoWindow;  // current or last window
  StaffIdx staff = kNoStaff;     // staff who finished it (for ratings)
  std::uint32_t ahead_at_issue = 0;
  std::int32_t predicted_wait_s = 0;  // at issue
  TimeUs issued_at = 0;
  TimeUs queue_key = 0;           // order within its queue class
  std::uint64_t queue_order = 0;  // tie-break for equal keys: enqueue order
  TimeUs first_called_at = 0;     // 0: never called
  TimeUs called_at = 0;           // latest call
  TimeUs started_at = 0;
  TimeUs finished_at = 0;
  TimeUs ended_at = 0;  // skipped, left or expired
  bool operator==(const Ticket&) const = default;
};

// "A012": prefix + number, zero-padded to `digits`.
std::string format_number(std::string_view prefix, std::uint32_t number, int digits);
// Splits "A012" into ("A", 12). False if it is not letters followed by digits.
bool split_number(std::string_view text, std::string_view& prefix, std::uint32_t& number);

QueueClass queue_class_of(Priority p);
bool is_open(TicketState s);         // waiting, called, serving, held, no_show
bool is_requeueable(TicketState s);  // held or no_show: may go back to waiting

}  // namespace hallq::core
