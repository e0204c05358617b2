// A day's appointments (预约) of a hall, per service and slot, for managers:
// each slot's capacity, bookings held, checked in, missed (no-show) and
// still to come; per service the fill of its slots and the show-up rate.
// Read from the hall's bookings (core/booking.h), which the hall keeps for
// today and later days only: an earlier day reads as empty.
//
// Pure: a function of the hall. Thread: any (with the hall not changing).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "engine/core/hall.h"

namespace hallq::view {

struct SlotFigures {
  int start_min = 0;  // local minute of day
  int capacity = 0;
  int booked = 0;      // bookings held in the slot, whatever became of them
  int checked_in = 0;  // turned into appointment tickets
  int no_show = 0;     // missed, place released
  bool operator==(const SlotFigures&) const = default;
};

struct ServiceAppointments {
  std::string service;  // id
  std::string name;
  int slot_min = 0;
  std::vector<SlotFigures> slots;  // the day's slots, in order
  int capacity = 0, booked = 0, checked_in = 0, no_show = 0;
  double fill = 0;          // booked / capacity (0 without slots)
  double show_up_rate = 0;  // checked_in / (checked_in + no_show); 0 before any outcome
};

// Every bookable service of the hall on local day `day`, in service order.
std::vector<ServiceAppointments> appointments_on(const core::Hall& hall, std::int64_t day);

// {date, services: [{service, name, slot_min, capacity, booked, checked_in,
// no_show, fill, show_up_rate, slots: [{start: "09:30", capacity, booked,
// checked_in, no_show}]}]}.
nlohmann::json appointments_json(const std::vector<ServiceAppointments>& services, std::int64_t day);

}  // namespace hallq::view
