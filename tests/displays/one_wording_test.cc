// One wording, one forecast (issue 17): for the same hall state at the same
// instant, `hallq board`'s text and the hall screen's model give every
// service the same waiting count and the same predicted wait, worded the
// same, and after hours the same closed-hall text.
#include <gtest/gtest.h>

#include "displays/screens/hall_layout.h"
#include "displays/screens/screen_model.h"
#include "engine/core/utf8.h"
#include "tests/displays/town_hall.h"
#include "tools/hallq/board_text.h"
#include "tools/hallq/event_text.h"

namespace hallq::display {
namespace {

using testing::kMorning;
using testing::TownHall;

constexpr core::TimeUs kS = core::kUsPerSecond;

// Every service line of the screen model appears on the board word for word.
void expect_same_words(const core::Hall& hall, core::TimeUs now) {
  const ScreenModel m = build_model(&hall, true, now, now, 5);
  const std::string board = cli::board_text(hall, now, {}, false);
  ASSERT_EQ(m.services.size(), hall.config().services.size());
  for (const ServiceRow& s : m.services) {
    const std::string line = core::pad_to_width(s.name + "（" + s.prefix + "）", 22) +
                             core::pad_to_width(std::to_string(s.waiting), 8) + s.wait_text + "\n";
    EXPECT_NE(board.find(line), std::string::npos) << "board lacks \"" << line << "\" in\n" << board;
  }
  if (m.closed.closed()) {
    EXPECT_NE(board.find(m.closed.title), std::string::npos) << board;
    EXPECT_NE(board.find(m.closed.detail), std::string::npos) << board;
  }
}

TEST(OneWordingTest, BoardAndScreenAgreeThroughADay) {
  TownHall town;
  expect_same_words(town.hall(), kMorning - 2 * 3600 * kS);  // 07:30: closed, nothing open
  town.morning();                                            // four windows, calls, a pause
  for (int s : {70, 95, 130, 400, 1'000}) expect_same_words(town.hall(), kMorning + s * kS);
  // A queue on one window: waits of many minutes; the business queue with no window.
  for (int i = 0; i < 12; ++i) town.apply(core::IssueTicket{"social"}, 80);
  town.apply(core::IssueTicket{"business"}, 80);
  for (int s : {81, 200, 900}) expect_same_words(town.hall(), kMorning + s * kS);
}

TEST(OneWordingTest, NoOpenWindowIsWordedTheSameEverywhere) {
  TownHall town;
  town.morning();
  town.apply(core::IssueTicket{"business"}, 80);
  const core::TimeUs now = kMorning + 90 * kS;
  const ScreenModel m = build_model(&town.hall(), true, now, now, 5);
  EXPECT_EQ(m.services[2].wait_text, "暂停受理");  // business: no open window serves it
  EXPECT_NE(cli::board_text(town.hall(), now, {}, false).find("暂停受理"), std::string::npos);
  EXPECT_EQ(cli::board_text(town.hall(), now, {}, false).find("暂无窗口"), std::string::npos);
}

TEST(OneWordingTest, AfterHoursBothShowTheHallClosed) {
  TownHall town;
  town.morning();
  // The day's last citizens served, every window closed.
  town.apply(core::StartService{"w1"}, 500);
  town.apply(core::StartService{"w5"}, 500);
  for (const char* w : {"w1", "w2", "w5"}) town.apply(core::Finish{w}, 590);
  for (const char* w : {"w1", "w2", "w5", "w11"}) town.apply(core::CloseWindow{w}, 600);
  const core::TimeUs evening = kMorning + 9 * 3600 * kS;  // 18:30
  const ScreenModel m = build_model(&town.hall(), true, evening, evening, 5);
  ASSERT_TRUE(m.closed.closed());
  EXPECT_EQ(m.closed.title, "今日已下班，停止取号");
  EXPECT_EQ(m.closed.detail, "下次办理时间：3月5日 星期二 08:30");
  expect_same_words(town.hall(), evening);
  // The screen's calls band shows it, not the last call as current.
  const HallLayout l = layout_hall(m, 1920, 1080, {});
  bool title = false, detail = false;
  for (const TextItem& t : l.texts) {
    title |= t.text == m.closed.title;
    detail |= t.text == m.closed.detail;
    EXPECT_NE(t.text, "正在叫号");
    for (const CallRow& c : m.calls) EXPECT_NE(t.text, c.text);
  }
  EXPECT_TRUE(title);
  EXPECT_TRUE(detail);
}

}  // namespace
}  // namespace hallq::display
