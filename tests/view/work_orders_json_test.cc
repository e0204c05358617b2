// The 差评工单 list (engine/view/work_orders_json.h) on the view hall: A001
// rated 2 (with reasons and a comment) and A002 rated 1 on Monday 2024-03-04, so both are due Monday
// 2024-03-11 (five working days, from any calendar); A002 is followed up
// and closed. Statuses are read on later days by hand: Thursday the 7th has
// two working days left (8th, 11th), Friday the 8th one (due soon), Tuesday
// the 12th is past the due day.
#include "engine/view/work_orders_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/view/view_hall.h"

namespace hallq::view::testing {
namespace {

using nlohmann::json;

class WorkOrdersJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.run(core::OpenWindow{"w1", "zhang"}, h_.at(9, 0));
    h_.issue("social", h_.at(9, 1));
    h_.issue("social", h_.at(9, 1));
    // A001 with two reasons and a comment, A002 with neither.
    const core::Evaluate ratings[] = {{"A001", 2, "w1", {"02", "08"}, "窗口说材料不全，没讲缺什么"},
                                      {"A002", 1, "w1"}};
    for (const core::Evaluate& rating : ratings) {
      h_.run(core::CallNext{"w1"}, h_.at(9, 2));
      h_.run(core::StartService{"w1"}, h_.at(9, 2));
      h_.run(core::Finish{"w1"}, h_.at(9, 3));
      h_.run(rating, h_.at(9, 4));
    }
    h_.run(core::RecordCallback{2, true, "已致歉", "chief"}, h_.at(10, 0));
    h_.run(core::RecordRectification{2, "已整改", "chief"}, h_.at(10, 5));
  }
  core::TimeUs day(int offset) const { return h_.at(12, 0) + offset * 86'400 * core::kUsPerSecond; }
  ViewHall h_;
};

TEST_F(WorkOrdersJsonTest, OpenOrdersFirstWithTheirDueDayAndStatus) {
  const json j = work_orders_json(h_.hall(), day(3));  // Thursday
  EXPECT_EQ(j["today"], "2024-03-07");
  EXPECT_EQ(j["counts"], (json{{"open", 1}, {"due_soon", 0}, {"overdue", 0}, {"closed", 1}}));
  ASSERT_EQ(j["orders"].size(), 2u);
  const json& a = j["orders"][0];
  EXPECT_EQ(a["number"], "A001");
  EXPECT_EQ(a["ticket"], 1);
  EXPECT_EQ(a["service"], "social");
  EXPECT_EQ(a["window"], "w1");
  EXPECT_EQ(a["window_number"], 1);
  EXPECT_EQ(a["staff"], "zhang");
  EXPECT_EQ(a["level"], 2);
  EXPECT_EQ(a["level_name"], "不满意");
  // The reasons as the hall's default list words them (evaluation_config.cc), and the comment.
  EXPECT_EQ(a["reasons"], (json::array({{{"code", "02"}, {"name", "办事效率低、等候时间长"}},
                                        {{"code", "08"}, {"name", "其他"}}})));
  EXPECT_EQ(a["comment"], "窗口说材料不全，没讲缺什么");
  EXPECT_EQ(a["rated_on"], "2024-03-04");
  EXPECT_EQ(a["due"], "2024-03-11");
  EXPECT_EQ(a["working_days_left"], 2);
  EXPECT_EQ(a["status"], "open");
  EXPECT_EQ(a["status_name"], "处理中");
  const json& b = j["orders"][1];
  EXPECT_EQ(b["number"], "A002");
  EXPECT_EQ(b["status"], "closed");
  EXPECT_EQ(b["reasons"], json::array());
  EXPECT_EQ(b["comment"], "");
  EXPECT_EQ(
      b["callbacks"],
      (json::array({{{"at_us", h_.at(10, 0)}, {"reached", true}, {"note", "已致歉"}, {"by", "chief"}}})));
  EXPECT_EQ(b["rectification"], "已整改");
  EXPECT_EQ(b["rectified_at_us"], h_.at(10, 5));
}

TEST_F(WorkOrdersJsonTest, DueSoonThenOverdue) {
  json j = work_orders_json(h_.hall(), day(4));  // Friday
  EXPECT_EQ(j["orders"][0]["status"], "due_soon");
  EXPECT_EQ(j["orders"][0]["working_days_left"], 1);
  j = work_orders_json(h_.hall(), day(8));  // Tuesday after
  EXPECT_EQ(j["orders"][0]["status"], "overdue");
  EXPECT_EQ(j["orders"][0]["status_name"], "已逾期");
  EXPECT_EQ(j["orders"][0]["working_days_left"], -1);
  EXPECT_EQ(j["counts"]["overdue"], 1);
}

}  // namespace
}  // namespace hallq::view::testing
