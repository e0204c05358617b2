// The JSON shapes of the read-models: every field by name, from values set
// by hand (and, for a reply's events, from events the core emitted).
#include "engine/view/json_view.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/protocol/event_codec.h"
#include "tests/view/view_hall.h"

namespace hallq::view::testing {
namespace {

using nlohmann::json;

HallSummary a_summary() {
  HallSummary s;
  s.id = "town";
  s.name = "城关便民服务中心";
  s.seq = 42;
  s.waiting = 3;
  s.notice = "今日社保系统升级";
  s.services = {{"social", "社保医保", "A", 3, 540, 720, 1, "约 9 分钟"}};
  s.windows = {{"w1", "一号窗口", 1, "busy", "A007", "serving", "social", "zhang", "张三", 5},
               {"w2", "二号窗口", 2, "closed", "", "", "", "", "", 0}};
  s.advisories = {{7,
                   "social",
                   "w2",
                   "open",
                   2,
                   {{"social", 1}, {"civil", 2}},
                   900,
                   300,
                   600,
                   "社保医保",
                   "二号窗口",
                   "建议开启 2 号窗口（二号窗口）办理社保医保：社保医保预计等待由约 15 分钟缩短到约 5 分钟"}};
  s.devices = {{"kiosk-1", "printer", "paper_out", "缺纸", "roll paper end", 95, false}};
  return s;
}

TEST(JsonView, HallSummaryFieldByField) {
  const json j = to_json(a_summary());
  EXPECT_EQ(j["hall"], "town");
  EXPECT_EQ(j["name"], "城关便民服务中心");
  EXPECT_EQ(j["seq"], 42);
  EXPECT_EQ(j["waiting"], 3);
  EXPECT_EQ(j["notice"], "今日社保系统升级");
  EXPECT_EQ(j.size(), 9u);  // with devices (the printer state managers see)

  ASSERT_EQ(j["services"].size(), 1u);
  EXPECT_EQ(j["services"][0], json({{"id", "social"},
                                    {"name", "社保医保"},
                                    {"prefix", "A"},
                                    {"waiting", 3},
                                    {"predicted_wait_s", 540},
                                    {"longest_wait_s", 720},
                                    {"open_windows", 1},
                                    {"wait_text", "约 9 分钟"}}));
  ASSERT_EQ(j["windows"].size(), 2u);
  EXPECT_EQ(j["windows"][0], json({{"id", "w1"},
                                   {"number", 1},
                                   {"name", "一号窗口"},
                                   {"state", "busy"},
                                   {"current", "A007"},
                                   {"current_state", "serving"},
                                   {"service", "social"},
                                   {"staff", "zhang"},
                                   {"staff_name", "张三"},
                                   {"served", 5}}));
  EXPECT_TRUE(j["windows"][1]["current"].is_null()) << "no current ticket: null, not \"\"";
  EXPECT_EQ(j["windows"][1]["state"], "closed");
  ASSERT_EQ(j["advisories"].size(), 1u);
  EXPECT_EQ(j["advisories"][0],
            json({{"id", 7},
                  {"service", "social"},
                  {"window", "w2"},
                  {"window_number", 2},
                  {"action", "open"},
                  {"service_name", "社保医保"},
                  {"window_name", "二号窗口"},
                  {"text",
                   "建议开启 2 号窗口（二号窗口）办理社保医保：社保医保预计等待由约 15 分钟缩短到约 5 分钟"},
                  {"serves", {{"social", 1}, {"civil", 2}}},
                  {"wait_before_s", 900},
                  {"wait_after_s", 300},
                  {"expires_in_s", 600}}));
  ASSERT_EQ(j["devices"].size(), 1u);
  EXPECT_EQ(j["devices"][0], json({{"id", "kiosk-1"},
                                   {"kind", "printer"},
                                   {"state", "paper_out"},
                                   {"state_name", "缺纸"},
                                   {"detail", "roll paper end"},
                                   {"since_s", 95},
                                   {"ok", false}}));
}

TEST(JsonView, OverviewCountsWindowsThatAreNotClosed) {
  HallSummary s = a_summary();
  s.windows.push_back({"w3", "三号窗口", 3, "paused", "", "", "", "li", "李四", 0});
  EXPECT_EQ(
      overview_json(s),
      json({{"id", "town"}, {"name", "城关便民服务中心"}, {"seq", 42}, {"waiting", 3}, {"open_windows", 2}}));
}

TEST(JsonView, LiveStatsFieldByField) {
  LiveStats l;
  l.windows = {{"w1", 4, 312.5, 0.75, {3, 2, 1, 2.0 / 3, 1.0 / 3}}};
  l.services = {{"social", 9, 7, 4, 410.0, 0.25, 300.0}};
  l.staff = {{"zhang", "张三", {3, 2, 1, 2.0 / 3, 1.0 / 3}}};
  l.hall_ratings = {4, 3, 1, 0.75, 0.25};
  l.ratings = 4;
  l.satisfied = 3;
  l.not_rated = 1;
  l.satisfaction = 0.75;
  l.called = 7;
  l.no_shows = 1;
  l.left = 2;
  l.issued = 9;
  l.no_show_rate = 1.0 / 7;
  l.give_up_rate = 2.0 / 9;
  l.alerts = {{"idle_window", "", "w1", "1号窗口空闲 5 分钟"}};
  const json j = to_json(l);
  EXPECT_EQ(j["windows"], json::array({{{"id", "w1"},
                                        {"finished", 4},
                                        {"mean_handle_s", 312.5},
                                        {"utilisation", 0.75},
                                        {"rated", 3},
                                        {"good", 2},
                                        {"bad", 1},
                                        {"good_rate", 2.0 / 3},
                                        {"bad_rate", 1.0 / 3}}}));
  EXPECT_EQ(j["staff"], json::array({{{"id", "zhang"},
                                      {"name", "张三"},
                                      {"rated", 3},
                                      {"good", 2},
                                      {"bad", 1},
                                      {"good_rate", 2.0 / 3},
                                      {"bad_rate", 1.0 / 3}}}));
  EXPECT_EQ(j["rated"], 4);
  EXPECT_EQ(j["good"], 3);
  EXPECT_EQ(j["bad"], 1);
  EXPECT_EQ(j["good_rate"], 0.75);
  EXPECT_EQ(j["bad_rate"], 0.25);
  EXPECT_EQ(j["services"], json::array({{{"id", "social"},
                                         {"issued", 9},
                                         {"called", 7},
                                         {"finished", 4},
                                         {"mean_wait_s", 410.0},
                                         {"over_target_share", 0.25},
                                         {"mean_handle_s", 300.0}}}));
  EXPECT_EQ(j["ratings"], 4);
  EXPECT_EQ(j["satisfied"], 3);
  EXPECT_EQ(j["not_rated"], 1);
  EXPECT_EQ(j["satisfaction"], 0.75);
  EXPECT_EQ(j["issued"], 9);
  EXPECT_EQ(j["called"], 7);
  EXPECT_EQ(j["no_shows"], 1);
  EXPECT_EQ(j["left"], 2);
  EXPECT_EQ(j["no_show_rate"], 1.0 / 7);
  EXPECT_EQ(j["give_up_rate"], 2.0 / 9);
  EXPECT_EQ(
      j["alerts"],
      json::array(
          {{{"kind", "idle_window"}, {"service", ""}, {"window", "w1"}, {"message", "1号窗口空闲 5 分钟"}}}));
  EXPECT_EQ(j.size(), 19u);  // the 13 above, staff, rated, good, bad, good_rate, bad_rate
}

TEST(JsonView, AnEventHasOnlyTheFieldsOfItsKind) {
  protocol::EventSummary called;
  called.seq = 12;
  called.time = 1'700'000'000'000'000;
  called.kind = "ticket_called";
  called.ticket = 3;
  called.number = "A003";
  called.window = "w1";
  called.window_number = 1;
  called.service = "social";
  EXPECT_EQ(to_json(called), json({{"seq", 12},
                                   {"time_us", 1'700'000'000'000'000},
                                   {"kind", "ticket_called"},
                                   {"ticket", 3},
                                   {"number", "A003"},
                                   {"window", "w1"},
                                   {"window_number", 1},
                                   {"service", "social"}}));

  protocol::EventSummary notice;
  notice.seq = 13;
  notice.time = 5;
  notice.kind = "notice_changed";
  notice.text = "";  // withdrawn: the text is still there
  EXPECT_EQ(to_json(notice), json({{"seq", 13}, {"time_us", 5}, {"kind", "notice_changed"}, {"text", ""}}));

  protocol::EventSummary device;
  device.seq = 14;
  device.time = 6;
  device.kind = "device_reported";
  device.device = "kiosk-1";
  device.device_kind = "printer";
  device.device_state = "cover_open";
  device.text = "DLE EOT 2: cover open";
  EXPECT_EQ(to_json(device), json({{"seq", 14},
                                   {"time_us", 6},
                                   {"kind", "device_reported"},
                                   {"device", "kiosk-1"},
                                   {"device_kind", "printer"},
                                   {"state", "cover_open"},
                                   {"detail", "DLE EOT 2: cover open"}}));

  protocol::EventSummary rolled;
  rolled.kind = "day_rolled";
  rolled.day = kDay;
  EXPECT_EQ(to_json(rolled), json({{"seq", 0}, {"time_us", 0}, {"kind", "day_rolled"}, {"day", kDay}}));
}

TEST(JsonView, AReplysEventsAsTheCoreEmittedThem) {
  ViewHall h;
  h.run(core::OpenWindow{"w1", "zhang"}, h.at(9, 0));
  h.issue("social", h.at(9, 1));
  const std::vector<core::Event> events =
      h.run(core::IssueTicket{"social", core::Priority::kPriority}, h.at(9, 2));
  ASSERT_EQ(events.size(), 1u);
  const auto& issued = std::get<core::TicketIssued>(events[0].body);
  const json j = events_json({protocol::encode_event(h.hall(), events[0], "r-1")});
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0], json({{"seq", events[0].seq},
                        {"time_us", h.at(9, 2)},
                        {"kind", "ticket_issued"},
                        {"ticket", issued.ticket},
                        {"number", "A002"},
                        {"service", "social"},
                        {"priority", "priority"},
                        {"ahead", issued.ahead},
                        {"predicted_wait_s", issued.predicted_wait_s}}));
  EXPECT_EQ(events_json({}), json::array());
}

}  // namespace
}  // namespace hallq::view::testing
