// The forecast predictor (engine/predict) and the learning it relies on:
// handling times, arrival rates, pauses.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/service_stats.h"
#include "engine/predict/forecast.h"
#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using PredictorTest = HallFixture;

constexpr double kSocialPriorS = 6 * 60;  // expected_handle_min of "social"

TEST_F(PredictorTest, NameAndDefaultInstance) {
  EXPECT_EQ(predict::default_predictor().name(), "forecast");
  EXPECT_EQ(&predict::default_predictor(), &predict::default_predictor());
}

// The fixture: social 6 min (w1 level 1, w3 level 2), civil 10 min (w2; w1 and
// w3 level 2), tax 4 min (w3). Balanced policy; times in seconds below.

TEST_F(PredictorTest, AnIdleWindowMeansNoWait) {
  ok(OpenWindow{"w1", ""}, at(0));
  const Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.ahead, 0u);
  EXPECT_EQ(p.wait_s, 0);
}

TEST_F(PredictorTest, ALineOnOneWindow) {
  ok(OpenWindow{"w1", ""}, at(0));
  for (int i = 0; i < 3; ++i) ok(IssueTicket{"social"}, at(0));
  // w1 calls A001 at 0, A002 at 360, A003 at 720, the newcomer at 1080.
  const Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.ahead, 3u);
  EXPECT_EQ(p.wait_s, 1080);
}

TEST_F(PredictorTest, TheHallsPolicyDecidesWhoHelps) {
  ok(OpenWindow{"w1", ""}, at(0));
  ok(OpenWindow{"w3", ""}, at(0));  // its own service (tax) is quiet: it helps with social
  for (int i = 0; i < 4; ++i) ok(IssueTicket{"social"}, at(0));
  // Both call at 0 and at 360; the newcomer goes at 720.
  Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.ahead, 4u);
  EXPECT_EQ(p.wait_s, 720);
  // Under `dedicated` w3 never takes social: one window, 4 x 360.
  build({}, "dedicated");
  ok(OpenWindow{"w1", ""}, at(0));
  ok(OpenWindow{"w3", ""}, at(0));
  for (int i = 0; i < 4; ++i) ok(IssueTicket{"social"}, at(0));
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.wait_s, 1440);
}

TEST_F(PredictorTest, BusyWindowsFreeUpLikeRandomCompletions) {
  ok(OpenWindow{"w1", ""}, at(0));
  ok(OpenWindow{"w3", ""}, at(0));
  ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"social"}, at(0));
  call_next("w1", at(0));
  call_next("w3", at(0));
  ok(StartService{"w1"}, at(0));
  ok(StartService{"w3"}, at(0));
  // Both have 360 s to go on average; the first of two completions comes after
  // 360 / 2 = 180, the second 360 after that.
  Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.wait_s, 180);
  ok(IssueTicket{"social"}, at(0));
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.ahead, 1u);
  EXPECT_EQ(p.wait_s, 540);
  // Four minutes into both services: 2 min left on average each, the first after 1.
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(4));
  EXPECT_EQ(p.wait_s, 60 + 120);
  // Long past the mean, at least a third of it is expected to remain: 120 each.
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(30));
  EXPECT_EQ(p.wait_s, 60 + 120);
}

TEST_F(PredictorTest, PriorityNewcomersPassNormalOnesWithinTheRatio) {
  ok(OpenWindow{"w1", ""}, at(0));
  for (int i = 0; i < 3; ++i) ok(IssueTicket{"social"}, at(0));
  Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kPriority, at(0));
  EXPECT_EQ(p.ahead, 0u);
  EXPECT_EQ(p.wait_s, 0);
  // Four priority tickets wait before one normal: after three priority calls
  // (ratio 3) the normal one goes, then the fourth; the newcomer after that.
  for (int i = 0; i < 4; ++i) ok(IssueTicket{"social", Priority::kPriority}, at(0));
  p = predictor_->predict_new(*hall_, kSocial, Priority::kAppointment, at(0));
  EXPECT_EQ(p.ahead, 5u);
  EXPECT_EQ(p.wait_s, 5 * 360);
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.ahead, 7u);
  EXPECT_EQ(p.wait_s, 7 * 360);
}

TEST_F(PredictorTest, PausedWindowsReturnAfterTheUsualPause) {
  ok(OpenWindow{"w1", ""}, at(0));
  ok(PauseWindow{"w1"}, at(0));
  for (int i = 0; i < 2; ++i) ok(IssueTicket{"social"}, at(10));
  // No history: a pause lasts 30 min, so w1 is back at 09:30, 20 min from now.
  Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(10));
  EXPECT_EQ(p.wait_s, 1200 + 2 * 360);
  // Already paused for 40 min: at least half a usual pause still to come.
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(40));
  EXPECT_EQ(p.wait_s, 900 + 2 * 360);
  // A pause of 10 min is learned: (600 + 2 x 1800 prior) / 3.
  ok(ResumeWindow{"w1"}, at(10));
  EXPECT_DOUBLE_EQ(hall_->mean_pause_s(), 1400);
}

TEST_F(PredictorTest, WithNoWindowForItTheWaitRunsToTheOpening) {
  // 08:00, nothing open: the hall opens at 08:30; two ahead on the one window
  // the config gives social first.
  for (int i = 0; i < 2; ++i) ok(IssueTicket{"social"}, at(-60));
  Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(-60));
  EXPECT_EQ(p.ahead, 2u);
  EXPECT_EQ(p.wait_s, 1800 + 2 * 360);
  // During opening hours with no window for it: its own turn counts too.
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.wait_s, 3 * 360);
  // Closed windows do not serve; an open window of another service does not either.
  ok(OpenWindow{"w2", ""}, at(0));
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.wait_s, 3 * 360);
}

