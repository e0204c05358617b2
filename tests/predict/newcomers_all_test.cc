// Differential test of ForecastPredictor::predict_new_all (one play for every
// service's newcomer) against predict_new (one play per service), the
// function it replaces in view::summarize: on random states of the shipped
// town and district halls and of a big synthetic one, under every call
// policy, every service's prediction from the one play must equal the
// per-service one, field by field, for normal and priority newcomers.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/config/config_loader.h"
#include "engine/core/command.h"
#include "engine/core/hall.h"
#include "engine/core/hall_config.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "tests/support/synthetic_hall.h"

namespace hallq::test {
namespace {

using core::CommandBody;
using core::kUsPerSecond;
using core::TimeUs;

// 2026-03-02, a Monday, as days since 1970-01-01.
constexpr std::int64_t kDay = 20514;

// 120 windows, 20 services (tests/support/synthetic_hall.h), open in two
// sessions with a lunch break between.
std::shared_ptr<core::HallConfig> big_hall() {
  return testing::make_synthetic_hall(120, 20, {{8 * 60 + 30, 12 * 60}, {13 * 60 + 30, 17 * 60 + 30}});
}

// Random commands of a hall's day: windows opened, paused, resumed and
// closed, tickets issued (a quarter of them priority), called, started,
// finished, skipped, recalled and transferred; time moves 0..120 s a step.
// Refusals are part of it (a window already open, an empty queue).
class RandomDay {
 public:
  RandomDay(const core::HallConfig& cfg, std::uint32_t seed)
      : cfg_(cfg), rng_(seed), now_(cfg.day_start(kDay) + 8 * 3'600 * kUsPerSecond) {}

  void step(core::Hall& hall) {
    now_ += pick(0, 120) * kUsPerSecond;
    const std::string& window = cfg_.windows[pick(0, static_cast<int>(cfg_.windows.size()) - 1)].id;
    const std::string& service = cfg_.services[pick(0, static_cast<int>(cfg_.services.size()) - 1)].id;
    const int r = pick(0, 99);
    CommandBody body;
    if (r < 35) {
      body =
          core::IssueTicket{service, pick(0, 3) == 0 ? core::Priority::kPriority : core::Priority::kNormal};
    } else if (r < 45) {
      std::string_view staff;
      if (!cfg_.staff.empty()) staff = cfg_.staff[pick(0, static_cast<int>(cfg_.staff.size()) - 1)].id;
      body = core::OpenWindow{window, staff};
    } else if (r < 48) {
      body = core::CloseWindow{window};
    } else if (r < 51) {
      body = core::PauseWindow{window};
    } else if (r < 55) {
      body = core::ResumeWindow{window};
    } else if (r < 70) {
      body = core::CallNext{window};
    } else if (r < 80) {
      body = core::StartService{window};
    } else if (r < 92) {
      body = core::Finish{window, ""};
    } else if (r < 95) {
      body = core::SkipTicket{window};
    } else if (r < 98) {
      body = core::Recall{window};
    } else {
      body = core::Transfer{window, service};
    }
    events_.clear();
    if (hall.apply(core::Command{"", body}, now_, events_).ok()) ++accepted_;
  }

  TimeUs now() const { return now_; }
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  int accepted() const { return accepted_; }

 private:
  const core::HallConfig& cfg_;
  std::mt19937 rng_;
  TimeUs now_;
  std::vector<core::Event> events_;
  int accepted_ = 0;
};

struct HallCase {
  std::string name;
  std::shared_ptr<const core::HallConfig> config;
  int steps;
};

std::vector<HallCase> hall_cases() {
  return {{"town", config::load_hall_config(HALLQ_SOURCE_DIR "/conf/town.toml"), 1'200},
          {"district", config::load_hall_config(HALLQ_SOURCE_DIR "/conf/district.toml"), 1'500},
          {"big", big_hall(), 2'000}};
}

TEST(NewcomersAllTest, OnePlayGivesEveryServiceExactlyWhatPredictNewGives) {
  const predict::ForecastPredictor predictor;
  int compared = 0, with_wait = 0, queued_unserved = 0;
  for (const HallCase& hc : hall_cases()) {
    for (const std::string_view policy_name : policy::policy_names()) {
      for (std::uint32_t seed = 1; seed <= 2; ++seed) {
        SCOPED_TRACE(fmt::format("{} {} seed {}", hc.name, policy_name, seed));
        core::Hall hall(hc.config, policy::find_policy(policy_name), &predictor);
        RandomDay day(*hc.config, seed);
        const std::size_t ns = hc.config->services.size();
        for (int i = 0; i < hc.steps; ++i) {
          day.step(hall);
          if (i % 13 != 0) continue;
          // Now, later (waits under way) or earlier than the hall's clock.
          const TimeUs now = day.now() + (day.pick(0, 2) - 1) * day.pick(0, 1'800) * kUsPerSecond;
          for (const core::Priority priority : {core::Priority::kNormal, core::Priority::kPriority}) {
            const std::vector<core::Prediction> all = predictor.predict_new_all(hall, priority, now);
            ASSERT_EQ(all.size(), ns);
            for (std::size_t s = 0; s < ns; ++s) {
              const auto si = static_cast<core::ServiceIdx>(s);
              const core::Prediction one = predictor.predict_new(hall, si, priority, now);
              ASSERT_EQ(all[s].ahead, one.ahead) << "service " << hc.config->services[s].id << " step " << i;
              ASSERT_EQ(all[s].wait_s, one.wait_s)
                  << "service " << hc.config->services[s].id << " step " << i;
              ++compared;
              if (one.wait_s > 0) ++with_wait;
              if (hall.waiting(si) > 0 && hall.open_windows(si, 1) == 0) ++queued_unserved;
            }
          }
        }
        // The day did things: windows opened, tickets issued and called.
        EXPECT_GT(day.accepted(), hc.steps / 4);
      }
    }
  }
  // The states were not trivial: most predictions are waits, and lines
  // without an open first-level window (helpers or the fallback wait) occur.
  std::cout << fmt::format(
      "{} predictions compared, {} of them waits, {} of a line without an open first-level window\n",
      compared, with_wait, queued_unserved);
  EXPECT_GT(compared, 10'000);
  EXPECT_GT(with_wait, compared / 2);
  EXPECT_GT(queued_unserved, 100);
}

// With no window open, every newcomer waits by the fallback: one service
// time over the windows the config gives the service first (09:00, inside
// the town hall's hours; nothing learned yet, so the config's expected time).
TEST(NewcomersAllTest, WithNoWindowOpenEveryServiceFallsBack) {
  const predict::ForecastPredictor predictor;
  const auto cfg = config::load_hall_config(HALLQ_SOURCE_DIR "/conf/town.toml");
  core::Hall hall(cfg, policy::find_policy("balanced"), &predictor);
  const std::vector<core::Prediction> all = predictor.predict_new_all(
      hall, core::Priority::kNormal, cfg->day_start(kDay) + 9 * 3'600 * kUsPerSecond);
  ASSERT_EQ(all.size(), cfg->services.size());
  for (std::size_t s = 0; s < all.size(); ++s) {
    int first_level = 0;
    for (const core::WindowConfig& w : cfg->windows)
      for (const core::Skill& k : w.serves)
        if (k.service == s && k.level == 1) ++first_level;
    EXPECT_EQ(all[s].ahead, 0u);
    EXPECT_EQ(all[s].wait_s,
              std::lround(cfg->services[s].expected_handle_min * 60.0 / std::max(1, first_level)))
        << cfg->services[s].id;
  }
}

}  // namespace
}  // namespace hallq::test
