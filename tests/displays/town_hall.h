// Test support: the town hall (conf/town.toml) as a pure core::Hall driven
// by hand at fixed times, for model, layout and rendering tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/config/config_loader.h"
#include "engine/core/hall.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"

namespace hallq::testing {

inline const std::string kTownConf = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
// 2024-03-04 09:30:00 +08:00
inline constexpr core::TimeUs kMorning = 1709515800LL * core::kUsPerSecond;

class TownHall {
 public:
  TownHall()
      : config_(config::load_hall_config(kTownConf)),
        hall_(config_, policy::find_policy(config_->rules.policy), &predict::default_predictor()) {}

  // Applies `body` at kMorning + `at_s`; fails the test if refused.
  void apply(const core::CommandBody& body, int at_s) {
    std::vector<core::Event> events;
    const core::Status st =
        hall_.apply(core::Command{"", body}, kMorning + at_s * core::kUsPerSecond, events);
    ASSERT_TRUE(st.ok()) << st.message();
  }
  // The scripted morning the goldens also show: four windows open, calls, a pause.
  void morning() {
    for (const char* s : {"social", "social", "tax", "estate", "police", "social", "consult"})
      apply(core::IssueTicket{s}, 0);
    apply(core::OpenWindow{"w1", "s01"}, 10);
    apply(core::OpenWindow{"w2", ""}, 10);
    apply(core::OpenWindow{"w5", ""}, 10);
    apply(core::OpenWindow{"w11", ""}, 10);
    apply(core::CallNext{"w1"}, 20);
    apply(core::CallNext{"w2"}, 30);
    apply(core::StartService{"w2"}, 40);
    apply(core::CallNext{"w5"}, 50);
    apply(core::PauseWindow{"w11"}, 60);
  }
  core::Hall& hall() { return hall_; }

 private:
  std::shared_ptr<core::HallConfig> config_;
  core::Hall hall_;
};

}  // namespace hallq::testing
