// One hall's state machine: the pure heart of the engine.
//
// `apply(command, now)` checks a command against the ticket and window life of
// DESIGN.md; a refused command returns its error and changes nothing, an
// accepted one appends its events (numbered with the hall's gap-free sequence)
// and applies them. `apply_event` is the fold that all state changes go
// through, so replaying a hall's events rebuilds the same state (recovery,
// subscriber replicas). The hall holds its state as one HallState value
// (hall_state.h) plus indexes derived from it.
//
// Files: hall_decide.cc (apply), hall_fold.cc (apply_event), hall_state.cc
// (export_state, import_state, the indexes), hall.cc (the rest).
//
// Daily reset: the first command (or Tick) of a new local day emits DayRolled.
// Waiting, held and no-show tickets expire; numbering restarts at 001. A ticket
// called or being served across midnight stays at its window and can be
// finished, but is no longer found by its number (today's A001 is a new one).
//
// No I/O, no clock, no threads: time comes in as `now`. The hall's clock never
// goes backwards (a `now` before the last one counts as the last one), so a
// stepped-back system clock cannot reorder events.
//
// Thread: not thread-safe; one owner thread. The config, policy and predictor
// must outlive the hall.
#pragma once

#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/advisory.h"
#include "engine/core/call_policy.h"
#include "engine/core/call_view.h"
#include "engine/core/command.h"
#include "engine/core/error.h"
#include "engine/core/event.h"
#include "engine/core/hall_config.h"
#include "engine/core/hall_state.h"
#include "engine/core/request_memory.h"
#include "engine/core/service_queue.h"
#include "engine/core/service_stats.h"
#include "engine/core/ticket.h"
#include "engine/core/types.h"
#include "engine/core/wait_predictor.h"
#include "engine/core/window.h"

namespace hallq::core {

// Thrown by apply_event/import_state when an event or state does not fit the
// hall (a corrupt log, or a config that lost a window the log refers to).
class CorruptionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Hall final : public CallView {
 public:
  // Remembered request ids per hall; the oldest are forgotten beyond this.
  static constexpr std::size_t kRequestMemory = RequestMemory::kCapacity;

  Hall(std::shared_ptr<const HallConfig> config, const CallPolicy* policy, const WaitPredictor* predictor);
  Hall(const Hall&) = delete;
  Hall& operator=(const Hall&) = delete;

  // Applies `cmd` at `now`. Time-driven events (the daily reset) are appended
  // to `out` and applied first, whether or not the command is then accepted:
  // they must be stored like any other. On refusal nothing else changes.
  Status apply(const Command& cmd, TimeUs now, std::vector<Event>& out);

  // Applies an event recorded earlier. Events must arrive in sequence order,
  // starting at seq() + 1. Throws CorruptionError if the event does not fit.
  void apply_event(const Event& e);

  // Records that `request_id` produced events [first_seq, first_seq + count).
  void remember_request(std::string_view request_id, RequestRecord record);
  // The record of an earlier accepted command with this request id, or null.
  const RequestRecord* find_request(std::string_view request_id) const;

  // The whole state; the request-id memory only if `with_requests` (it is
  // large and only the engine's own store needs it).
  HallState export_state(bool with_requests = true) const;
  // The state without copying: everything but the request-id memory
  // (`requests` is always empty here), and that memory apart. Both valid
  // until the next change of the hall.
  const HallState& state() const { return state_; }
  const RequestMemory& request_memory() const { return requests_; }
  // Replaces the whole state. Throws CorruptionError if it does not fit the config.
  void import_state(HallState state);

  // Replaces the call policy (e.g. for a replay); the pointer must outlive the hall.
  void set_policy(const CallPolicy* policy) { policy_ = policy; }

  // --- CallView: what policies see ---
  const HallConfig& config() const override { return *config_; }
  const std::vector<Skill>& skills(WindowIdx w) const override { return state_.windows[w].skills; }
  int consecutive_priority(WindowIdx w) const override { return state_.windows[w].consecutive_priority; }
  const QueueEntry* head(ServiceIdx s, QueueClass c) const override { return index_.queues[s].head(c); }
  bool has_waiting(ServiceIdx s) const override { return !index_.queues[s].empty(); }
  double mean_handle_s(ServiceIdx s) const override;
  double arrival_rate(ServiceIdx s, TimeUs now) const override { return state_.stats[s].arrival_rate(now); }
  int open_windows(ServiceIdx s, int level) const override;
  // Windows not closed (open or paused), ascending; kept up to date by the
  // window events, so predictors need not walk every window of the hall.
  const std::vector<WindowIdx>& active_windows() const { return index_.active; }
  // Windows the config gives `s` as a first-level skill (fixed for the hall's life).
  int configured_primary_windows(ServiceIdx s) const { return index_.primary_configured[s]; }

