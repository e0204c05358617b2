// The queue-length predictor and the handling-time learning it relies on.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/core/service_stats.h"
#include "tests/core/test_hall_fixture.h"

namespace hallq::test {
namespace {

using PredictorTest = HallFixture;

constexpr double kSocialPriorS = 6 * 60;  // expected_handle_min of "social"

TEST_F(PredictorTest, NameAndDefaultInstance) {
  EXPECT_EQ(predict::default_predictor().name(), "queue-length");
  EXPECT_EQ(&predict::default_predictor(), &hall_->predictor());
}

TEST_F(PredictorTest, NoOpenWindowAssumesOneServerAndHalfAService) {
  Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.ahead, 0u);
  EXPECT_EQ(p.wait_s, 180);
  for (int i = 0; i < 3; ++i) ok(IssueTicket{"social"}, at(0));
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(0));
  EXPECT_EQ(p.ahead, 3u);
  EXPECT_EQ(p.wait_s, 3 * 360 + 180);
  // Tax (4 min) is served only by w3; its queue is its own.
  p = predictor_->predict_new(*hall_, kTax, Priority::kNormal, at(0));
  EXPECT_EQ(p.ahead, 0u);
  EXPECT_EQ(p.wait_s, 120);
}

TEST_F(PredictorTest, AheadCountsByClass) {
  ok(OpenWindow{"w1", ""}, at(0));
  ok(OpenWindow{"w3", ""}, at(0));  // both serve social (w3 at level 2)
  for (int i = 0; i < 4; ++i) ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"social", Priority::kPriority}, at(0));
  ok(IssueTicket{"social", Priority::kAppointment}, at(0));
  // A returning ticket: call the first priority one, start, hold, unhold.
  ASSERT_EQ(call_next("w1", at(1)), "A005");
  ok(StartService{"w1"}, at(1));
  ok(HoldTicket{"w1"}, at(1));
  ok(UnholdTicket{"A005"}, at(1));
  // Waiting: returning 1, priority 1, normal 4. Two idle windows serve social.
  Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(2));
  EXPECT_EQ(p.ahead, 6u);
  EXPECT_EQ(p.wait_s, 6 * 360 / 2);
  p = predictor_->predict_new(*hall_, kSocial, Priority::kPriority, at(2));
  EXPECT_EQ(p.ahead, 2u) << "a priority newcomer passes the normal ones";
  EXPECT_EQ(p.wait_s, 2 * 360 / 2);
  p = predictor_->predict_new(*hall_, kSocial, Priority::kAppointment, at(2));
  EXPECT_EQ(p.ahead, 2u);
  // The issued ticket records the prediction.
  auto ev = ok(IssueTicket{"social", Priority::kPriority}, at(2));
  EXPECT_TRUE(bodies_are(ev, {TicketIssued{7, kSocial, 7, Priority::kPriority, 2, 360}}));
  EXPECT_EQ(ticket("A007").ahead_at_issue, 2u);
  EXPECT_EQ(ticket("A007").predicted_wait_s, 360);
}

TEST_F(PredictorTest, TicketsIssuedOneAfterAnother) {
  ok(OpenWindow{"w1", ""}, at(0));
  ok(OpenWindow{"w3", ""}, at(0));
  const int want[] = {0, 180, 360, 540};
  for (std::uint32_t i = 0; i < 4; ++i) {
    auto ev = ok(IssueTicket{"social"}, at(1));
    EXPECT_TRUE(bodies_are(ev, {TicketIssued{i + 1, kSocial, i + 1, Priority::kNormal, i, want[i]}}));
  }
}

TEST_F(PredictorTest, AllBusyAddsHalfAServicePerServer) {
  ok(OpenWindow{"w1", ""}, at(0));
  ok(OpenWindow{"w3", ""}, at(0));
  for (int i = 0; i < 5; ++i) ok(IssueTicket{"social"}, at(0));
  call_next("w1", at(1));
  // One of two busy: no extra.
  Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(1));
  EXPECT_EQ(p.ahead, 4u);
  EXPECT_EQ(p.wait_s, 4 * 360 / 2);
  call_next("w3", at(1));
  ok(StartService{"w3"}, at(1));
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(1));
  EXPECT_EQ(p.ahead, 3u);
  EXPECT_EQ(p.wait_s, 3 * 360 / 2 + 360 / 4);
}

TEST_F(PredictorTest, PausedAndClosedWindowsDoNotServe) {
  ok(OpenWindow{"w1", ""}, at(0));
  ok(OpenWindow{"w3", ""}, at(0));
  for (int i = 0; i < 4; ++i) ok(IssueTicket{"social"}, at(0));
  ok(PauseWindow{"w3"}, at(1));
  Prediction p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(1));
  EXPECT_EQ(p.wait_s, 4 * 360) << "one open window";
  ok(PauseWindow{"w1"}, at(1));
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(1));
  EXPECT_EQ(p.wait_s, 4 * 360 + 180) << "none open";
  ok(CloseWindow{"w1"}, at(1));
  ok(ResumeWindow{"w3"}, at(1));
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(1));
  EXPECT_EQ(p.wait_s, 4 * 360) << "w3 serves social at level 2, and counts";
  // Windows not serving the service do not count.
  ok(OpenWindow{"w2", ""}, at(1));
  p = predictor_->predict_new(*hall_, kSocial, Priority::kNormal, at(1));
  EXPECT_EQ(p.wait_s, 4 * 360);
}

TEST_F(PredictorTest, RemainingWaitOfAWaitingTicket) {
  ok(OpenWindow{"w1", ""}, at(0));
  for (int i = 0; i < 3; ++i) ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"social", Priority::kPriority}, at(0));  // A004
  Prediction p = predictor_->predict(*hall_, ticket("A002").id, at(1));
  EXPECT_EQ(p.ahead, 2u) << "A004 (priority) and A001";
  EXPECT_EQ(p.wait_s, 2 * 360);
  p = predictor_->predict(*hall_, ticket("A004").id, at(1));
  EXPECT_EQ(p.ahead, 0u);
  EXPECT_EQ(p.wait_s, 0);
  call_next("w1", at(1));  // A004, window now busy
  p = predictor_->predict(*hall_, ticket("A004").id, at(1));
  EXPECT_EQ(p.ahead, 0u) << "not waiting";
  EXPECT_EQ(p.wait_s, 0);
  p = predictor_->predict(*hall_, ticket("A001").id, at(1));
  EXPECT_EQ(p.ahead, 0u);
  EXPECT_EQ(p.wait_s, 180) << "the only window is busy";
  p = predictor_->predict(*hall_, 999, at(1));
  EXPECT_EQ(p.ahead, 0u);
  EXPECT_EQ(p.wait_s, 0);
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
