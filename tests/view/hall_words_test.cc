// The one wording of every display (engine/view/hall_words.h) and the
// opening hours it relies on (engine/view/opening_hours.h).
#include "engine/view/hall_words.h"

#include <gtest/gtest.h>

#include "engine/view/opening_hours.h"
#include "tests/view/view_hall.h"

namespace hallq::view::testing {
namespace {

TEST(HallWordsTest, WaitsInOneWording) {
  EXPECT_EQ(wait_text(-1), "暂停受理");
  EXPECT_EQ(wait_text(0), "无需等待");
  EXPECT_EQ(wait_text(30), "无需等待");
  EXPECT_EQ(wait_text(31), "约 1 分钟");
  EXPECT_EQ(wait_text(60), "约 1 分钟");
  EXPECT_EQ(wait_text(61), "约 2 分钟");
  ServiceSummary s;
  s.predicted_wait_s = 112 * 60;
  EXPECT_EQ(service_wait_text(s), "暂停受理") << "no open window: not a forecast";
  s.open_windows = 1;
  EXPECT_EQ(service_wait_text(s), "约 112 分钟");
}

TEST(HallWordsTest, TheSummaryCarriesTheWording) {
  ViewHall h;
  h.run(core::OpenWindow{"w1", "zhang"}, h.at(9, 0));
  for (int i = 0; i < 3; ++i) h.issue("social", h.at(9, 1));
  h.issue("civil", h.at(9, 1));
  const HallSummary s = summarize(h.hall(), h.at(9, 2));
  EXPECT_EQ(s.services[0].wait_text, service_wait_text(s.services[0]));
  EXPECT_NE(s.services[0].wait_text, "暂停受理");
  EXPECT_EQ(s.services[1].wait_text, "暂停受理");  // civil: w2 and w3 closed
}

TEST(HallWordsTest, AnAdvisoryIsExplainedWithNames) {
  AdvisorySummary a;
  a.service = "civil";
  a.service_name = "民政残联";
  a.window = "w9";
  a.window_name = "民政残联窗口";
  a.window_number = 9;
  a.action = "open";
  a.wait_before_s = 45 * 60;
  a.wait_after_s = 12 * 60;
  EXPECT_EQ(advisory_text(a),
            "建议开启 9 号窗口（民政残联窗口）办理民政残联：民政残联预计等待由约 45 分钟缩短到约 12 分钟");
  a.action = "lend";
  a.window_name = "社保医保窗口";
  a.window_number = 1;
  a.wait_before_s = -1;
  EXPECT_EQ(advisory_text(a),
            "建议 1 号窗口（社保医保窗口）兼办民政残联：民政残联预计等待由暂停受理缩短到约 12 分钟");
  EXPECT_EQ(advisory_text(a).find("civil"), std::string::npos);
}

TEST(HallWordsTest, OpeningHoursAndTheNextOpening) {
  ViewHall h;
  const core::HallConfig& cfg = h.hall().config();  // 08:30-17:30
  EXPECT_TRUE(opening(cfg, h.at(8, 30)).open_now);
  EXPECT_TRUE(opening(cfg, h.at(17, 29, 59)).open_now);
  const Opening morning = opening(cfg, h.at(7, 0));
  EXPECT_FALSE(morning.open_now);
  EXPECT_TRUE(morning.next_today);
  EXPECT_EQ(morning.next, h.at(8, 30));
  const Opening evening = opening(cfg, h.at(17, 30));
  EXPECT_FALSE(evening.open_now);
  EXPECT_FALSE(evening.next_today);
  EXPECT_EQ(evening.next, h.at(8, 30) + 86'400 * core::kUsPerSecond);
}

TEST(HallWordsTest, AClosedHallSaysWhenItOpensNext) {
  ViewHall h;
  const core::HallConfig& cfg = h.hall().config();
  // 2024-03-04 is a Monday; after 17:30 the next opening is Tuesday 08:30.
  const ClosedText evening = closed_text(cfg, summarize(h.hall(), h.at(18, 0)), h.at(18, 0));
  EXPECT_EQ(evening.title, "今日已下班，停止取号");
  EXPECT_EQ(evening.detail, "下次办理时间：3月5日 星期二 08:30");
  const ClosedText morning = closed_text(cfg, summarize(h.hall(), h.at(7, 45)), h.at(7, 45));
  EXPECT_EQ(morning.title, "尚未开始办理");
  EXPECT_EQ(morning.detail, "下次办理时间：今天 08:30");
  EXPECT_FALSE(closed_text(cfg, summarize(h.hall(), h.at(10, 0)), h.at(10, 0)).closed());
  // After hours with a window still serving those in line: not closed yet.
  h.run(core::OpenWindow{"w1", "zhang"}, h.at(17, 0));
  EXPECT_FALSE(closed_text(cfg, summarize(h.hall(), h.at(17, 40)), h.at(17, 40)).closed());
  h.run(core::CloseWindow{"w1"}, h.at(17, 50));
  EXPECT_TRUE(closed_text(cfg, summarize(h.hall(), h.at(18, 0)), h.at(18, 0)).closed());
}

}  // namespace
}  // namespace hallq::view::testing
