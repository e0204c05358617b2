// The city's JSON made of each hall's object kept apart (city_figures.h):
// what a JSON parser reads back from the joined page is every hall's figures,
// in the order given, with the city's totals, alerts and stream counters;
// no halls is a valid page too.
#include "displays/city/city_figures.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hallq::city {
namespace {

HallFigures figures(const std::string& id, std::uint32_t waiting, std::int32_t predicted) {
  HallFigures f;
  f.id = id;
  f.name = "大厅 " + id + " \"引号\"";  // escaped inside the hall's own object
  f.seq = 40 + waiting;
  f.waiting = waiting;
  f.longest_wait_s = 600 + waiting;
  f.predicted_wait_s = predicted;
  f.predicted_service = predicted < 0 ? "" : "社保医保";
  f.windows_open = 2;
  f.windows_total = 12;
  f.ratings = 4;
  f.satisfaction = 0.75;
  f.open_now = true;
  f.last_event_us = 1'764'640'800'000'000LL + waiting;
  if (waiting > 5) f.alerts.push_back({"long_queue", "排队人数较多"});
  return f;
}

TEST(CityFiguresTest, TheJoinedHallObjectsReadBackAsTheCitysJson) {
  const std::vector<HallFigures> in = {figures("t0001", 3, 120), figures("d0002", 9, -1),
                                       figures("t0003", 0, 0)};
  std::vector<std::string> objects;
  for (const HallFigures& f : in) objects.push_back(hall_json(f));
  const std::vector<std::string_view> views(objects.begin(), objects.end());
  FeedFigures feed;
  feed.delivered = 700;
  feed.applied = 690;
  feed.held = 4;
  feed.refused = 6;
  feed.pending = 512;  // at or over kLagAlert: a lag alert
  feed.connected = true;
  feed.refusals = {"hallq.events.x stream seq 9: refused"};

  const nlohmann::json j = nlohmann::json::parse(city_json(views, 12, feed, 1'764'640'801'000'000LL));
  ASSERT_EQ(j["halls"].size(), 3u);
  for (std::size_t i = 0; i < in.size(); ++i) {
    const nlohmann::json& h = j["halls"][i];
    const HallFigures& f = in[i];
    EXPECT_EQ(h["id"], f.id);
    EXPECT_EQ(h["name"], f.name);
    EXPECT_EQ(h["seq"], f.seq);
    EXPECT_EQ(h["waiting"], f.waiting);
    EXPECT_EQ(h["longest_wait_s"], f.longest_wait_s);
    EXPECT_EQ(h["predicted_wait_s"], f.predicted_wait_s);
    EXPECT_EQ(h["predicted_service"], f.predicted_service);
    EXPECT_EQ(h["windows_open"], f.windows_open);
    EXPECT_EQ(h["windows_total"], f.windows_total);
    EXPECT_EQ(h["ratings"], f.ratings);
    EXPECT_DOUBLE_EQ(h["satisfaction"].get<double>(), f.satisfaction);
    EXPECT_EQ(h["open_now"], f.open_now);
    EXPECT_EQ(h["last_event_us"], f.last_event_us);
    ASSERT_EQ(h["alerts"].size(), f.alerts.size());
    for (std::size_t a = 0; a < f.alerts.size(); ++a) {
      EXPECT_EQ(h["alerts"][a]["kind"], f.alerts[a].kind);
      EXPECT_EQ(h["alerts"][a]["message"], f.alerts[a].message);
    }
  }
  EXPECT_EQ(j["waiting"], 12);
  EXPECT_EQ(j["time_us"], 1'764'640'801'000'000LL);
  ASSERT_EQ(j["alerts"].size(), 1u);
  EXPECT_EQ(j["alerts"][0]["kind"], "lag");
  EXPECT_EQ(j["alerts"][0]["message"], "城市视图落后事件流 512 条");
  EXPECT_EQ(j["stream"]["delivered"], 700);
  EXPECT_EQ(j["stream"]["applied"], 690);
  EXPECT_EQ(j["stream"]["held"], 4);
  EXPECT_EQ(j["stream"]["refused"], 6);
  EXPECT_EQ(j["stream"]["pending"], 512);
  EXPECT_EQ(j["stream"]["connected"], true);
  EXPECT_EQ(j["stream"]["refusals"], nlohmann::json::array({"hallq.events.x stream seq 9: refused"}));
}

TEST(CityFiguresTest, NoHallsYetIsAValidPage) {
  FeedFigures feed;  // not connected: the connection alert
  const nlohmann::json j = nlohmann::json::parse(city_json({}, 0, feed, 5));
  EXPECT_EQ(j["halls"], nlohmann::json::array());
  EXPECT_EQ(j["waiting"], 0);
  ASSERT_EQ(j["alerts"].size(), 1u);
  EXPECT_EQ(j["alerts"][0]["message"], "与事件流的连接中断，数字可能不是最新");
}

}  // namespace
}  // namespace hallq::city