TEST_F(PredictorTest, EveryWaitingTicketHasItsForecast) {
  ok(OpenWindow{"w1", ""}, at(0));
  for (int i = 0; i < 3; ++i) ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"social", Priority::kPriority}, at(0));  // A004
  const predict::Forecast f = predict::forecast(*hall_, at(0));
  ASSERT_EQ(f.tickets.size(), 4u);
  const char* order[] = {"A004", "A001", "A002", "A003"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(f.tickets[i].ticket, ticket(order[i]).id) << i;
    EXPECT_EQ(f.tickets[i].ahead, static_cast<std::uint32_t>(i));
    EXPECT_EQ(f.tickets[i].wait_s, 360 * i);
    const Prediction p = predictor_->predict(*hall_, ticket(order[i]).id, at(0));
    EXPECT_EQ(p.ahead, f.tickets[i].ahead);
    EXPECT_EQ(p.wait_s, f.tickets[i].wait_s);
  }
  EXPECT_EQ(f.seq, hall_->seq());
  EXPECT_EQ(f.normal[kSocial].wait_s, 4 * 360);
  EXPECT_EQ(f.normal[kCivil].wait_s, predict::kUnknownWait) << "no open window serves civil";
  // Not waiting, or unknown: nothing to predict.
  call_next("w1", at(0));
  EXPECT_EQ(predictor_->predict(*hall_, ticket("A004").id, at(0)).wait_s, 0);
  EXPECT_EQ(predictor_->predict(*hall_, 999, at(0)).wait_s, 0);
}

TEST_F(PredictorTest, TheIssuedTicketRecordsItsPrediction) {
  ok(OpenWindow{"w1", ""}, at(0));
  const int want[] = {0, 360, 720, 1080};
  for (std::uint32_t i = 0; i < 4; ++i) {
    auto ev = ok(IssueTicket{"social"}, at(1));
    EXPECT_TRUE(bodies_are(ev, {TicketIssued{i + 1, kSocial, i + 1, Priority::kNormal, i, want[i]}}));
  }
  EXPECT_EQ(ticket("A004").predicted_wait_s, 1080);
  EXPECT_EQ(ticket("A004").ahead_at_issue, 3u);
}

TEST_F(PredictorTest, LearnedMeanMovesFromThePriorTowardsObservedTimes) {
  ok(OpenWindow{"w1", ""}, at(0));
  EXPECT_DOUBLE_EQ(hall_->stats(kSocial).mean_handle_s(kSocialPriorS), kSocialPriorS);
  // One ticket handled in 10 min: the prior counts as 3 observations.
  ok(IssueTicket{"social"}, at(0));
  call_next("w1", at(0));
  ok(StartService{"w1"}, at(0));
  ok(Finish{"w1"}, at(10));
  EXPECT_DOUBLE_EQ(hall_->stats(kSocial).mean_handle_s(kSocialPriorS), (600.0 + 3 * 360.0) / 4);
  for (int i = 0; i < 2; ++i) ok(IssueTicket{"social"}, at(10));
  Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(10));
  EXPECT_EQ(p.ahead, 2u);
  EXPECT_EQ(p.wait_s, 2 * 420);
  // Many more at 10 min: the mean approaches 600 s and stays below it.
  double previous = hall_->stats(kSocial).mean_handle_s(kSocialPriorS);
  double t = 10;
  for (int i = 0; i < 100; ++i) {
    ok(IssueTicket{"social"}, at(t));
    call_next("w1", at(t));
    ok(StartService{"w1"}, at(t));
    t += 10;
    ok(Finish{"w1"}, at(t));
    const double mean = hall_->stats(kSocial).mean_handle_s(kSocialPriorS);
    EXPECT_GE(mean, previous);
    previous = mean;
  }
  EXPECT_GT(previous, 590.0);
  EXPECT_LT(previous, 600.0);
  EXPECT_EQ(hall_->stats(kSocial).finished, 101u);
  EXPECT_DOUBLE_EQ(hall_->stats(kSocial).sum_handle_s, 101 * 600.0);
  // Other services keep their prior.
  EXPECT_EQ(hall_->stats(kCivil).finished, 0u);
}

TEST(ServiceStatsTest, EwmaAndPriorBlend) {
  ServiceStats s;
  EXPECT_DOUBLE_EQ(s.mean_handle_s(300), 300);
  s.add(100);
  EXPECT_EQ(s.finished, 1u);
  EXPECT_DOUBLE_EQ(s.ewma_handle_s, 100);
  EXPECT_DOUBLE_EQ(s.mean_handle_s(300), (100.0 + 900.0) / 4);
  s.add(200);
  EXPECT_DOUBLE_EQ(s.ewma_handle_s, 105);  // weight 0.05
  EXPECT_DOUBLE_EQ(s.sum_handle_s, 300);
  EXPECT_DOUBLE_EQ(s.mean_handle_s(300), (105.0 * 2 + 900.0) / 5);
  s.add(-50);  // a clock oddity never counts as negative
  EXPECT_DOUBLE_EQ(s.sum_handle_s, 300);
  EXPECT_DOUBLE_EQ(s.ewma_handle_s, 105 - 0.05 * 105);
}

TEST(ServiceStatsTest, RecentTimesDominate) {
  ServiceStats s;
  for (int i = 0; i < 200; ++i) s.add(600);
  for (int i = 0; i < 60; ++i) s.add(120);
  // After ~3 EWMA lifetimes at 120 s, the mean is close to 120, though the sum remembers 600s.
  EXPECT_LT(s.ewma_handle_s, 150);
  EXPECT_GT(s.sum_handle_s / s.finished, 480);
}

}  // namespace
}  // namespace hallq::test
