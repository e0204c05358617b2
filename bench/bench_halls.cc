// Halls and the steady-state workload for the benchmarks. The driver reads the
// hall's state only to learn what a clerk would see on the caller (which
// ticket was called); everything else goes through Hall::apply, as in the engine.
#include "bench/bench_halls.h"

#include <fmt/format.h>

#include <stdexcept>

#include "engine/config/config_loader.h"
#include "engine/predict/forecast_predictor.h"
#include "tests/support/synthetic_hall.h"

namespace hallq::bench {
namespace {

using core::CommandBody;
using core::kUsPerMinute;
using core::TimeUs;

// 2026-03-02, a Monday, as days since 1970-01-01.
constexpr std::int64_t kBenchDay = 20514;
constexpr TimeUs kOpening = (8 * 60 + 30) * kUsPerMinute;
constexpr TimeUs kClosing = (17 * 60 + 30) * kUsPerMinute;
// Every 8th ticket is a priority one (elderly, disabled): enough to exercise
// the priority class without letting it dominate the calls.
constexpr std::size_t kPriorityEvery = 8;

}  // namespace

std::string_view to_string(HallSize size) {
  switch (size) {
    case HallSize::kTown:
      return "town";
    case HallSize::kDistrict:
      return "district";
    case HallSize::kBig:
      return "big";
  }
  return "?";
}

std::shared_ptr<const core::HallConfig> hall_config(HallSize size) {
  static const std::shared_ptr<const core::HallConfig> kTown =
      config::load_hall_config(HALLQ_CONF_DIR "/town.toml");
  static const std::shared_ptr<const core::HallConfig> kDistrict =
      config::load_hall_config(HALLQ_CONF_DIR "/district.toml");
  static const std::shared_ptr<const core::HallConfig> kBig = testing::make_synthetic_hall(200, 20);
  switch (size) {
    case HallSize::kTown:
      return kTown;
    case HallSize::kDistrict:
      return kDistrict;
    case HallSize::kBig:
      return kBig;
  }
  return nullptr;
}

TimeUs morning(const core::HallConfig& config, int days) {
  return config.day_start(kBenchDay + days) + kOpening;
}

// ---------------------------------------------------------------- HallDriver

HallDriver::HallDriver(std::shared_ptr<const core::HallConfig> config, const core::CallPolicy* policy,
                       bool request_ids)
    : config_(config),
      hall_(std::move(config), policy, &predict::default_predictor()),
      now_(morning(*config_)),
      closing_(config_->day_start(kBenchDay) + kClosing),
      request_ids_(request_ids),
      request_id_("5f3a9c0e7b1d2468-000000000000"),
      phase_(config_->windows.size(), 0),
      issued_today_(config_->services.size(), 0) {
  events_.reserve(16);
}

std::string_view HallDriver::next_request_id() {
  // Unique ids as clients send them, without formatting one per command: the
  // client's cost is not the core's.
  for (std::size_t i = request_id_.size() - 1; request_id_[i] != '-'; --i) {
    if (request_id_[i] != '9') {
      ++request_id_[i];
      break;
    }
    request_id_[i] = '0';
  }
  return request_id_;
}

core::Status HallDriver::apply(const CommandBody& body) {
  events_.clear();
  const std::string_view id = request_ids_ ? next_request_id() : std::string_view();
  core::Status st = hall_.apply(core::Command{id, body}, now_, events_);
  now_ += core::kUsPerSecond;
  ++commands_;
  if (!st.ok()) ++refused_;
  return st;
}

void HallDriver::open_all() {
  for (std::size_t w = 0; w < config_->windows.size(); ++w) {
    const std::string_view staff =
        config_->staff.empty() ? std::string_view() : config_->staff[w % config_->staff.size()].id;
    (void)apply(core::OpenWindow{config_->windows[w].id, staff});
  }
}

void HallDriver::fill(std::size_t waiting) {
  fill_target_ = waiting;
  const std::size_t n = config_->services.size();
  for (std::size_t i = 0; i < waiting; ++i) {
    const std::size_t s = i % n;
    const auto priority =
        ++fill_counter_ % kPriorityEvery == 0 ? core::Priority::kPriority : core::Priority::kNormal;
    if (apply(core::IssueTicket{config_->services[s].id, priority}).ok()) {
      issued_max_ = std::max(issued_max_, ++issued_today_[s]);
    }
  }
}

bool HallDriver::near_ticket_limit() const {
  return issued_max_ + 1 >= static_cast<std::uint32_t>(config_->rules.max_tickets_per_service);
}

void HallDriver::next_day() {
  const std::int64_t today = config_->local_day(now_);
  now_ = config_->day_start(today + 1) + kOpening;
  closing_ = config_->day_start(today + 1) + kClosing;
  (void)apply(core::Tick{});
  std::fill(issued_today_.begin(), issued_today_.end(), 0);
  issued_max_ = 0;
  ++days_;
  fill(fill_target_);
}

int HallDriver::step() {
  const std::uint64_t before = commands_;
  if (now_ >= closing_ || near_ticket_limit()) next_day();
  const core::WindowIdx w = cursor_;
  cursor_ = static_cast<core::WindowIdx>(cursor_ + 1u == phase_.size() ? 0 : cursor_ + 1);
  const std::string_view window = config_->windows[w].id;
  switch (phase_[w]) {
    case 0: {
      if (!apply(core::CallNext{window}).ok()) break;
      phase_[w] = 1;
      // The clerk's screen shows what was called; a newcomer for the same
      // service keeps that queue's length.
      const core::ServiceIdx s = hall_.find_ticket(hall_.window(w).current)->service;
      const auto priority =
          ++fill_counter_ % kPriorityEvery == 0 ? core::Priority::kPriority : core::Priority::kNormal;
      if (apply(core::IssueTicket{config_->services[s].id, priority}).ok())
        issued_max_ = std::max(issued_max_, ++issued_today_[s]);
      break;
    }
    case 1:
      (void)apply(core::StartService{window});
      phase_[w] = 2;
      break;
    default:
      (void)apply(core::Finish{window});
      phase_[w] = 0;
      break;
  }
  return static_cast<int>(commands_ - before);
}

}  // namespace hallq::bench
