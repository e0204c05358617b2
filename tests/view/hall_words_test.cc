// The one wording of every display (engine/view/hall_words.h) and the
// opening hours it relies on (engine/view/opening_hours.h).
#include "engine/view/hall_words.h"

#include <gtest/gtest.h>

#include "engine/core/calendar.h"
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

// A hall working Monday to Friday, with a holiday and a 调休 Saturday.
core::HallConfig working_days_config() {
  core::HallConfig cfg = *view_hall_config();
  cfg.weekdays = 0b0111110;  // mon-fri
  cfg.closed_days = {*core::parse_day("2026-12-14")};
  cfg.extra_days = {*core::parse_day("2026-12-19")};
  EXPECT_EQ(cfg.validate_and_index(), std::nullopt);
  return cfg;
}

core::TimeUs local(const core::HallConfig& cfg, std::string_view date, int hour, int minute) {
  return cfg.day_start(*core::parse_day(date)) + (hour * 60 + minute) * core::kUsPerMinute;
}

TEST(HallWordsTest, TheNextOpeningSkipsTheWeekendAndHolidays) {
  const core::HallConfig cfg = working_days_config();
  const ViewHall h;
  const HallSummary idle = summarize(h.hall(), h.at(18, 0));  // no window open
  // Friday 2026-12-04 evening: next Monday 08:30.
  const core::TimeUs friday = local(cfg, "2026-12-04", 18, 0);
  EXPECT_FALSE(cfg.within_hours(friday));
  EXPECT_TRUE(cfg.within_hours(local(cfg, "2026-12-04", 9, 0)));
  EXPECT_EQ(opening(cfg, friday).next, local(cfg, "2026-12-07", 8, 30));
  ClosedText text = closed_text(cfg, idle, friday);
  EXPECT_EQ(text.title, "今日已下班，停止取号");
  EXPECT_EQ(text.detail, "下次办理时间：12月7日 星期一 08:30");
  // Saturday morning: not a working day, whatever the hour.
  const core::TimeUs saturday = local(cfg, "2026-12-05", 9, 0);
  EXPECT_FALSE(cfg.within_hours(saturday));
  EXPECT_FALSE(opening(cfg, saturday).next_today);
  text = closed_text(cfg, idle, saturday);
  EXPECT_EQ(text.title, "今日休息，停止取号");
  EXPECT_EQ(text.detail, "下次办理时间：12月7日 星期一 08:30");
  // Friday 2026-12-11: Monday the 14th is a holiday, so Tuesday.
  EXPECT_EQ(closed_text(cfg, idle, local(cfg, "2026-12-11", 18, 0)).detail,
            "下次办理时间：12月15日 星期二 08:30");
  EXPECT_FALSE(cfg.within_hours(local(cfg, "2026-12-14", 10, 0)));
  // Friday 2026-12-18: Saturday the 19th works (调休).
  EXPECT_EQ(closed_text(cfg, idle, local(cfg, "2026-12-18", 18, 0)).detail,
            "下次办理时间：12月19日 星期六 08:30");
  EXPECT_TRUE(cfg.within_hours(local(cfg, "2026-12-19", 10, 0)));
  EXPECT_TRUE(opening(cfg, local(cfg, "2026-12-19", 7, 0)).next_today);
}

TEST(HallWordsTest, EveryDayIsAWorkingDayByDefault) {
  const std::shared_ptr<const core::HallConfig> config = view_hall_config();
  const core::HallConfig& cfg = *config;
  for (const char* date : {"2026-12-05", "2026-12-06", "2026-10-01"}) {
    SCOPED_TRACE(date);
    EXPECT_TRUE(cfg.open_on(*core::parse_day(date)));
    EXPECT_TRUE(cfg.within_hours(local(cfg, date, 10, 0)));
  }
}

}  // namespace
}  // namespace hallq::view::testing
