// The appointment slots of a day: main hours on the hall's days or their
// own, extra sessions, holidays and 调休.
#include "engine/core/appointment_slots.h"

#include <gtest/gtest.h>

#include "engine/core/calendar.h"

namespace hallq::core {
namespace {

std::int64_t day(const char* date) { return *parse_day(date); }

class AppointmentSlotsTest : public ::testing::Test {
 protected:
  AppointmentSlotsTest() {
    cfg.id = "t";
    cfg.name = "测试大厅";
    cfg.hours = {{8 * 60 + 30, 17 * 60 + 30}};
    cfg.weekdays = 0b0111110;               // mon-fri
    cfg.closed_days = {day("2026-12-14")};  // a Monday
    cfg.extra_days = {day("2026-12-19")};   // a Saturday
    cfg.services = {{"civil", "民政", "A", ServiceKind::kInstant, 5}};
    cfg.windows = {{"w1", 1, "窗口", WindowKind::kClassified, {{0, 1}}}};
    AppointmentConfig a;
    a.slot_min = 45;
    a.capacity = 2;
    a.hours = {{9 * 60, 11 * 60}, {14 * 60, 15 * 60}};    // 09:00 09:45 (10:30 does not fit), 14:00
    a.sessions = {{0b1000000, {{9 * 60, 10 * 60 + 30}}},  // Saturdays 09:00 09:45
                  {0, {{17 * 60 + 30, 19 * 60}}}};        // 延时: the main days, 17:30 18:15
    cfg.appointments = {a};
    EXPECT_EQ(cfg.validate_and_index(), std::nullopt);
  }
  const AppointmentConfig& appointments() const { return *cfg.appointments_of(0); }
  HallConfig cfg;
};

TEST_F(AppointmentSlotsTest, AWorkingDayHasItsHoursAndEveningSession) {
  EXPECT_EQ(slot_starts(cfg, appointments(), day("2026-12-07")),
            (std::vector<int>{540, 585, 840, 1050, 1095}));
  EXPECT_TRUE(is_slot(cfg, appointments(), day("2026-12-07"), 585));
  EXPECT_FALSE(is_slot(cfg, appointments(), day("2026-12-07"), 630));  // would end after 11:00
  EXPECT_FALSE(is_slot(cfg, appointments(), day("2026-12-07"), 560));
}

TEST_F(AppointmentSlotsTest, WeekendSessionHolidayAndExtraDay) {
  EXPECT_EQ(slot_starts(cfg, appointments(), day("2026-12-05")), (std::vector<int>{540, 585}));  // Saturday
  EXPECT_TRUE(slot_starts(cfg, appointments(), day("2026-12-06")).empty());                      // Sunday
  EXPECT_TRUE(slot_starts(cfg, appointments(), day("2026-12-14")).empty());                      // holiday
  // A working Saturday (调休): the main hours, the evening and the Saturday session.
  EXPECT_EQ(slot_starts(cfg, appointments(), day("2026-12-19")),
            (std::vector<int>{540, 585, 840, 1050, 1095}));
}

TEST_F(AppointmentSlotsTest, OwnDaysReplaceTheHalls) {
  cfg.appointments[0].weekdays = 0b0000100;  // Tuesdays only
  EXPECT_TRUE(slot_starts(cfg, appointments(), day("2026-12-07")).empty());
  EXPECT_EQ(slot_starts(cfg, appointments(), day("2026-12-08")).size(), 5u);
}

TEST_F(AppointmentSlotsTest, InvalidSettingsAreNamed) {
  const auto problem_of = [&](auto change) {
    HallConfig c = cfg;
    change(c.appointments[0]);
    const std::optional<ConfigProblem> p = c.validate_and_index();
    return p ? p->key + ": " + p->message : std::string();
  };
  EXPECT_EQ(problem_of([](AppointmentConfig& a) { a.slot_min = 4; }),
            "appointments.slot_min: must be 5..240 minutes");
  EXPECT_EQ(problem_of([](AppointmentConfig& a) { a.capacity = 0; }),
            "appointments.capacity: must be 1..1000 bookings per slot");
  EXPECT_NE(problem_of([](AppointmentConfig& a) { a.hours.clear(); }).find("appointments.hours"),
            std::string::npos);
  EXPECT_NE(problem_of([](AppointmentConfig& a) {
              a.sessions[0].hours = {{600, 500}};
            }).find("appointments.session"),
            std::string::npos);
  EXPECT_NE(problem_of([](AppointmentConfig& a) { a.service = 7; }), "");
  HallConfig twice = cfg;
  twice.appointments.push_back(twice.appointments[0]);
  ASSERT_TRUE(twice.validate_and_index().has_value());
}

}  // namespace
}  // namespace hallq::core
