// The pure parts of the screens: model, hall layout, LED content, latency stats.
#include "displays/screens/screen_model.h"

#include <gtest/gtest.h>

#include <set>

#include "displays/screens/hall_layout.h"
#include "displays/screens/latency_stats.h"
#include "displays/screens/led_strip.h"
#include "tests/displays/town_hall.h"

namespace hallq::display {
namespace {

using testing::kMorning;
using testing::TownHall;

TEST(ScreenTextTest, DatesTimesAndWaitsInChinese) {
  EXPECT_EQ(date_text(kMorning, 480), "2024年3月4日 星期一");
  EXPECT_EQ(time_text(kMorning, 480), "09:30:00");
  EXPECT_EQ(time_text(kMorning + 59 * core::kUsPerSecond, 480), "09:30:59");
  EXPECT_EQ(date_text(kMorning + 15 * 3600 * core::kUsPerSecond, 480),
            "2024年3月5日 星期二");  // past local midnight
  EXPECT_EQ(wait_text(0), "无需等待");
  EXPECT_EQ(wait_text(61), "约 2 分钟");
  EXPECT_EQ(wait_text(-1), "暂停受理");
  EXPECT_EQ(call_text("A012", 5), "请 A012 号 到 5 号窗口");
  core::TimeUs t = 0;
  ASSERT_TRUE(parse_local_time("2024-03-04T09:30:00", 480, t));
  EXPECT_EQ(t, kMorning);
  EXPECT_FALSE(parse_local_time("2024-03-04 09:30", 480, t));
  EXPECT_FALSE(parse_local_time("2024-13-04T09:30:00", 480, t));
}

// An open window with no one called reads 空闲, as on the dashboard
// (displays/web/site/dashboard.js STATE_TEXT: idle), not 办理中.
TEST(ScreenModelTest, AnOpenWindowWithNoOneCalledReadsIdle) {
  TownHall town;
  town.morning();
  town.apply(core::OpenWindow{"w3", ""}, 40);  // w3 serves social, whose citizens are called already
  const ScreenModel m = build_model(&town.hall(), true, kMorning + 70 * core::kUsPerSecond, kMorning, 5);
  ASSERT_EQ(m.windows.size(), 12u);
  EXPECT_EQ(m.windows[2].tone, WindowTone::kIdle);
  EXPECT_TRUE(m.windows[2].current.empty());
  EXPECT_EQ(m.windows[2].state, "空闲");
  EXPECT_EQ(m.windows[0].state, "办理中");  // called
  EXPECT_EQ(m.windows[1].state, "办理中");  // serving
}

TEST(ScreenModelTest, WindowsServicesAndRecentCallsFromTheHall) {
  TownHall town;
  town.morning();
  const ScreenModel m = build_model(&town.hall(), true, kMorning + 70 * core::kUsPerSecond, kMorning, 5);
  ASSERT_TRUE(m.online);
  EXPECT_EQ(m.hall_name, "商家镇便民服务中心");
  EXPECT_EQ(m.seq, town.hall().seq());
  ASSERT_EQ(m.windows.size(), 12u);
  EXPECT_EQ(m.windows[0].number, 1);
  EXPECT_EQ(m.windows[0].state, "办理中");
  EXPECT_EQ(m.windows[0].tone, WindowTone::kCalled);
  EXPECT_EQ(m.windows[1].tone, WindowTone::kServing);
  EXPECT_EQ(m.windows[2].state, "未开放");
  EXPECT_TRUE(m.windows[2].current.empty());
  EXPECT_EQ(m.windows[10].state, "暂停服务");
  ASSERT_EQ(m.calls.size(), 3u);  // newest first
  EXPECT_EQ(m.calls[0].window_number, 5);
  EXPECT_EQ(m.calls[0].text, "请 " + m.windows[4].current + " 号 到 5 号窗口");
  EXPECT_EQ(m.calls[2].window_number, 1);
  ASSERT_EQ(m.services.size(), 7u);
  std::uint32_t waiting = 0;
  for (const ServiceRow& s : m.services) waiting += s.waiting;
  EXPECT_EQ(waiting, 4u);
  EXPECT_EQ(m.waiting, 4u);
  EXPECT_EQ(m.services[2].wait_text, "暂停受理");  // business: no open window serves it

  // A recall brings the first call back to the top.
  town.apply(core::Recall{"w1"}, 80);
  const core::Ticket* first = town.hall().find_number(m.calls[2].number);
  ASSERT_NE(first, nullptr);
  const RecallTimes recalls{{first->id, kMorning + 80 * core::kUsPerSecond}};
  const ScreenModel r =
      build_model(&town.hall(), true, kMorning + 90 * core::kUsPerSecond, kMorning, 2, {}, 480, &recalls);
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].window_number, 1);
}

