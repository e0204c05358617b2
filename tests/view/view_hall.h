// The view tests' hall, built in code and driven through core::Hall::apply as
// the engine drives it (so the tests see the states the views really meet):
//   services social "A" (社保医保, 6 min) and civil "B" (民政, 10 min);
//   w1 (no. 1) serves social, w2 (no. 2) serves civil, w3 (no. 3) civil@1
//   and social@2; staff zhang 张三, li 李四; target 20 minutes; UTC+8.
// Times are local times of 2024-03-04 (at(9, 30) is 09:30 that day).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "engine/core/command.h"
#include "engine/core/event.h"
#include "engine/core/hall.h"
#include "engine/core/hall_config.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"

namespace hallq::view::testing {

inline constexpr std::int64_t kDay = 19786;  // 2024-03-04
inline constexpr core::ServiceIdx kSocial = 0, kCivil = 1;
inline constexpr core::WindowIdx kW1 = 0, kW2 = 1, kW3 = 2;

inline std::shared_ptr<const core::HallConfig> view_hall_config() {
  auto cfg = std::make_shared<core::HallConfig>();
  cfg->id = "view-hall";
  cfg->name = "视图测试大厅";
  cfg->hours = {{8 * 60 + 30, 17 * 60 + 30}};
  cfg->wait_target_min = 20;
  cfg->utc_offset_min = 8 * 60;
  cfg->services = {{"social", "社保医保", "A", core::ServiceKind::kInstant, 6},
                   {"civil", "民政", "B", core::ServiceKind::kInstant, 10}};
  cfg->windows = {{"w1", 1, "社保窗口", core::WindowKind::kClassified, {{kSocial, 1}}},
                  {"w2", 2, "民政窗口", core::WindowKind::kClassified, {{kCivil, 1}}},
                  {"w3", 3, "综合窗口", core::WindowKind::kClassified, {{kCivil, 1}, {kSocial, 2}}}};
  cfg->staff = {{"zhang", "张三"}, {"li", "李四"}};
  if (auto problem = cfg->validate_and_index()) ADD_FAILURE() << "view hall invalid: " << problem->message;
  return cfg;
}

class ViewHall {
 public:
  ViewHall() : hall_(view_hall_config(), policy::find_policy("oldest"), &predict::default_predictor()) {}

  // 2024-03-04 hh:mm:ss local, as core time.
  core::TimeUs at(int hour, int minute, int second = 0) const {
    return hall_.config().day_start(kDay) + ((hour * 60 + minute) * 60 + second) * core::kUsPerSecond;
  }
  // Applies `body` at `now`, which the test expects to be accepted; returns its events.
  std::vector<core::Event> run(const core::CommandBody& body, core::TimeUs now) {
    std::vector<core::Event> events;
    const core::Status st = hall_.apply(core::Command{{}, body}, now, events);
    EXPECT_TRUE(st.ok()) << core::verb(body) << ": " << st.message();
    log_.insert(log_.end(), events.begin(), events.end());
    return events;
  }
  // The ticket a command issued (its TicketIssued event).
  core::TicketIssued issue(std::string_view service, core::TimeUs now) {
    for (const core::Event& e : run(core::IssueTicket{service}, now))
      if (const auto* issued = std::get_if<core::TicketIssued>(&e.body)) return *issued;
    ADD_FAILURE() << "no ticket issued";
    return {};
  }

  const core::Hall& hall() const { return hall_; }
  // Every event so far.
  const std::vector<core::Event>& log() const { return log_; }

 private:
  core::Hall hall_;
  std::vector<core::Event> log_;
};

}  // namespace hallq::view::testing
