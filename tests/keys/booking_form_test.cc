// A booking as typed: each hostile field refused by name with a Chinese
// message, a good one hashed (the ID number goes no further).
#include "engine/keys/booking_form.h"

#include <gtest/gtest.h>

namespace hallq::keys {
namespace {

PersonSalt salt() {
  std::array<std::uint8_t, kPersonSaltBytes> a{};
  a.fill(3);
  return PersonSalt(a);
}

std::string field_of(const BookingForm& f) {
  const auto r = prepare_booking(f, salt(), {2026, 12, 3});
  const FormError* e = std::get_if<FormError>(&r);
  if (e == nullptr) return "(accepted)";
  EXPECT_EQ(e->code, "bad_argument");
  EXPECT_FALSE(e->message.empty());
  return e->field;
}

TEST(BookingForm, AGoodFormIsHashed) {
  const auto r = prepare_booking({"social", "2026-12-04", "09:30", "11010519491231002x", "13800138000"},
                                 salt(), {2026, 12, 3});
  const PreparedBooking* b = std::get_if<PreparedBooking>(&r);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->service, "social");
  EXPECT_EQ(b->day, core::day_number({2026, 12, 4}));
  EXPECT_EQ(b->slot_min, 9 * 60 + 30);
  EXPECT_EQ(b->person, person_hash(salt(), "11010519491231002X"));
  EXPECT_EQ(b->phone, "13800138000");
}

TEST(BookingForm, EachHostileFieldIsNamed) {
  const std::string_view id = "11010519491231002X";
  EXPECT_EQ(field_of({"", "2026-12-04", "09:30", id, ""}), "service");
  EXPECT_EQ(field_of({"social\n", "2026-12-04", "09:30", id, ""}), "service");
  EXPECT_EQ(field_of({"social", "2026-12-4", "09:30", id, ""}), "day");
  EXPECT_EQ(field_of({"social", "2026-02-30", "09:30", id, ""}), "day");
  EXPECT_EQ(field_of({"social", "2026-12-04", "9:30", id, ""}), "slot");
  EXPECT_EQ(field_of({"social", "2026-12-04", "24:00", id, ""}), "slot");
  EXPECT_EQ(field_of({"social", "2026-12-04", "09:30", "110105194912310021", ""}), "id_number");
  EXPECT_EQ(field_of({"social", "2026-12-04", "09:30", "", ""}), "id_number");
  EXPECT_EQ(field_of({"social", "2026-12-04", "09:30", id, "23800138000"}), "phone");
  EXPECT_EQ(field_of({"social", "2026-12-04", "09:30", id, "1380013800"}), "phone");
  EXPECT_EQ(field_of({"social", "2026-12-04", "09:30", id, "1380013800a"}), "phone");
  EXPECT_EQ(field_of({"social", "2026-12-04", "09:30", id, ""}), "(accepted)");
}

}  // namespace
}  // namespace hallq::keys
