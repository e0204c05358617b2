// Appointments (预约) in the core: Book, CancelBooking, CheckIn, the release
// of missed bookings, and every refusal (which changes nothing).
#include <gtest/gtest.h>

#include <string>

#include "engine/core/booking.h"
#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

// Hashes of ID numbers (64 hex digits).
const std::string kAnn = std::string(48, '0') + "0123456789abcdef";
const std::string kBob = std::string(32, 'f') + "fedcba9876543210fedcba9876543210";
const std::string kCat = std::string(63, '0') + "1";

// 09:00 is at(0); slot starts as local minutes of day.
constexpr int k0930 = 9 * 60 + 30, k1000 = 10 * 60, k1130 = 11 * 60 + 30;

class AppointmentTest : public HallFixture {
 protected:
  void SetUp() override {
    build([](HallConfig& c) {
      AppointmentConfig a;
      a.service = kCivil;
      a.slot_min = 30;
      a.capacity = 2;
      a.hours = {{9 * 60, 12 * 60}};  // 09:00 ... 11:30
      a.check_in_before_min = 30;
      a.check_in_after_min = 10;
      a.book_ahead_days = 3;
      c.appointments = {a};
    });
  }
  // Books and returns the code.
  std::uint32_t book(std::string_view person, int slot, TimeUs now, std::uint32_t nonce = 0,
                     std::int64_t day = kDay) {
    for (const Event& e : ok(Book{"civil", day, slot, person, "", nonce}, now))
      if (const auto* made = std::get_if<BookingMade>(&e.body)) return made->code;
    ADD_FAILURE() << "no booking made";
    return 0;
  }
};

