#include "adapters/kiosk/kiosk_session.h"

#include <fmt/format.h>

#include <algorithm>

#include "adapters/kiosk/ticket_layout.h"
#include "engine/core/booking.h"
#include "engine/core/resident_id.h"
#include "engine/view/hall_summary.h"

namespace hallq::kiosk {

std::vector<ServiceTile> service_tiles(const core::Hall& hall, core::TimeUs now,
                                       const std::vector<std::string>& services) {
  const view::HallSummary summary = view::summarize(hall, now);
  std::vector<ServiceTile> out;
  auto add = [&](std::size_t i) {
    const view::ServiceSummary& s = summary.services[i];
    ServiceTile t{s.id, s.name, s.prefix, s.waiting, s.predicted_wait_s, 0};
    for (const core::Window& w : hall.windows()) {
      if (w.state != core::WindowState::kClosed &&
          core::skill_level(w, static_cast<core::ServiceIdx>(i)) > 0) {
        ++t.open_windows;
      }
    }
    if (t.open_windows == 0) t.predicted_wait_s = -1;
    out.push_back(std::move(t));
  };
  if (services.empty()) {
    for (std::size_t i = 0; i < summary.services.size(); ++i) add(i);
  } else {
    for (const std::string& id : services) {
      if (auto idx = hall.config().find_service(id)) add(*idx);
    }
  }
  return out;
}

std::string tile_caption(const ServiceTile& t) {
  if (t.open_windows == 0) return "暂无窗口办理";
  if (t.predicted_wait_s < 0) return fmt::format("前面 {} 人", t.waiting);
  return fmt::format("前面 {} 人 预计 {} 分钟", t.waiting, (t.predicted_wait_s + 59) / 60);
}

std::string_view to_string(Screen s) {
  switch (s) {
    case Screen::kHome:
      return "home";
    case Screen::kPriorityChosen:
      return "priority";
    case Screen::kPending:
      return "pending";
    case Screen::kIssued:
      return "issued";
    case Screen::kRefused:
      return "refused";
  }
  return "?";
}

KioskSession::KioskSession(const KioskConfig& config) : config_(config) {}

void KioskSession::refuse(std::string reason) {
  screen_ = Screen::kRefused;
  message_ = std::move(reason);
  priority_ = core::Priority::kNormal;
  priority_label_.clear();
}

std::optional<IssueRequest> KioskSession::begin(IssueRequest r) {
  screen_ = Screen::kPending;
  message_ = "正在出票，请稍候";
  priority_ = core::Priority::kNormal;
  priority_label_.clear();
  return r;
}

std::optional<IssueRequest> KioskSession::tap(std::string_view service,
                                              const std::vector<ServiceTile>* tiles) {
  if (pending()) {
    message_ = "正在出票，请稍候";
    return std::nullopt;
  }
  IssueRequest r;
  r.service = std::string(service);
  r.service_name = r.service;
  if (tiles) {
    auto it =
        std::find_if(tiles->begin(), tiles->end(), [&](const ServiceTile& t) { return t.id == service; });
    if (it == tiles->end()) {
      refuse("本机不办理该事项，请咨询导办台");
      return std::nullopt;
    }
    if (it->open_windows == 0) {
      refuse("该事项暂无窗口办理，请咨询导办台");
      return std::nullopt;
    }
    r.service_name = it->name;
  }
  r.priority = priority_;
  r.label = priority_label_;
  return begin(std::move(r));
}

void KioskSession::choose_priority(std::string_view category) {
  if (pending()) return;
  if (std::find(config_.categories.begin(), config_.categories.end(), category) == config_.categories.end()) {
    refuse(fmt::format("没有“{}”这一优先类别", category));
    return;
  }
  screen_ = Screen::kPriorityChosen;
  priority_ = core::Priority::kPriority;
  priority_label_ = fmt::format("优先（{}）", category);
  message_ = "请出示相关证件，并选择办理事项";
}

void KioskSession::enter_id(std::string_view id, core::CivilDate today) {
  if (pending()) return;
  const core::IdCheck c = core::check_resident_id(id, today);
  if (!c.ok()) {
    refuse(std::string(core::describe(c.problem)));
    return;
  }
  const int age = core::age_on(c.birth, today);
  if (age < config_.age_threshold) {
    refuse(fmt::format("年满 {} 周岁可走优先通道，请取普通号", config_.age_threshold));
    return;
  }
  screen_ = Screen::kPriorityChosen;
  priority_ = core::Priority::kPriority;
  priority_label_ = fmt::format("优先（{}）", config_.elderly_label);
  message_ = fmt::format("已为您开通优先通道（{} 周岁），请选择办理事项", age);
}

std::optional<IssueRequest> KioskSession::enter_appointment(std::string_view code) {
  if (pending()) {
    message_ = "正在出票，请稍候";
    return std::nullopt;
  }
  const std::uint32_t booking = core::parse_booking_code(code);
  if (booking == 0) {
    refuse("预约码为 6 位数字，请核对后重新输入");
    return std::nullopt;
  }
  IssueRequest r;
  r.priority = core::Priority::kAppointment;
  r.booking = booking;
  // A fresh request id per attempt (the sender's): the engine remembers only
  // accepted commands, and a second check-in of the same code is refused
  // by the booking's state ("已签到，号码 A001"), not by the id.
  return begin(std::move(r));
}

void KioskSession::cancel() {
  if (pending()) return;
  screen_ = Screen::kHome;
  message_.clear();
  priority_ = core::Priority::kNormal;
  priority_label_.clear();
}

void KioskSession::issued(Issued t) {
  screen_ = Screen::kIssued;
  message_ = t.on_screen ? fmt::format("请拍照或记下您的号码：{}", t.number)
                         : fmt::format("请取走您的号票：{}", t.number);
  last_ = std::move(t);
}

// Only while the citizen of `number` is still looking at its issued screen.
void KioskSession::print_delayed(std::string_view number) {
  if (screen_ == Screen::kIssued && last_ && last_->number == number)
    message_ = fmt::format("您的号码 {}：打印机恢复后将补打，请稍候", number);
}

void KioskSession::reprinted(std::string_view number) {
  if (screen_ == Screen::kIssued && last_ && last_->number == number)
    message_ = fmt::format("请取走您的号票：{}（补打）", number);
}

void KioskSession::refused(std::string reason) { refuse(std::move(reason)); }

}  // namespace hallq::kiosk
