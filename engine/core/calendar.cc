#include "engine/core/calendar.h"

#include <fmt/format.h>

#include <chrono>

namespace hallq::core {
namespace {

namespace chr = std::chrono;

chr::year_month_day ymd_of(CivilDate d) {
  return chr::year{d.year} / chr::month{static_cast<unsigned>(d.month)} /
         chr::day{static_cast<unsigned>(d.day)};
}

chr::sys_days sys_days_of(std::int64_t day) { return chr::sys_days{chr::days{day}}; }

// The instant as local time: microseconds since the epoch plus the offset.
chr::sys_time<chr::microseconds> local_time(TimeUs t, int utc_offset_min) {
  return chr::sys_time<chr::microseconds>{chr::microseconds{t} + chr::minutes{utc_offset_min}};
}

}  // namespace

bool valid_date(CivilDate d) {
  return d.year >= -32767 && d.year <= 32767 && d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31 &&
         ymd_of(d).ok();
}

std::int64_t day_number(CivilDate d) { return chr::sys_days{ymd_of(d)}.time_since_epoch().count(); }

CivilDate civil_date(std::int64_t day) {
  const chr::year_month_day ymd{sys_days_of(day)};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

unsigned weekday(std::int64_t day) { return chr::weekday{sys_days_of(day)}.c_encoding(); }

std::optional<CivilDate> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  CivilDate d;
  if (!digits(0, 4, d.year) || !digits(5, 2, d.month) || !digits(8, 2, d.day)) return std::nullopt;
  if (d.year < 1970 || d.year > 2999 || !valid_date(d)) return std::nullopt;
  return d;
}

std::optional<std::int64_t> parse_day(std::string_view text) {
  const std::optional<CivilDate> d = parse_date(text);
  if (!d) return std::nullopt;
  return day_number(*d);
}

std::string format_date(CivilDate d) { return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day); }

std::string format_date(std::int64_t day) { return format_date(civil_date(day)); }

std::int64_t month_of_day(std::int64_t day) {
  const CivilDate d = civil_date(day);
  return std::int64_t{d.year} * 12 + d.month - 1;
}

std::int64_t first_day_of_month(std::int64_t month) {
  const std::int64_t year = month >= 0 ? month / 12 : (month - 11) / 12;
  return day_number({static_cast<int>(year), static_cast<int>(month - year * 12) + 1, 1});
}

std::string format_month(std::int64_t month) {
  const std::int64_t year = month >= 0 ? month / 12 : (month - 11) / 12;
  return fmt::format("{:04}-{:02}", year, month - year * 12 + 1);
}

std::int64_t local_day(TimeUs t, int utc_offset_min) {
  return chr::floor<chr::days>(local_time(t, utc_offset_min)).time_since_epoch().count();
}

CivilDate local_date(TimeUs t, int utc_offset_min) { return civil_date(local_day(t, utc_offset_min)); }

int local_second_of_day(TimeUs t, int utc_offset_min) {
  const auto local = local_time(t, utc_offset_min);
  return static_cast<int>(chr::floor<chr::seconds>(local - chr::floor<chr::days>(local)).count());
}

int local_minute_of_day(TimeUs t, int utc_offset_min) { return local_second_of_day(t, utc_offset_min) / 60; }

TimeUs day_start(std::int64_t day, int utc_offset_min) {
  return day * kUsPerDay - utc_offset_min * kUsPerMinute;
}

std::string format_time_of_day(int s) {
  return fmt::format("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

int age_on(CivilDate birth, CivilDate today) {
  int age = today.year - birth.year;
  if (today.month < birth.month || (today.month == birth.month && today.day < birth.day)) --age;
  return age;
}

}  // namespace hallq::core
