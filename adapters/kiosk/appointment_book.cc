#include "adapters/kiosk/appointment_book.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/config/config_error.h"

namespace hallq::kiosk {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t p = line.find(sep);
    out.push_back(trim(line.substr(0, p)));
    if (p == std::string_view::npos) break;
    line.remove_prefix(p + 1);
  }
  return out;
}

// "HH:MM" -> minutes; -1 if malformed.
int parse_hhmm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return -1;
  int h = 0, m = 0;
  if (std::from_chars(s.data(), s.data() + 2, h).ptr != s.data() + 2) return -1;
  if (std::from_chars(s.data() + 3, s.data() + 5, m).ptr != s.data() + 5) return -1;
  if (h > 24 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

std::string hhmm(int minutes) {
  if (minutes == 24 * 60) return "24:00";  // a slot may end at midnight
  minutes = ((minutes % 1440) + 1440) % 1440;
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

std::string used_key(std::string_view code, core::CivilDate date) {
  return core::format_date(date) + " " + std::string(code);
}

}  // namespace

std::string format_slot(int start_min, int end_min) { return hhmm(start_min) + "-" + hhmm(end_min); }

AppointmentBook AppointmentBook::parse(std::string_view text, const std::string& source) {
  AppointmentBook book;
  int line_no = 0;
  auto fail = [&](std::string_view what) {
    throw config::ConfigError(source, static_cast<std::uint32_t>(line_no), std::string(what));
  };
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    if (line_no == 1 && line.substr(0, 4) == "code") continue;
    const auto f = split(line, ',');
    if (f.size() != 5) fail(fmt::format("expected 5 fields (code,service,date,slot,name), got {}", f.size()));
    Appointment a;
    a.code = std::string(f[0]);
    if (a.code.empty() || a.code.size() > 16 || a.code.find_first_not_of("0123456789") != std::string::npos) {
      fail(fmt::format("code \"{}\": expected 1 to 16 digits", f[0]));
    }
    if (f[1].empty()) fail("service: must not be empty");
    a.service = std::string(f[1]);
    const auto date = core::parse_date(f[2]);
    if (!date) fail(fmt::format("date \"{}\": expected YYYY-MM-DD", f[2]));
    a.date = *date;
    const std::size_t dash = f[3].find('-');
    a.start_min = dash == std::string_view::npos ? -1 : parse_hhmm(f[3].substr(0, dash));
    a.end_min = dash == std::string_view::npos ? -1 : parse_hhmm(f[3].substr(dash + 1));
    if (a.start_min < 0 || a.end_min < 0 || a.end_min <= a.start_min) {
      fail(fmt::format("slot \"{}\": expected HH:MM-HH:MM with the end after the start", f[3]));
    }
    a.name = std::string(f[4]);
    if (book.by_code_.contains(a.code)) fail(fmt::format("code \"{}\" appears twice", a.code));
    book.by_code_.emplace(a.code, book.appointments_.size());
    book.appointments_.push_back(std::move(a));
  }
  return book;
}

AppointmentBook AppointmentBook::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw config::ConfigError(path, 0,
                              fmt::format("cannot open the appointments file: {}", std::strerror(errno)));
  std::ostringstream s;
  s << in.rdbuf();
  return parse(s.str(), path);
}

void AppointmentBook::open_used_log(const std::string& path) {
  used_path_ = path;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const std::string_view l = trim(line);
    if (!l.empty()) used_.emplace(l);
  }
}

bool AppointmentBook::used(std::string_view code, core::CivilDate date) const {
  return used_.contains(used_key(code, date));
}

CheckIn AppointmentBook::check(std::string_view code, core::CivilDate today, int minute, int early_min,
                               int late_min) const {
  CheckIn r;
  auto it = by_code_.find(code);
  if (it == by_code_.end()) {
    r.reason = "预约码不存在，请核对后重新输入";
    return r;
  }
  const Appointment& a = appointments_[it->second];
  if (a.date != today) {
    r.reason = fmt::format("该预约的日期是 {}，不是今天", core::format_date(a.date));
  } else if (used(code, today)) {
    r.reason = "该预约码已签到，请勿重复取号";
  } else if (minute < a.start_min - early_min) {
    r.reason = fmt::format("预约时段 {}，请于 {} 后签到", format_slot(a.start_min, a.end_min),
                           hhmm(a.start_min - early_min));
  } else if (minute > a.end_min + late_min) {
    r.reason = fmt::format("已超过预约时段 {}，请取普通号", format_slot(a.start_min, a.end_min));
  } else {
    r.appointment = &a;
  }
  return r;
}

bool AppointmentBook::mark_used(const Appointment& a, std::string& error) {
  const std::string key = used_key(a.code, a.date);
  if (!used_path_.empty()) {
    const int fd = ::open(used_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
      error = fmt::format("无法记录预约签到 {}：{}", used_path_, std::strerror(errno));
      return false;
    }
    const std::string line = key + "\n";
    const bool ok =
        ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    if (!ok) error = fmt::format("无法记录预约签到 {}：{}", used_path_, std::strerror(errno));
    ::close(fd);
    if (!ok) return false;
  }
  used_.insert(key);
  return true;
}

}  // namespace hallq::kiosk