TEST(ScreenModelTest, OfflineShowsNoNumbers) {
  TownHall town;
  town.morning();
  const ScreenModel m = build_model(&town.hall(), false, kMorning, kMorning, 5);
  EXPECT_FALSE(m.online);
  EXPECT_TRUE(m.calls.empty());
  EXPECT_TRUE(m.windows.empty());
  EXPECT_EQ(m.time_text, "09:30:00");
  const ScreenModel none = build_model(nullptr, true, kMorning, kMorning, 5, "大厅");
  EXPECT_FALSE(none.online);
  EXPECT_EQ(none.hall_name, "大厅");
  const HallLayout l = layout_hall(none, 1920, 1080, {});
  bool connecting = false;
  for (const TextItem& t : l.texts) {
    connecting |= t.text.find("系统连接中") != std::string::npos;
    EXPECT_EQ(t.text.find("号窗口"), std::string::npos) << t.text;
  }
  EXPECT_TRUE(connecting);
}

// Every layout fits its canvas, its texts do not overlap, and sizes scale with the canvas.
class HallLayoutTest : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(HallLayoutTest, FitsAndScales) {
  const auto [w, h] = GetParam();
  TownHall town;
  town.morning();
  const ScreenModel m = build_model(&town.hall(), true, kMorning + 70 * core::kUsPerSecond, kMorning, 5);
  LayoutOptions o;
  o.notice = "办事指南";
  const HallLayout l = layout_hall(m, w, h, o);
  const Box canvas{0, 0, w, h};
  for (const FillItem& f : l.fills) EXPECT_TRUE(canvas.contains(f.box)) << f.box.x << "," << f.box.y;
  std::set<std::string> texts;
  for (std::size_t i = 0; i < l.texts.size(); ++i) {
    const TextItem& a = l.texts[i];
    texts.insert(a.text);
    EXPECT_TRUE(canvas.contains(a.box)) << a.text;
    EXPECT_GE(a.size, h > w ? w / 100 : h / 100) << a.text << " is readable from across the hall";
    for (std::size_t j = i + 1; j < l.texts.size(); ++j) {
      const Box& b = l.texts[j].box;
      const bool overlap =
          a.box.x < b.x + b.w && b.x < a.box.x + a.box.w && a.box.y < b.y + b.h && b.y < a.box.y + a.box.h;
      EXPECT_FALSE(overlap) << a.text << " / " << l.texts[j].text;
    }
  }
  EXPECT_TRUE(texts.count(m.calls[0].text));
  EXPECT_TRUE(texts.count("暂停服务"));
  EXPECT_TRUE(texts.count("未开放"));
  EXPECT_TRUE(texts.count("09:30:00"));
  EXPECT_TRUE(canvas.contains(l.marquee.box));
  EXPECT_GT(l.marquee.box.h, 0);

  // Twice the canvas, twice the text.
  const HallLayout big = layout_hall(m, w * 2, h * 2, o);
  ASSERT_EQ(big.texts.size(), l.texts.size());
  for (std::size_t i = 0; i < l.texts.size(); ++i)
    EXPECT_NEAR(big.texts[i].size, 2 * l.texts[i].size, 2 + l.texts[i].size / 10) << l.texts[i].text;
}

INSTANTIATE_TEST_SUITE_P(Canvases, HallLayoutTest,
                         ::testing::Values(std::pair{1920, 1080}, std::pair{3840, 2160},
                                           std::pair{1080, 1920}, std::pair{1366, 768},
                                           std::pair{1280, 1024}));

