// The two-service, two-window hall the stats tests fold hand-made events of:
// social (A) at w1 (classified) and w2 (fallback), tax (B) at w2 only.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "engine/core/calendar.h"
#include "engine/core/hall_config.h"

namespace hallq::stats::test {

inline constexpr core::ServiceIdx kSocial = 0, kTax = 1;
inline constexpr core::WindowIdx kW1 = 0, kW2 = 1;
// Monday 2024-03-04 (UTC+8), a local day number.
inline const std::int64_t kDay = *core::parse_day("2024-03-04");

inline std::shared_ptr<core::HallConfig> make_config() {
  using core::ServiceKind, core::WindowKind;
  auto c = std::make_shared<core::HallConfig>();
  c->id = "t";
  c->name = "测试中心";
  c->hours = {{8 * 60 + 30, 17 * 60 + 30}};
  c->wait_target_min = 10;
  c->services = {{"social", "社保", "A", ServiceKind::kInstant, 6},
                 {"tax", "税务", "B", ServiceKind::kInstant, 5}};
  c->windows = {{"w1", 1, "一号", WindowKind::kClassified, {{kSocial, 1}}},
                {"w2", 2, "二号", WindowKind::kFallback, {{kSocial, 1}, {kTax, 1}}}};
  EXPECT_FALSE(c->validate_and_index().has_value());
  return c;
}

}  // namespace hallq::stats::test
