// The JSON documents of one hall (GET /api/halls/{hall}, .../tickets, .../staff
// and the dashboard's live summary), each field checked against values the
// test works out from what it did to the hall.
#include "engine/view/hall_json.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "engine/predict/forecast.h"
#include "engine/view/hall_words.h"
#include "tests/view/view_hall.h"

namespace hallq::view::testing {
namespace {

using core::kUsPerSecond;
using nlohmann::json;

// 09:00 w1 opens (zhang); A001 09:01; 09:02 w1 calls A001; A002 09:03 waits for
// w1; B001 09:04 waits for a window that is not open.
class HallJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.run(core::OpenWindow{"w1", "zhang"}, h_.at(9, 0));
    a001_ = h_.issue("social", h_.at(9, 1));
    h_.run(core::CallNext{"w1"}, h_.at(9, 2));
    a002_ = h_.issue("social", h_.at(9, 3));
    b001_ = h_.issue("civil", h_.at(9, 4));
  }
  ViewHall h_;
  core::TicketIssued a001_, a002_, b001_;
  const core::TimeUs now_ = h_.at(9, 10);
};

TEST_F(HallJsonTest, AHallWithAWaitingTicket) {
  const json j = hall_json(h_.hall(), now_);
  EXPECT_EQ(j["hall"], "view-hall");
  EXPECT_EQ(j["name"], "视图测试大厅");
  EXPECT_EQ(j["seq"], h_.log().back().seq);
  EXPECT_EQ(j["waiting"], 2);
  EXPECT_EQ(j["notice"], "");
  EXPECT_EQ(j["wait_target_min"], 20);
  EXPECT_EQ(j["local_date"], "2024-03-04");  // the hall's day (UTC+8), not UTC's
  EXPECT_EQ(j["utc_offset_min"], 480);
  EXPECT_EQ(j["local_time"], "09:10:00");  // the engine's time there: the dashboard's clock

  ASSERT_EQ(j["services"].size(), 2u);
  const json& social = j["services"][0];
  EXPECT_EQ(social["id"], "social");
  EXPECT_EQ(social["name"], "社保医保");
  EXPECT_EQ(social["prefix"], "A");
  EXPECT_EQ(social["waiting"], 1);
  EXPECT_EQ(social["longest_wait_s"], 7 * 60);  // A002 since 09:03
  EXPECT_EQ(social["open_windows"], 1);
  EXPECT_EQ(social["predicted_wait_s"],
            h_.hall().predictor().predict_new(h_.hall(), kSocial, core::Priority::kNormal, now_).wait_s);
  EXPECT_EQ(social["wait_text"], view::wait_text(social["predicted_wait_s"].get<int>()));
  EXPECT_EQ(social.size(), 8u);
  EXPECT_EQ(j["services"][1]["id"], "civil");
  EXPECT_EQ(j["services"][1]["waiting"], 1);
  EXPECT_EQ(j["services"][1]["longest_wait_s"], 6 * 60);  // B001 since 09:04
  EXPECT_EQ(j["services"][1]["open_windows"], 0);
  EXPECT_EQ(j["services"][1]["wait_text"], "暂停受理");

  ASSERT_EQ(j["windows"].size(), 3u);
  const json& w1 = j["windows"][0];
  EXPECT_EQ(w1["id"], "w1");
  EXPECT_EQ(w1["number"], 1);
  EXPECT_EQ(w1["state"], "busy");
  EXPECT_EQ(w1["current"], "A001");
  EXPECT_EQ(w1["current_state"], "called");
  EXPECT_EQ(w1["service"], "social");
  EXPECT_EQ(w1["staff"], "zhang");
  EXPECT_EQ(w1["staff_name"], "张三");
  EXPECT_EQ(w1["served"], 0);
  EXPECT_TRUE(j["windows"][1]["current"].is_null());
  EXPECT_EQ(j["windows"][1]["state"], "closed");
  EXPECT_EQ(j["advisories"], json::array());

  const json& live = j["live"];
  EXPECT_EQ(live["issued"], 3);
  EXPECT_EQ(live["called"], 1);
  EXPECT_EQ(live["services"][0]["id"], "social");
  EXPECT_EQ(live["services"][0]["issued"], 2);
  EXPECT_EQ(live["services"][0]["mean_wait_s"], 60.0);  // A001: 09:01 to 09:02
  EXPECT_EQ(live["services"][1]["issued"], 1);
  EXPECT_EQ(live["services"][1]["called"], 0);
  EXPECT_EQ(live["windows"][0]["utilisation"], 0.0);  // called, not yet serving
  EXPECT_EQ(live["alerts"], json::array());
}