TEST(HallLayoutTest, TheNewestCallFlashes) {
  TownHall town;
  town.morning();
  const ScreenModel m = build_model(&town.hall(), true, kMorning, kMorning, 5);
  LayoutOptions on, off;
  on.flash_on = true;
  const HallLayout a = layout_hall(m, 1920, 1080, on), b = layout_hall(m, 1920, 1080, off);
  EXPECT_EQ(a.fills.size(), b.fills.size() + 1);
  EXPECT_FALSE(a.texts == b.texts);  // another colour
}

TEST(GridTest, ColumnsFollowTheArea) {
  EXPECT_EQ(grid_columns(12, 1900, 430, 2.8), 4);
  EXPECT_EQ(grid_columns(12, 1060, 820, 3.0), 3);
  EXPECT_EQ(grid_columns(1, 1000, 100, 3.0), 1);
  EXPECT_EQ(grid_columns(32, 1900, 430, 2.8), 8);
}

TEST(LedStripTest, WhatEachPanelSays) {
  WindowRow w{"w5", 5, "不动产窗口", "B001", "办理中", WindowTone::kCalled};
  auto lines = led_lines(&w, true, 32, LedColors::kDual);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "5号窗口");
  EXPECT_EQ(lines[1].text, "请 B001 号");
  EXPECT_EQ(lines[1].color, LedColor::kAmber);
  w.tone = WindowTone::kServing;
  EXPECT_EQ(led_lines(&w, true, 32, LedColors::kDual)[1].text, "B001 办理中");
  EXPECT_EQ(led_lines(&w, true, 32, LedColors::kDual)[1].color, LedColor::kGreen);
  EXPECT_EQ(led_lines(&w, true, 32, LedColors::kSingle)[1].color, LedColor::kRed);
  lines = led_lines(&w, true, 16, LedColors::kDual);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "5号窗口 B001 办理中");
  lines = led_lines(&w, true, 64, LedColors::kDual);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].text, "不动产窗口");
  w.tone = WindowTone::kPaused;
  EXPECT_EQ(led_lines(&w, true, 32, LedColors::kDual)[1].text, "暂停服务");
  w.tone = WindowTone::kClosed;
  EXPECT_EQ(led_lines(&w, true, 32, LedColors::kDual)[1].text, "未开放");
  EXPECT_EQ(led_lines(&w, false, 32, LedColors::kDual)[1].text, "系统连接中");
}

TEST(LedStripTest, TextIsCentredOrScrolls) {
  EXPECT_EQ(line_x(60, 128, 5.0, 24), 34);  // fits: centred, still
  EXPECT_EQ(line_x(200, 128, 0.0, 24), 0);  // too wide: starts at the left edge
  EXPECT_EQ(line_x(200, 128, 1.0, 24), -24);
  const int period = scroll_period(200, 128);
  EXPECT_EQ(period, 232);
  EXPECT_EQ(line_x(200, 128, period / 24.0, 24), 0);  // loops
  EXPECT_EQ(line_band(1, 2, 32).y, 16);
  EXPECT_EQ(line_band(2, 3, 64).height, 22);
}

TEST(LedStripTest, BitmapBlitsClipped) {
  LedBitmap b(8, 4);
  LedMask m{3, 2, {1, 0, 1, 0, 1, 0}};
  b.blit(m, 6, 3, LedColor::kGreen);  // partly off the panel
  EXPECT_EQ(b.lit(), 1u);
  EXPECT_EQ(b.at(6, 3), LedColor::kGreen);
  b.blit(m, -2, 0, LedColor::kRed);
  EXPECT_EQ(b.at(0, 0), LedColor::kRed);
  EXPECT_EQ(b.lit(), 2u);
}

TEST(LatencyStatsTest, Percentiles) {
  LatencyStats s;
  EXPECT_EQ(s.percentile(50), 0);
  for (int i = 1; i <= 100; ++i) s.record(i * 100);  // 100 µs .. 10 ms
  EXPECT_EQ(s.count(), 100u);
  EXPECT_NEAR(s.percentile(50), 5000, 5000 * 0.06);
  EXPECT_NEAR(s.percentile(99), 9900, 9900 * 0.06);
  EXPECT_EQ(s.percentile(100), 10000);
  EXPECT_EQ(s.max(), 10000);
}

}  // namespace
}  // namespace hallq::display
