// The hall screen's check-in QR code (签到二维码): the URL for an instant
// (expected tokens from Python's hmac, run once and pasted:
//   base64.urlsafe_b64encode(hmac.new(bytes(range(32)), b"checkin|town|2024-03-04|57",
//                                     hashlib.sha256).digest()[:16]).rstrip(b"=")
// ), the code drawn by the real painter (SDL software renderer, headless)
// and read back from the frame's pixels by zbarimg, and a new code drawn
// when the ten-minute slot turns.
#include "displays/screens/checkin_code.h"

#include <gtest/gtest.h>

#include <fstream>

#include "displays/screens/hall_layout.h"
#include "displays/screens/hall_painter.h"
#include "displays/screens/screen_model.h"
#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/png_frame.h"
#include "engine/device/sdl/sdl_init.h"
#include "engine/device/sdl/text_cache.h"
#include "tests/displays/town_hall.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::display {
namespace {

using testing::kMorning;  // 2024-03-04 09:30 in the hall (UTC+8): slot 57
using testing::TownHall;

const std::string kZbarimg = "/usr/bin/zbarimg";
const std::string kSecret = [] {
  std::string s;
  for (int i = 0; i < 32; ++i) s += static_cast<char>(i);
  return s;
}();
const std::string kAt0930 = "https://q.example.gov.cn/c/town?k=dwTdiKclr9iX5kbAxq7diw";
const std::string kAt0940 = "https://q.example.gov.cn/c/town?k=vhF8t8r7sYQ0ulCWuE6ejw";

CheckinConfig config() {
  CheckinConfig c;
  c.url = "https://q.example.gov.cn/c/{hall}?k={token}";
  c.ticket_secret = "unused";
  return c;
}

// The QR payload zbarimg reads from a PNG ("" if none).
std::string scan(const std::string& png) {
  const hallq::testing::RunResult r = hallq::testing::run_program(kZbarimg, {"-q", "--raw", png});
  std::string out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(CheckinCode, TheUrlCarriesTheSlotsToken) {
  EXPECT_EQ(checkin_url(config(), kSecret, "town", kMorning, 8 * 60), kAt0930);
  EXPECT_EQ(checkin_url(config(), kSecret, "town", kMorning + 9 * core::kUsPerMinute, 8 * 60), kAt0930);
  EXPECT_EQ(checkin_url(config(), kSecret, "town", kMorning + 10 * core::kUsPerMinute, 8 * 60), kAt0940);
}

class CheckinRenderTest : public ::testing::Test {
 protected:
  sdl::SdlSession session_{sdl::SessionOptions{.headless = true}};
  sdl::FontSet fonts_;
};

TEST_F(CheckinRenderTest, TheScreenShowsAScannableCodeAndANewOneEachSlot) {
  ASSERT_TRUE(std::ifstream(kZbarimg)) << "zbarimg missing (zbar-tools, tools/install-deps.sh)";
  hallq::testing::TempDir dir("hallq-checkin-render");
  TownHall town;
  town.morning();
  constexpr int kW = 1920, kH = 1080;
  sdl::Canvas canvas(session_, sdl::CanvasOptions{.width = kW, .height = kH});
  sdl::TextCache cache(canvas.renderer(), fonts_);
  HallPainter painter(canvas.renderer(), cache);
  const ScreenModel m = build_model(&town.hall(), true, kMorning, kMorning, 5);
  LayoutOptions o;
  o.notice = "办事指南：请先取号";
  o.checkin_caption = "扫码签到（网上取号）";
  o.checkin_url = checkin_url(config(), kSecret, "town", kMorning, 8 * 60);
  const HallLayout layout = layout_hall(m, kW, kH, o);
  EXPECT_EQ(layout.qr.data, kAt0930);
  EXPECT_EQ(layout.qr.box.w, layout.qr.box.h);
  bool captioned = false;
  for (const TextItem& t : layout.texts) captioned = captioned || t.text == "扫码签到（网上取号）";
  EXPECT_TRUE(captioned);
  painter.paint(layout, 0, 50, true);
  const std::string first = dir.path() + "/first.png";
  sdl::write_frame_png(canvas.renderer(), first);
  EXPECT_EQ(scan(first), kAt0930);

  // A second later, the same code: only the clock is repainted.
  ScreenModel next = m;
  next.time_text = "09:30:01";
  EXPECT_FALSE(painter.paint(layout_hall(next, kW, kH, o), 0, 50));

  // Ten minutes on: the new slot's code, drawn over the old one.
  o.checkin_url = checkin_url(config(), kSecret, "town", kMorning + 10 * core::kUsPerMinute, 8 * 60);
  EXPECT_TRUE(painter.paint(layout_hall(next, kW, kH, o), 0, 50)) << "a new code repaints";
  const std::string second = dir.path() + "/second.png";
  sdl::write_frame_png(canvas.renderer(), second);
  EXPECT_EQ(scan(second), kAt0940);

  // No check-in configured: no code on the screen.
  LayoutOptions none = o;
  none.checkin_url.clear();
  EXPECT_TRUE(layout_hall(next, kW, kH, none).qr.data.empty());
  painter.paint(layout_hall(next, kW, kH, none), 0, 50, true);
  const std::string without = dir.path() + "/without.png";
  sdl::write_frame_png(canvas.renderer(), without);
  EXPECT_EQ(scan(without), "");
}

}  // namespace
}  // namespace hallq::display
