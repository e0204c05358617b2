// A small hall built in code for the replay and trace tests: services "a" (A)
// and "b" (B); windows w1 and w2 serve a, w3 serves b at level 1 and a at 2.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "engine/core/hall_config.h"

namespace hallq::replay::testing {

inline std::shared_ptr<core::HallConfig> make_test_hall() {
  auto c = std::make_shared<core::HallConfig>();
  c->id = "test";
  c->name = "测试大厅";
  c->hours = {{8 * 60, 18 * 60}};
  c->wait_target_min = 20;
  c->rules.policy = "oldest";
  c->services = {{"a", "甲", "A", core::ServiceKind::kInstant, 5},
                 {"b", "乙", "B", core::ServiceKind::kInstant, 10}};
  c->windows = {{"w1", 1, "一号", core::WindowKind::kClassified, {{0, 1}}},
                {"w2", 2, "二号", core::WindowKind::kClassified, {{0, 1}}},
                {"w3", 3, "三号", core::WindowKind::kClassified, {{1, 1}, {0, 2}}}};
  if (auto p = c->validate_and_index()) throw std::logic_error("test hall: " + p->message);
  return c;
}

inline constexpr const char* kHeader =
    "time_s,event,ticket,service,priority,handle_s,patience_s,absent,window\n";

}  // namespace hallq::replay::testing
