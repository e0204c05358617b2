// A hall's whole state as one value: what Hall::apply_event builds, what a
// snapshot stores and what a Hall holds (with indexes derived from it;
// hall_state.cc has Hall's export_state, import_state and the index rebuild).
// Indices refer to the hall's config.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/advisory.h"
#include "engine/core/booking.h"
#include "engine/core/device_status.h"
#include "engine/core/rateable_ticket.h"
#include "engine/core/remote_ticket.h"
#include "engine/core/request_memory.h"
#include "engine/core/service_stats.h"
#include "engine/core/ticket.h"
#include "engine/core/types.h"
#include "engine/core/window.h"
#include "engine/core/work_order.h"

namespace hallq::core {

// The state of one hall; compares member-wise.
struct HallState {
  Seq seq = 0;
  TimeUs clock = 0;
  std::int64_t day = 0;
  TicketId next_ticket = 1;
  std::uint64_t next_queue_order = 1;
  std::vector<std::string> staff_names;
  std::vector<Window> windows;             // in config order
  std::vector<Ticket> tickets;             // ascending id, contiguous
  std::vector<std::uint32_t> last_number;  // per service: last number issued today
  std::vector<ServiceStats> stats;         // per service
  std::uint32_t pauses = 0;                // pauses ended (resumed) so far
  double pause_seconds = 0;                // their total length
  std::vector<Advisory> advisories;        // open tidal-window advisories
  std::uint32_t next_advisory = 1;
  std::string notice;  // the manager's notice to the screens; empty if none
  std::vector<std::pair<std::string, DeviceStatus>> devices;    // by device id, ascending
  std::vector<std::pair<std::string, RequestRecord>> requests;  // oldest first
  std::vector<Booking> bookings;         // appointments of today and later days, ascending code
  std::vector<RemoteTicket> remotes;     // today's remote tickets, ascending ticket id
  std::vector<RateableTicket> rateable;  // earlier days' tickets open to 补充评价, ascending ticket id
  std::vector<WorkOrder> work_orders;    // 差评工单: open ones, and those closed today; ascending ticket
  bool operator==(const HallState&) const = default;
};

}  // namespace hallq::core
