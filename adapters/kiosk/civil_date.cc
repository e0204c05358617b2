#include "adapters/kiosk/civil_date.h"

#include <fmt/format.h>

#include <charconv>

namespace hallq::kiosk {

std::int64_t days_from_civil(CivilDate d) {
  const std::int64_t y = d.year - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (d.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

bool valid_date(CivilDate d) {
  if (d.month < 1 || d.month > 12 || d.day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  const int limit = d.month == 2 && leap ? 29 : kDays[d.month - 1];
  return d.day <= limit;
}

int age_on(CivilDate birth, CivilDate today) {
  int age = today.year - birth.year;
  if (today.month < birth.month || (today.month == birth.month && today.day < birth.day)) --age;
  return age;
}

std::optional<CivilDate> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  CivilDate d;
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    const char* b = text.data() + pos;
    auto [p, ec] = std::from_chars(b, b + len, out);
    return ec == std::errc() && p == b + len;
  };
  if (!num(0, 4, d.year) || !num(5, 2, d.month) || !num(8, 2, d.day)) return std::nullopt;
  if (!valid_date(d)) return std::nullopt;
  return d;
}

std::string format_iso_date(CivilDate d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

namespace {
std::int64_t local_seconds(core::TimeUs t, int utc_offset_min) {
  const std::int64_t s = t / core::kUsPerSecond + std::int64_t{utc_offset_min} * 60;
  return s;
}
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace

CivilDate local_date(core::TimeUs t, int utc_offset_min) {
  return civil_from_days(floor_div(local_seconds(t, utc_offset_min), 86400));
}

int local_minute_of_day(core::TimeUs t, int utc_offset_min) {
  const std::int64_t s = local_seconds(t, utc_offset_min);
  return static_cast<int>((s - floor_div(s, 86400) * 86400) / 60);
}

}  // namespace hallq::kiosk
