// The fields are checked in the order a person fills them in, so the first
// message names the first thing to fix.
#include "engine/keys/booking_form.h"

#include <fmt/format.h>

#include "engine/core/booking.h"
#include "engine/core/resident_id.h"
#include "engine/core/utf8.h"

namespace hallq::keys {
namespace {

FormError bad(std::string field, std::string message) {
  return {"bad_argument", std::move(field), std::move(message)};
}

}  // namespace

std::variant<PreparedBooking, FormError> prepare_booking(const BookingForm& form, const PersonSalt& salt,
                                                         core::CivilDate today) {
  if (form.service.empty() || form.service.size() > 64 || !core::printable_utf8(form.service))
    return bad("service", "请填写事项编号（service）");
  const std::optional<std::int64_t> day = core::parse_day(form.day);
  if (!day) return bad("day", "预约日期须写成 YYYY-MM-DD，如 2026-12-04");
  const int slot = core::parse_slot_time(form.slot);
  if (slot < 0) return bad("slot", "预约时段须写成 HH:MM，如 09:30");
  const core::IdCheck id = core::check_resident_id(form.id_number, today);
  if (!id.ok()) return bad("id_number", std::string(core::describe(id.problem)));
  if (!core::valid_phone(form.phone)) return bad("phone", "手机号须为 11 位数字，以 1 开头（可不填）");
  return PreparedBooking{std::string(form.service), *day, slot, person_hash(salt, form.id_number),
                         std::string(form.phone)};
}

}  // namespace hallq::keys