TEST_F(HallJsonTest, TodaysTicketsAndThoseWaiting) {
  const json all = tickets_json(h_.hall(), now_, false);
  ASSERT_EQ(all.size(), 3u);
  const json& a = all[0];
  EXPECT_EQ(a["id"], a001_.ticket);
  EXPECT_EQ(a["number"], "A001");
  EXPECT_EQ(a["service"], "social");
  EXPECT_EQ(a["priority"], "normal");
  EXPECT_EQ(a["state"], "called");
  EXPECT_EQ(a["issued_at_us"], h_.at(9, 1));
  EXPECT_EQ(a["predicted_wait_at_issue_s"], a001_.predicted_wait_s);
  EXPECT_EQ(a["window"], "w1");
  EXPECT_EQ(a["waited_s"], 60);  // issue to first call
  EXPECT_FALSE(a.contains("ahead"));
  EXPECT_FALSE(a.contains("predicted_wait_s"));
  EXPECT_FALSE(a.contains("rating"));
  EXPECT_EQ(a.size(), 9u);

  const json waiting = tickets_json(h_.hall(), now_, true);
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0], all[1]);
  EXPECT_EQ(waiting[1], all[2]);
  const json& w = waiting[0];
  EXPECT_EQ(w["id"], a002_.ticket);
  EXPECT_EQ(w["number"], "A002");
  EXPECT_EQ(w["service"], "social");
  EXPECT_EQ(w["priority"], "normal");
  EXPECT_EQ(w["state"], "waiting");
  EXPECT_EQ(w["issued_at_us"], h_.at(9, 3));
  EXPECT_EQ(w["predicted_wait_at_issue_s"], a002_.predicted_wait_s);
  EXPECT_EQ(w["waited_s"], (now_ - h_.at(9, 3)) / kUsPerSecond);
  EXPECT_FALSE(w.contains("window"));
  // The forecast's figures for it, as of now.
  const predict::Forecast f = predict::forecast(h_.hall(), now_);
  const predict::TicketForecast* mine = nullptr;
  for (const predict::TicketForecast& t : f.tickets)
    if (t.ticket == a002_.ticket) mine = &t;
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(w["ahead"], mine->ahead);
  EXPECT_EQ(w["predicted_wait_s"], mine->wait_s);
  EXPECT_EQ(w.size(), 10u);

  // No open window serves B001: no forecast for it.
  const json& b = waiting[1];
  EXPECT_EQ(b["number"], "B001");
  EXPECT_EQ(b["waited_s"], 6 * 60);
  EXPECT_FALSE(b.contains("ahead"));
  EXPECT_FALSE(b.contains("predicted_wait_s"));
}

TEST_F(HallJsonTest, TicketsOfEarlierDaysAreLeftOut) {
  EXPECT_EQ(tickets_json(h_.hall(), h_.at(24 + 9, 0), false), json::array());
}

TEST_F(HallJsonTest, RatedTicketsShowTheirRating) {
  h_.run(core::StartService{"w1"}, h_.at(9, 4));
  h_.run(core::Finish{"w1"}, h_.at(9, 8));
  h_.run(core::Evaluate{"A001", 4, "w1"}, h_.at(9, 9));
  const json all = tickets_json(h_.hall(), now_, false);
  EXPECT_EQ(all[0]["state"], "rated");
  EXPECT_EQ(all[0]["rating"], 4);
}

TEST_F(HallJsonTest, StaffAndWhereEachIsLoggedIn) {
  EXPECT_EQ(staff_json(h_.hall()), json::array({{{"id", "zhang"}, {"name", "张三"}, {"window", "w1"}},
                                                {{"id", "li"}, {"name", "李四"}, {"window", nullptr}}}));
  h_.run(core::OpenWindow{"w2", "li"}, h_.at(9, 5));
  h_.run(core::PauseWindow{"w2"}, h_.at(9, 6));
  EXPECT_EQ(staff_json(h_.hall())[1]["window"], "w2") << "paused: still logged in there";
}

}  // namespace
}  // namespace hallq::view::testing
