// The engine's clock (engine_clock.h) against the system clock stepping
// forwards and backwards, and a hall run through it: a step back of half an
// hour in the middle of a day neither reorders the hall's events nor teaches
// the predictor that business takes no time.
#include "engine/time/engine_clock.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <variant>

#include "engine/config/config_loader.h"
#include "engine/core/hall.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast.h"
#include "engine/predict/forecast_predictor.h"

namespace hallq::time {
namespace {

using core::TimeUs;
constexpr TimeUs kSecond = core::kUsPerSecond;
constexpr TimeUs kMinute = core::kUsPerMinute;
constexpr TimeUs kWall0 = 1'700'000'000 * kSecond;

TEST(EngineClockTest, FollowsAWallClockThatRunsNormally) {
  EngineClock clock;
  for (TimeUs t = 0; t < 10 * kSecond; t += 7'919)
    EXPECT_EQ(clock.now(kWall0 + t, 5 * kSecond + t), kWall0 + t);
  EXPECT_EQ(clock.ahead(), 0);
}

TEST(EngineClockTest, FollowsAStepForwardAtOnce) {
  EngineClock clock;
  clock.now(kWall0, 0);
  // A PC without a clock battery: NTP moves it on by years.
  const TimeUs later = kWall0 + 3 * 365 * 24 * 3600 * kSecond;
  EXPECT_EQ(clock.now(later, kSecond), later);
  EXPECT_EQ(clock.now(later + kSecond, 2 * kSecond), later + kSecond);
}

TEST(EngineClockTest, AbsorbsAStepBackwardsWithoutStoppingOrReversing) {
  EngineClock clock(0.1);
  TimeUs steady = 0, previous = clock.now(kWall0, steady);
  const TimeUs step = 10 * kMinute;
  TimeUs caught_up_at = -1;
  // Two hours of real time sampled each second; the wall clock steps back 10
  // minutes after the first minute.
  for (int s = 1; s <= 7200; ++s) {
    steady = s * kSecond;
    const TimeUs wall = kWall0 + steady - (s > 60 ? step : 0);
    const TimeUs now = clock.now(wall, steady);
    ASSERT_GE(now - previous, static_cast<TimeUs>(0.9 * kSecond))
        << "second " << s << ": stood still or ran back";
    ASSERT_LE(now - previous, kSecond) << "second " << s;
    ASSERT_LE(clock.ahead(), step);
    if (caught_up_at < 0 && s > 60 && now == wall) caught_up_at = s;
    previous = now;
  }
  // 10 minutes absorbed at 10 % of real time: after 100 minutes.
  ASSERT_GT(caught_up_at, 0);
  EXPECT_NEAR(caught_up_at - 60, 6000, 2);
  EXPECT_EQ(clock.ahead(), 0);
}

TEST(EngineClockTest, NeverReturnsLessThanBeforeWhateverTheInputs) {
  EngineClock clock;
  TimeUs previous = clock.now(kWall0, 100);
  const TimeUs walls[] = {kWall0 - kMinute, kWall0 + kSecond, kWall0 - 3600 * kSecond, kWall0,
                          kWall0 + 5 * kMinute};
  const TimeUs steadies[] = {50, 200, 200, 10, 400};  // the steady clock too, if fed wrong
  for (int i = 0; i < 5; ++i) {
    const TimeUs now = clock.now(walls[i], steadies[i]);
    EXPECT_GE(now, previous) << i;
    previous = now;
  }
  EXPECT_EQ(previous, kWall0 + 5 * kMinute);
}

TEST(EngineClockTest, SimulatedTimeRunsAtItsScaleFromItsStartWhateverTheWallClock) {
  const TimeUs start = kWall0 - 30 * 24 * 3600 * kSecond;
  EngineClock clock = EngineClock::simulated(1000, start);
  EXPECT_EQ(clock.now(kWall0, 7 * kSecond), start);
  EXPECT_EQ(clock.now(kWall0 - 3600 * kSecond, 8 * kSecond), start + 1000 * kSecond);  // wall ignored
  EXPECT_EQ(clock.now(kWall0, 7 * kSecond + 86'400'000), start + 86'400 * kSecond);    // a day in 86.4 s
  EXPECT_EQ(clock.now(kWall0, 0), start + 86'400 * kSecond);                           // never back
  EngineClock from_wall = EngineClock::simulated(60);
  EXPECT_EQ(from_wall.now(kWall0, 0), kWall0);
  EXPECT_EQ(from_wall.now(kWall0, kSecond), kWall0 + 60 * kSecond);
}

// One window serving a steady stream of social-security citizens for four
// hours, each for exactly six minutes; the wall clock the engine reads steps
// back by `step` after two hours.
struct Day {
  std::unique_ptr<core::Hall> hall;
  std::vector<core::Event> events;
  double learned_handle_s = 0;
  std::int32_t newcomer_wait_s = 0;

  // Each service's length as the events record it (start to finish), seconds.
  std::vector<double> service_lengths() const {
    std::vector<double> out;
    TimeUs started = 0;
    for (const core::Event& e : events) {
      if (std::holds_alternative<core::ServiceStarted>(e.body)) started = e.time;
      if (std::holds_alternative<core::TicketFinished>(e.body))
        out.push_back(static_cast<double>(e.time - started) / kSecond);
    }
    return out;
  }
};

Day run_day(TimeUs step, bool through_engine_clock) {
  auto config = config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml");
  Day day;
  day.hall = std::make_unique<core::Hall>(config, policy::find_policy(config->rules.policy),
                                          &predict::default_predictor());
  const core::ServiceIdx social = 0;
  EXPECT_EQ(config->services[social].id, "social");
  const TimeUs opening = config->day_start(20'000) + 9 * 60 * kMinute;
  EngineClock clock;
  auto engine_now = [&](TimeUs real) {
    const TimeUs wall = real - (real >= opening + 120 * kMinute ? step : 0);
    return through_engine_clock ? clock.now(wall, real - opening) : wall;
  };
  auto apply = [&](const core::CommandBody& body, TimeUs real) {
    std::vector<core::Event> out;
    const core::Status st = day.hall->apply(core::Command{{}, body}, engine_now(real), out);
    EXPECT_TRUE(st.ok()) << st.message();
    day.events.insert(day.events.end(), out.begin(), out.end());
  };
  apply(core::OpenWindow{config->windows[0].id, config->staff.empty() ? "" : config->staff[0].id}, opening);
  for (int m = 0; m < 240; ++m) {
    const TimeUs real = opening + m * kMinute;
    if (m % 5 == 0) apply(core::IssueTicket{"social"}, real);
    if (m % 6 == 0) {
      if (m > 0) apply(core::Finish{config->windows[0].id}, real);
      if (day.hall->has_waiting(social)) {
        apply(core::CallNext{config->windows[0].id}, real);
        apply(core::StartService{config->windows[0].id}, real);
      }
    }
  }
  day.learned_handle_s = day.hall->stats(social).mean_handle_s(600);
  const TimeUs end = opening + 240 * kMinute;
  const predict::Forecast f = predict::forecast(*day.hall, engine_now(end));
  day.newcomer_wait_s = f.normal[social].wait_s;
  return day;
}

TEST(EngineClockTest, AHallKeepsItsOrderAndItsPredictionsThroughAStepBack) {
  const Day steady = run_day(0, true);
  const Day stepped = run_day(30 * kMinute, true);
  ASSERT_EQ(steady.events.size(), stepped.events.size());
  for (std::size_t i = 1; i < stepped.events.size(); ++i) {
    EXPECT_GE(stepped.events[i].time, stepped.events[i - 1].time) << "event " << i;
    EXPECT_EQ(stepped.events[i].body.index(), steady.events[i].body.index()) << "event " << i;
  }
  // Every ticket was called in issue order, as without the step.
  std::vector<core::TicketId> called;
  for (const core::Event& e : stepped.events)
    if (auto c = std::get_if<core::TicketCalled>(&e.body)) called.push_back(c->ticket);
  EXPECT_TRUE(std::is_sorted(called.begin(), called.end()));
  // Six-minute business is still measured as six minutes, less 10 % while
  // the engine's clock absorbs the step; what the predictor learnt and the
  // newcomer's predicted wait are as without the step.
  const std::vector<double> lengths = stepped.service_lengths();
  ASSERT_EQ(lengths.size(), steady.service_lengths().size());
  for (double l : steady.service_lengths()) EXPECT_NEAR(l, 360, 1e-6);
  for (double l : lengths) {
    EXPECT_GE(l, 0.9 * 360 - 1e-6);
    EXPECT_LE(l, 360 + 1e-6);
  }
  EXPECT_NEAR(stepped.learned_handle_s, steady.learned_handle_s,
              0.1 * steady.learned_handle_s);  // the slew bound
  EXPECT_NEAR(stepped.newcomer_wait_s, steady.newcomer_wait_s, std::max(60.0, 0.1 * steady.newcomer_wait_s));

  // What the engine's clock prevents: the core alone would hold the hall's
  // time for the half hour, and the services finished meanwhile last zero.
  const Day frozen = run_day(30 * kMinute, false);
  const std::vector<double> frozen_lengths = frozen.service_lengths();
  EXPECT_GE(std::count(frozen_lengths.begin(), frozen_lengths.end(), 0.0), 4);
  EXPECT_LT(frozen.learned_handle_s, stepped.learned_handle_s) << "frozen " << frozen.learned_handle_s;
}

}  // namespace
}  // namespace hallq::time
