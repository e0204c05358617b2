// WaitPredictor::predict_new_all's default: one predict_new per service, in
// config order, with the priority and time it was given.
#include "engine/core/wait_predictor.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/support/test_hall.h"

namespace hallq::core {
namespace {

// Answers each service with its index (ahead) and the priority and time it
// was asked with (wait), so the default's calls can be read back.
class EchoPredictor final : public WaitPredictor {
 public:
  std::string_view name() const override { return "echo"; }
  Prediction predict_new(const Hall&, ServiceIdx service, Priority priority, TimeUs now) const override {
    return {static_cast<std::uint32_t>(service),
            static_cast<std::int32_t>(now / kUsPerSecond) + (priority == Priority::kNormal ? 0 : 1'000'000)};
  }
  Prediction predict(const Hall&, TicketId, TimeUs) const override { return {}; }
};

using WaitPredictorDefault = test::HallFixture;

TEST_F(WaitPredictorDefault, PredictNewAllAsksEveryServiceInConfigOrder) {
  const EchoPredictor echo;
  const TimeUs now = at(30);
  const std::vector<Prediction> normal = echo.predict_new_all(*hall_, Priority::kNormal, now);
  ASSERT_EQ(normal.size(), hall_->config().services.size());
  ASSERT_GE(normal.size(), 2u);
  for (std::size_t s = 0; s < normal.size(); ++s) {
    EXPECT_EQ(normal[s].ahead, s);
    EXPECT_EQ(normal[s].wait_s, now / kUsPerSecond);
  }
  const std::vector<Prediction> prio = echo.predict_new_all(*hall_, Priority::kPriority, now);
  ASSERT_EQ(prio.size(), normal.size());
  EXPECT_EQ(prio[1].wait_s, now / kUsPerSecond + 1'000'000);
}

}  // namespace
}  // namespace hallq::core
