// A day's appointments per slot for managers: capacity, booked, checked in,
// no-show, fill and show-up rate, from bookings made through the real core.
#include "engine/view/appointment_figures.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/core/booking.h"
#include "tests/view/view_hall.h"

namespace hallq::view::testing {
namespace {

std::shared_ptr<const core::HallConfig> bookable_config() {
  auto cfg = std::make_shared<core::HallConfig>(*view_hall_config());
  core::AppointmentConfig a;
  a.service = kCivil;
  a.slot_min = 30;
  a.capacity = 3;
  a.hours = {{9 * 60, 10 * 60}};  // 09:00 and 09:30
  a.check_in_after_min = 10;
  cfg->appointments = {a};
  EXPECT_EQ(cfg->validate_and_index(), std::nullopt);
  return cfg;
}

std::string person(char c) { return std::string(64, c); }

TEST(AppointmentFigures, PerSlotFillAndShowUp) {
  core::Hall hall(bookable_config(), policy::find_policy("oldest"), &predict::default_predictor());
  const core::TimeUs t0 = hall.config().day_start(kDay) + 8 * 60 * core::kUsPerMinute;  // 08:00
  std::vector<core::Event> out;
  auto run = [&](const core::CommandBody& body, int minutes_after_eight) {
    const core::Status st = hall.apply({{}, body}, t0 + minutes_after_eight * core::kUsPerMinute, out);
    EXPECT_TRUE(st.ok()) << st.message();
  };
  run(core::Book{"civil", kDay, 9 * 60, person('a'), "", 1}, 0);
  run(core::Book{"civil", kDay, 9 * 60, person('b'), "", 2}, 0);
  run(core::Book{"civil", kDay, 9 * 60 + 30, person('c'), "", 3}, 0);
  run(core::Book{"civil", kDay + 1, 9 * 60, person('a'), "", 4}, 0);
  run(core::CheckIn{100'001}, 40);  // 08:40
  run(core::Tick{}, 71);            // 09:11: b missed 09:00 + 10

  const std::vector<ServiceAppointments> today = appointments_on(hall, kDay);
  ASSERT_EQ(today.size(), 1u);
  const ServiceAppointments& s = today[0];
  EXPECT_EQ(s.service, "civil");
  ASSERT_EQ(s.slots.size(), 2u);
  EXPECT_EQ(s.slots[0], (SlotFigures{9 * 60, 3, 2, 1, 1}));
  EXPECT_EQ(s.slots[1], (SlotFigures{9 * 60 + 30, 3, 1, 0, 0}));
  EXPECT_EQ(s.capacity, 6);
  EXPECT_EQ(s.booked, 3);
  EXPECT_DOUBLE_EQ(s.fill, 0.5);
  EXPECT_DOUBLE_EQ(s.show_up_rate, 0.5);

  const nlohmann::json j = appointments_json(today, kDay);
  EXPECT_EQ(j["date"], "2024-03-04");
  EXPECT_EQ(j["services"][0]["slots"][1]["start"], "09:30");
  EXPECT_EQ(j["services"][0]["slots"][0]["no_show"], 1);

  const std::vector<ServiceAppointments> tomorrow = appointments_on(hall, kDay + 1);
  EXPECT_EQ(tomorrow[0].booked, 1);
  EXPECT_DOUBLE_EQ(tomorrow[0].show_up_rate, 0);
}

}  // namespace
}  // namespace hallq::view::testing
