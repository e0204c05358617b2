#include "engine/view/appointment_figures.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/core/appointment_slots.h"
#include "engine/core/calendar.h"

namespace hallq::view {

std::vector<ServiceAppointments> appointments_on(const core::Hall& hall, std::int64_t day) {
  const core::HallConfig& cfg = hall.config();
  std::vector<ServiceAppointments> out;
  for (const core::AppointmentConfig& a : cfg.appointments) {
    ServiceAppointments s;
    s.service = cfg.services[a.service].id;
    s.name = cfg.services[a.service].name;
    s.slot_min = a.slot_min;
    for (int start : core::slot_starts(cfg, a, day)) s.slots.push_back({start, a.capacity, 0, 0, 0});
    for (const core::Booking& b : hall.bookings()) {
      if (b.service != a.service || b.day != day) continue;
      auto slot = std::find_if(s.slots.begin(), s.slots.end(),
                               [&](const SlotFigures& f) { return f.start_min == b.slot_min; });
      if (slot == s.slots.end()) {  // a slot the config no longer has: still counted
        slot = s.slots.insert(std::upper_bound(s.slots.begin(), s.slots.end(), b.slot_min,
                                               [](int m, const SlotFigures& f) { return m < f.start_min; }),
                              {b.slot_min, 0, 0, 0, 0});
      }
      ++slot->booked;
      if (b.state == core::BookingState::kCheckedIn) ++slot->checked_in;
      if (b.state == core::BookingState::kNoShow) ++slot->no_show;
    }
    for (const SlotFigures& f : s.slots) {
      s.capacity += f.capacity;
      s.booked += f.booked;
      s.checked_in += f.checked_in;
      s.no_show += f.no_show;
    }
    s.fill = s.capacity > 0 ? static_cast<double>(s.booked) / s.capacity : 0;
    const int settled = s.checked_in + s.no_show;
    s.show_up_rate = settled > 0 ? static_cast<double>(s.checked_in) / settled : 0;
    out.push_back(std::move(s));
  }
  return out;
}

nlohmann::json appointments_json(const std::vector<ServiceAppointments>& services, std::int64_t day) {
  nlohmann::json list = nlohmann::json::array();
  for (const ServiceAppointments& s : services) {
    nlohmann::json slots = nlohmann::json::array();
    for (const SlotFigures& f : s.slots)
      slots.push_back({{"start", fmt::format("{:02}:{:02}", f.start_min / 60, f.start_min % 60)},
                       {"capacity", f.capacity},
                       {"booked", f.booked},
                       {"checked_in", f.checked_in},
                       {"no_show", f.no_show}});
    list.push_back({{"service", s.service},
                    {"name", s.name},
                    {"slot_min", s.slot_min},
                    {"capacity", s.capacity},
                    {"booked", s.booked},
                    {"checked_in", s.checked_in},
                    {"no_show", s.no_show},
                    {"fill", s.fill},
                    {"show_up_rate", s.show_up_rate},
                    {"slots", std::move(slots)}});
  }
  return {{"date", core::format_date(day)}, {"services", std::move(list)}};
}

}  // namespace hallq::view