TEST_F(AppointmentTest, BookCheckInAndServedFirstInItsSlot) {
  auto ev = ok(Book{"civil", kDay, k1000, kAnn, "13800138000", 42}, at(0));
  EXPECT_TRUE(bodies_are(ev, {BookingMade{100'042, kCivil, kDay, k1000, kAnn, "13800138000"}}));
  ASSERT_NE(hall_->find_booking(100'042), nullptr);
  EXPECT_EQ(hall_->find_booking(100'042)->state, BookingState::kBooked);
  ok(IssueTicket{"civil"}, at(1));  // B001, a walk-in
  // Check-in opens 30 minutes before the slot.
  EXPECT_TRUE(refused(CheckIn{100'042}, ErrorCode::kNotCheckInTime, at(29)));
  ev = ok(CheckIn{100'042}, at(30));
  ASSERT_EQ(ev.size(), 2u);
  const auto* issued = std::get_if<TicketIssued>(&ev[0].body);
  ASSERT_NE(issued, nullptr);
  EXPECT_EQ(issued->service, kCivil);
  EXPECT_EQ(issued->priority, Priority::kAppointment);
  EXPECT_EQ(ev[1].body, EventBody(BookingCheckedIn{100'042, issued->ticket}));
  EXPECT_EQ(hall_->find_booking(100'042)->state, BookingState::kCheckedIn);
  EXPECT_EQ(hall_->find_booking(100'042)->ticket, issued->ticket);
  // Served before the walk-in who came earlier.
  ok(OpenWindow{"w2", ""}, at(31));
  ev = ok(CallNext{"w2"}, at(32));
  EXPECT_TRUE(bodies_are(ev, {TicketCalled{issued->ticket, kW2}}));
  EXPECT_TRUE(refused(CheckIn{100'042}, ErrorCode::kWrongTicketState, at(33))) << "twice";
  EXPECT_TRUE(refused(CancelBooking{100'042}, ErrorCode::kWrongTicketState, at(33)));
}

TEST_F(AppointmentTest, EveryWrongBookingIsRefused) {
  EXPECT_TRUE(refused(Book{"nothing", kDay, k1000, kAnn, "", 0}, ErrorCode::kUnknownService, at(0)));
  EXPECT_TRUE(refused(Book{"social", kDay, k1000, kAnn, "", 0}, ErrorCode::kBadArgument, at(0)))
      << "social takes no bookings";
  for (const std::string& person :
       {std::string(), std::string("0123"), std::string(48, '0') + "0123456789ABCDEF",
        std::string("110101199003077777"), std::string(63, '0') + "g", kAnn + "0"})
    EXPECT_TRUE(refused(Book{"civil", kDay, k1000, person, "", 0}, ErrorCode::kBadArgument, at(0))) << person;
  for (std::string_view phone : {"1380013800", "23800138000", "1380013800x", "+8613800138000"})
    EXPECT_TRUE(refused(Book{"civil", kDay, k1000, kAnn, phone, 0}, ErrorCode::kBadArgument, at(0))) << phone;
  EXPECT_TRUE(refused(Book{"civil", kDay - 1, k1000, kAnn, "", 0}, ErrorCode::kBadArgument, at(0))) << "past";
  EXPECT_TRUE(refused(Book{"civil", kDay + 4, k1000, kAnn, "", 0}, ErrorCode::kBadArgument, at(0)))
      << "ahead";
  for (int slot : {k1000 + 10, 12 * 60, 8 * 60 + 30, -30, 24 * 60, 100'000})
    EXPECT_TRUE(refused(Book{"civil", kDay, slot, kAnn, "", 0}, ErrorCode::kBadArgument, at(0))) << slot;
  ok(Tick{}, at(45));
  EXPECT_TRUE(refused(Book{"civil", kDay, k0930, kAnn, "", 0}, ErrorCode::kBadArgument, at(41)))
      << "slot over";
  EXPECT_TRUE(refused(CheckIn{123'456}, ErrorCode::kUnknownBooking, at(41)));
  EXPECT_TRUE(refused(CancelBooking{0}, ErrorCode::kUnknownBooking, at(41)));
  EXPECT_TRUE(hall_->bookings().empty());
}

TEST_F(AppointmentTest, OnePersonOneBookingPerServiceAndDayAndSlotsFill) {
  book(kAnn, k1000, at(0));
  EXPECT_TRUE(refused(Book{"civil", kDay, k1130, kAnn, "", 7}, ErrorCode::kAlreadyBooked, at(1)));
  book(kAnn, k1000, at(1), 0, kDay + 1);  // another day is another booking
  const std::uint32_t bob = book(kBob, k1000, at(2));
  EXPECT_TRUE(refused(Book{"civil", kDay, k1000, kCat, "", 0}, ErrorCode::kSlotFull, at(3)));
  // A cancelled booking frees its place.
  ok(CancelBooking{bob}, at(4));
  EXPECT_EQ(hall_->find_booking(bob), nullptr);
  EXPECT_TRUE(refused(CancelBooking{bob}, ErrorCode::kUnknownBooking, at(5)));
  book(kCat, k1000, at(5));
}

TEST_F(AppointmentTest, CodesComeFromTheNonceAndNeverRepeat) {
  EXPECT_EQ(book(kAnn, k1000, at(0), 900'000 + 5), 100'005u);
  EXPECT_EQ(book(kBob, k1000, at(0), 5), 100'006u);                  // taken: the next one
  EXPECT_EQ(book(kCat, k1130, at(0), 899'999), 999'999u);            // the last code
  EXPECT_EQ(book(kAnn, k1130, at(0), 899'999, kDay + 1), 100'000u);  // wraps to the first
  EXPECT_EQ(parse_booking_code("100005"), 100'005u);
  EXPECT_EQ(parse_booking_code("012345"), 0u);
  EXPECT_EQ(parse_booking_code("12345"), 0u);
}

TEST_F(AppointmentTest, AMissedSlotIsANoShowAndReleased) {
  const std::uint32_t ann = book(kAnn, k0930, at(0));
  const std::uint32_t bob = book(kBob, k1000, at(0));
  ok(Tick{}, at(40));  // 09:40: ann's margin ends at 09:40 itself
  EXPECT_EQ(hall_->find_booking(ann)->state, BookingState::kBooked);
  auto ev = ok(Tick{}, at(40.5));
  EXPECT_TRUE(bodies_are(ev, {BookingMissed{ann}}));
  EXPECT_EQ(hall_->find_booking(ann)->state, BookingState::kNoShow);
  EXPECT_TRUE(refused(CheckIn{ann}, ErrorCode::kNotCheckInTime, at(41)));
  EXPECT_TRUE(refused(CancelBooking{ann}, ErrorCode::kNotCheckInTime, at(41)));
  // A no-show may book again that day.
  book(kAnn, k1130, at(42));
  // Bob checks in late but within the margin; nobody else is missed.
  ev = ok(CheckIn{bob}, at(69));
  EXPECT_EQ(ev.size(), 2u);
}

TEST_F(AppointmentTest, TheNextDayForgetsYesterdaysBookings) {
  book(kAnn, k1000, at(0));
  const std::uint32_t later = book(kBob, k1000, at(0), 77, kDay + 2);
  auto ev = ok(Tick{}, at(24 * 60));
  ASSERT_EQ(ev.size(), 2u);  // ann missed, then the day rolls
  EXPECT_TRUE(std::holds_alternative<BookingMissed>(ev[0].body));
  EXPECT_TRUE(std::holds_alternative<DayRolled>(ev[1].body));
  ASSERT_EQ(hall_->bookings().size(), 1u);
  EXPECT_EQ(hall_->bookings()[0].code, later);
  // Checking in a day early says when.
  EXPECT_TRUE(refused(CheckIn{later}, ErrorCode::kNotCheckInTime, at(24 * 60 + 1)));
}

TEST_F(AppointmentTest, WeekendSessionsAndHolidays) {
  build([](HallConfig& c) {
    c.weekdays = 0b0111110;
    c.closed_days = {kDay + 1};  // Tuesday
    AppointmentConfig a;
    a.service = kCivil;
    a.hours = {{9 * 60, 10 * 60}};
    a.sessions = {{0b1000000, {{9 * 60, 10 * 60}}}};  // Saturday
    c.appointments = {a};
  });
  ok(Book{"civil", kDay, 9 * 60, kAnn, "", 0}, at(0));
  EXPECT_TRUE(refused(Book{"civil", kDay + 1, 9 * 60, kBob, "", 0}, ErrorCode::kBadArgument, at(1)))
      << "holiday";
  ok(Book{"civil", kDay + 5, 9 * 60, kBob, "", 0}, at(1));  // Saturday session
  EXPECT_TRUE(refused(Book{"civil", kDay + 6, 9 * 60, kCat, "", 0}, ErrorCode::kBadArgument, at(1)))
      << "Sunday";
}

TEST(BookingText, SlotTimesAndMaskedPhones) {
  EXPECT_EQ(parse_slot_time("09:30"), 570);
  EXPECT_EQ(parse_slot_time("00:00"), 0);
  EXPECT_EQ(parse_slot_time("23:59"), 1439);
  for (const char* bad : {"9:30", "24:00", "09:60", "09:30:00", "0930", "ab:cd", "", " 9:30"})
    EXPECT_EQ(parse_slot_time(bad), -1) << bad;
  EXPECT_EQ(format_slot_time(570), "09:30");
  EXPECT_EQ(mask_phone("13812345678"), "138****5678");
  EXPECT_EQ(mask_phone("1381234"), "*******");
  EXPECT_EQ(mask_phone(""), "");
}

}  // namespace
}  // namespace hallq::test
