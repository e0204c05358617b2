#include "engine/stats/local_date.h"

#include <fmt/format.h>

#include <chrono>

namespace hallq::stats {
namespace {

std::chrono::year_month_day ymd_of(std::int64_t day) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day}}};
}

}  // namespace

std::optional<std::int64_t> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return std::nullopt;
  if (y < 1970 || y > 2999) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd}.time_since_epoch().count();
}

std::string format_date(std::int64_t day) {
  const auto ymd = ymd_of(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::int64_t month_of_day(std::int64_t day) {
  const auto ymd = ymd_of(day);
  return static_cast<std::int64_t>(static_cast<int>(ymd.year())) * 12 + static_cast<unsigned>(ymd.month()) -
         1;
}

std::int64_t first_day_of_month(std::int64_t month) {
  const int y = static_cast<int>(month >= 0 ? month / 12 : (month - 11) / 12);
  const unsigned m = static_cast<unsigned>(month - static_cast<std::int64_t>(y) * 12) + 1;
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{1}}
      .time_since_epoch()
      .count();
}

std::string format_month(std::int64_t month) {
  const std::int64_t y = month >= 0 ? month / 12 : (month - 11) / 12;
  return fmt::format("{:04}-{:02}", y, month - y * 12 + 1);
}

std::int64_t bucket_of(const core::HallConfig& hall, Period p, core::TimeUs t) {
  switch (p) {
    case Period::kAll:
      return 0;
    case Period::kHour:
      return hall.local_day(t) * 24 + hall.local_second_of_day(t) / 3600;
    case Period::kDay:
      return hall.local_day(t);
    case Period::kMonth:
      return month_of_day(hall.local_day(t));
  }
  return 0;
}

core::TimeUs bucket_start(const core::HallConfig& hall, Period p, std::int64_t key) {
  switch (p) {
    case Period::kAll:
      return 0;
    case Period::kHour: {
      const std::int64_t day = key >= 0 ? key / 24 : (key - 23) / 24;
      return hall.day_start(day) + (key - day * 24) * 3600 * core::kUsPerSecond;
    }
    case Period::kDay:
      return hall.day_start(key);
    case Period::kMonth:
      return hall.day_start(first_day_of_month(key));
  }
  return 0;
}

std::string bucket_label(Period p, std::int64_t key) {
  switch (p) {
    case Period::kAll:
      return "全部";
    case Period::kHour: {
      const std::int64_t day = key >= 0 ? key / 24 : (key - 23) / 24;
      return fmt::format("{} {:02}时", format_date(day), key - day * 24);
    }
    case Period::kDay:
      return format_date(key);
    case Period::kMonth:
      return format_month(key);
  }
  return {};
}

}  // namespace hallq::stats
