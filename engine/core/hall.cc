// Hall's construction and read accessors; the rest of the class lives in
// hall_decide.cc (commands -> events), hall_fold.cc (events -> state) and
// hall_state.cc (export, import and the derived indexes).
#include "engine/core/hall.h"

#include <algorithm>
#include <utility>

namespace hallq::core {

Hall::Hall(std::shared_ptr<const HallConfig> config, const CallPolicy* policy, const WaitPredictor* predictor)
    : config_(std::move(config)), policy_(policy), predictor_(predictor) {
  const std::size_t n_services = config_->services.size();
  state_.windows.resize(config_->windows.size());
  for (std::size_t i = 0; i < state_.windows.size(); ++i)
    state_.windows[i].skills = config_->windows[i].serves;
  state_.stats.resize(n_services);
  state_.last_number.assign(n_services, 0);
  index_.primary_configured.assign(n_services, 0);
  for (const WindowConfig& w : config_->windows)
    for (const Skill& k : w.serves)
      if (k.level == 1) ++index_.primary_configured[k.service];
  rebuild_indexes();
}

double Hall::mean_pause_s() const {
  constexpr double kPriorS = 30 * 60, kPriorWeight = 2;
  return (state_.pause_seconds + kPriorS * kPriorWeight) / (state_.pauses + kPriorWeight);
}

double Hall::mean_handle_s(ServiceIdx s) const {
  return state_.stats[s].mean_handle_s(config_->services[s].expected_handle_min * 60);
}

int Hall::open_windows(ServiceIdx s, int level) const {
  return level >= 1 && level <= 9 ? index_.open_at_level[s][level] : 0;
}

// ---------------------------------------------------------------- lookups

std::string_view Hall::staff_id(StaffIdx s) const {
  return s < state_.staff_names.size() ? std::string_view(state_.staff_names[s]) : std::string_view();
}

const Ticket* Hall::find_ticket(TicketId id) const {
  if (state_.tickets.empty() || id < state_.tickets.front().id) return nullptr;
  const std::size_t i = id - state_.tickets.front().id;
  return i < state_.tickets.size() ? &state_.tickets[i] : nullptr;
}

Ticket* Hall::ticket_mut(TicketId id) { return const_cast<Ticket*>(find_ticket(id)); }

const DeviceStatus* Hall::find_device(std::string_view id) const {
  auto it = std::lower_bound(state_.devices.begin(), state_.devices.end(), id,
                             [](const auto& d, std::string_view key) { return d.first < key; });
  return it != state_.devices.end() && it->first == id ? &it->second : nullptr;
}

const Booking* Hall::find_booking(std::uint32_t code) const {
  auto it = std::lower_bound(state_.bookings.begin(), state_.bookings.end(), code,
                             [](const Booking& b, std::uint32_t c) { return b.code < c; });
  return it != state_.bookings.end() && it->code == code ? &*it : nullptr;
}

const RemoteTicket* Hall::find_remote(TicketId id) const {
  auto it = std::lower_bound(state_.remotes.begin(), state_.remotes.end(), id,
                             [](const RemoteTicket& r, TicketId t) { return r.ticket < t; });
  return it != state_.remotes.end() && it->ticket == id ? &*it : nullptr;
}

const WorkOrder* Hall::find_work_order(TicketId id) const {
  auto it = std::lower_bound(state_.work_orders.begin(), state_.work_orders.end(), id,
                             [](const WorkOrder& o, TicketId t) { return o.ticket < t; });
  return it != state_.work_orders.end() && it->ticket == id ? &*it : nullptr;
}

const RemoteTicket* Hall::find_remote_code(std::uint32_t code) const {
  for (const RemoteTicket& r : state_.remotes)
    if (r.code == code) return &r;
  return nullptr;
}

const Ticket* Hall::find_number(std::string_view number) const {
  std::string_view prefix;
  std::uint32_t n = 0;
  if (!split_number(number, prefix, n) || n == 0) return nullptr;
  const auto s = config_->find_prefix(prefix);
  if (!s || n > index_.by_number[*s].size()) return nullptr;
  return find_ticket(index_.by_number[*s][n - 1]);
}

std::string Hall::number_of(const Ticket& t) const {
  return format_number(config_->services[t.issued_service].prefix, t.number, config_->rules.number_digits);
}

std::string Hall::printed_number(TicketId id) const {
  if (const Ticket* t = find_ticket(id)) return number_of(*t);
  const RateableTicket* r = find_rateable_ticket(id);
  if (r == nullptr) return {};
  return format_number(config_->services[r->issued_service].prefix, r->number, config_->rules.number_digits);
}

const RateableTicket* Hall::find_rateable_ticket(TicketId id) const {
  const auto r = std::lower_bound(state_.rateable.begin(), state_.rateable.end(), id,
                                  [](const RateableTicket& x, TicketId v) { return x.ticket < v; });
  return r != state_.rateable.end() && r->ticket == id ? &*r : nullptr;
}

std::size_t Hall::waiting_total() const {
  std::size_t n = 0;
  for (const ServiceQueue& q : index_.queues) n += q.size();
  return n;
}

const RequestRecord* Hall::find_request(std::string_view request_id) const {
  return requests_.find(request_id);
}

void Hall::remember_request(std::string_view request_id, RequestRecord record) {
  requests_.remember(request_id, record);
}

}  // namespace hallq::core