  // --- read-only views for predictors, codecs and tools ---
  const std::shared_ptr<const HallConfig>& config_ptr() const { return config_; }
  const CallPolicy& policy() const { return *policy_; }
  const WaitPredictor& predictor() const { return *predictor_; }
  Seq seq() const { return state_.seq; }
  TimeUs clock() const { return state_.clock; }
  std::int64_t day() const { return state_.day; }
  const std::vector<Window>& windows() const { return state_.windows; }
  const Window& window(WindowIdx w) const { return state_.windows[w]; }
  const ServiceQueue& queue(ServiceIdx s) const { return index_.queues[s]; }
  const ServiceStats& stats(ServiceIdx s) const { return state_.stats[s]; }
  const std::vector<std::string>& staff_names() const { return state_.staff_names; }
  std::string_view staff_id(StaffIdx s) const;
  // Today's and still-active tickets, ascending id.
  const std::vector<Ticket>& tickets() const { return state_.tickets; }
  const Ticket* find_ticket(TicketId id) const;
  // Today's ticket with this printed number ("A012"), or null.
  const Ticket* find_number(std::string_view number) const;
  std::string number_of(const Ticket& t) const;
  // The printed number of ticket `id`: today's tickets and the earlier days'
  // still open to 补充评价 (HallState::rateable); "" for any other id.
  std::string printed_number(TicketId id) const;
  // Earlier days' tickets open to 补充评价, ascending id.
  const std::vector<RateableTicket>& rateable() const { return state_.rateable; }
  // The entry of `rateable()` for ticket `id`, or null.
  const RateableTicket* find_rateable_ticket(TicketId id) const;
  std::size_t waiting(ServiceIdx s) const { return index_.queues[s].size(); }
  // Open tidal-window advisories (at most one per service).
  const std::vector<Advisory>& advisories() const { return state_.advisories; }
  // The notice a manager broadcast to the screens (SetNotice); empty if none.
  const std::string& notice() const { return state_.notice; }
  // The hall's devices, as they last reported (ReportDevice), ascending id.
  const std::vector<std::pair<std::string, DeviceStatus>>& devices() const { return state_.devices; }
  const DeviceStatus* find_device(std::string_view id) const;
  // How long a pause (lunch, a break) lasts here, learned from resumed pauses;
  // 30 minutes until there is history.
  double mean_pause_s() const;
  // Appointment bookings of today and later days (booking.h), ascending code.
  const std::vector<Booking>& bookings() const { return state_.bookings; }
  const Booking* find_booking(std::uint32_t code) const;
  // Today's remote tickets (remote_ticket.h), ascending ticket id.
  const std::vector<RemoteTicket>& remotes() const { return state_.remotes; }
  // The remote record of ticket `id`, or null (a walk-in, an appointment).
  const RemoteTicket* find_remote(TicketId id) const;
  // The remote ticket with check-in code `code`, or null.
  const RemoteTicket* find_remote_code(std::uint32_t code) const;
  // 差评工单 (work_order.h): open ones and those closed today, ascending ticket.
  const std::vector<WorkOrder>& work_orders() const { return state_.work_orders; }
  // The work order of ticket `id`, or null.
  const WorkOrder* find_work_order(TicketId id) const;
  // First calls made today, and those of them that went to remote tickets
  // (HallRules::remote_call_share).
  std::uint32_t calls_today() const { return index_.calls_today; }
  std::uint32_t remote_calls_today() const { return index_.remote_calls_today; }
  std::size_t waiting_total() const;

 private:
  // Indexes derived from state_ for fast lookups; rebuild_indexes() makes
  // them from scratch (construction, import_state), apply_event keeps them
  // up to date event by event. Never stored: a snapshot is state_ alone.
  struct Indexes {
    std::vector<ServiceQueue> queues;              // per service: its waiting tickets in order
    std::vector<std::vector<TicketId>> by_number;  // per issuing service: today's ids, [number - 1]
    std::vector<std::array<std::uint16_t, 10>> open_at_level;  // per service: open windows by skill level
    std::vector<WindowIdx> active;                             // windows not closed, ascending
    std::vector<int> primary_configured;                       // per service: config windows at level 1
    std::uint32_t calls_today = 0;                             // tickets called for the first time today
    std::uint32_t remote_calls_today = 0;                      // ... of them remote tickets
  };

  // hall_decide.cc: commands -> events.
  Status apply_body(const CommandBody& body, TimeUs now, std::vector<Event>& out);
  void advance(TimeUs now, std::vector<Event>& out);
  void emit(EventBody body, TimeUs now, std::vector<Event>& out);

  // hall_fold.cc: events -> state_ and index_.
  Ticket* ticket_mut(TicketId id);
  void enqueue(Ticket& t);
  void dequeue(Ticket& t);
  StaffIdx intern_staff(const std::string& staff_id);
  Booking* booking_mut(std::uint32_t code);
  RemoteTicket* remote_mut(TicketId id);
  WorkOrder* work_order_mut(TicketId id);

  // hall_state.cc: index_ from state_.
  void rebuild_indexes();
  void count_open_windows();

  std::shared_ptr<const HallConfig> config_;
  const CallPolicy* policy_;
  const WaitPredictor* predictor_;

  // The hall's state, all of it but the request-id memory (state_.requests
  // stays empty: the ids live in requests_, which export_state copies out).
  HallState state_;
  Indexes index_;
  RequestMemory requests_;
};

}  // namespace hallq::core
