// Real SDL rendering of the screens (software renderer, headless): every
// string the screens can show has its glyphs in the configured font (no
// missing-glyph boxes), LED text is rasterised into the panel, and a hall
// frame is drawn with cached text.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "displays/screens/hall_layout.h"
#include "displays/screens/hall_painter.h"
#include "displays/screens/led_painter.h"
#include "displays/screens/led_strip.h"
#include "displays/screens/screen_config.h"
#include "displays/screens/screen_model.h"
#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/png_frame.h"
#include "engine/device/sdl/sdl_init.h"
#include "engine/device/sdl/text_cache.h"
#include "tests/displays/town_hall.h"

namespace hallq::display {
namespace {

using testing::kMorning;
using testing::TownHall;

std::string describe(const std::vector<char32_t>& cps) {
  std::string out;
  for (char32_t c : cps) out += fmt::format(" U+{:04X}", static_cast<unsigned>(c));
  return out;
}

class RenderTest : public ::testing::Test {
 protected:
  sdl::SdlSession session_{sdl::SessionOptions{.headless = true}};
  sdl::FontSet fonts_;
};

TEST_F(RenderTest, EveryScreenStringHasItsGlyphs) {
  TownHall town;
  town.morning();
  town.apply(core::StartService{"w1"}, 100);
  std::vector<ScreenModel> models = {
      build_model(&town.hall(), true, kMorning + 100 * core::kUsPerSecond, kMorning, 7),
      build_model(&town.hall(), false, kMorning, kMorning, 7),
  };
  std::vector<std::pair<std::string, int>> strings;  // text, size
  for (const char* f : {"town-hall-1080p.toml", "town-hall-portrait.toml", "town-hall-wall-2x2.toml"}) {
    const ScreenConfig s = load_screen_config(std::string(HALLQ_SOURCE_DIR) + "/conf/screens/" + f);
    for (const std::string& line : s.notice.lines) strings.emplace_back(line, 40);
    for (const ScreenModel& m : models)
      for (bool flash : {false, true}) {
        LayoutOptions o;
        o.flash_on = flash;
        o.recent = s.calls.recent;
        o.notice = "首问负责";
        for (const TextItem& t : layout_hall(m, s.canvas_width(0), s.canvas_height(0), o).texts)
          strings.emplace_back(t.text, t.size);
      }
  }
  const ScreenModel& live = models[0];
  for (const WindowRow& w : live.windows)
    for (int rows : {16, 32, 64})
      for (bool online : {true, false})
        for (const LedLine& l : led_lines(&w, online, rows, LedColors::kDual))
          strings.emplace_back(l.text, rows / 2);
  ASSERT_GT(strings.size(), 200u);
  std::size_t checked = 0;
  for (const auto& [text, size] : strings) {
    const auto missing = sdl::missing_glyphs(fonts_.get(size), text);
    EXPECT_TRUE(missing.empty()) << "\"" << text << "\" lacks" << describe(missing);
    ++checked;
  }
  EXPECT_EQ(checked, strings.size());
  // The check itself catches a font without CJK: DejaVu, if installed, has no 号.
  const char* latin = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  if (std::FILE* f = std::fopen(latin, "rb")) {
    std::fclose(f);
    sdl::FontSet dejavu(sdl::FontSpec{latin, 0});
    EXPECT_FALSE(sdl::missing_glyphs(dejavu.get(20), live.calls[0].text).empty());
  }
}

TEST_F(RenderTest, LedTextIsRasterisedIntoThePanel) {
  sdl::Canvas canvas(session_, sdl::CanvasOptions{.width = 600, .height = 200});
  LedConfig led;
  LedPainter painter(canvas.renderer(), fonts_, led, 1);
  const LedMask& m = painter.mask("5号窗口", 16);
  EXPECT_EQ(m.height, 16);
  EXPECT_GT(m.width, 40);
  EXPECT_LT(m.width, 80);
  std::size_t on = 0;
  for (auto b : m.bits) on += b;
  EXPECT_GT(on, 60u);
  // Rows at the top and the bottom are used: the glyphs fill the line's height.
  bool top = false, bottom = false;
  for (int x = 0; x < m.width; ++x) top |= m.at(x, 0) || m.at(x, 1), bottom |= m.at(x, 14) || m.at(x, 15);
  EXPECT_TRUE(top && bottom);

  WindowRow w{"w5", 5, "不动产窗口", "B001", "办理中", WindowTone::kServing};
  const LedBitmap& b = painter.compose(0, led_lines(&w, true, 32, LedColors::kDual), 0);
  std::size_t red = 0, green = 0;
  for (LedColor c : b.pixels()) red += c == LedColor::kRed, green += c == LedColor::kGreen;
  EXPECT_GT(red, 60u);
  EXPECT_GT(green, 60u);
  SDL_SetRenderDrawColor(canvas.renderer(), 0, 0, 0, 255);
  SDL_RenderClear(canvas.renderer());
  painter.draw(0, 0, 0);
  const sdl::Image img = sdl::read_pixels(canvas.renderer());
  std::size_t lit = 0;
  for (std::size_t i = 0; i < img.rgba.size(); i += 4) lit += img.rgba[i + 1] > 200;  // bright green dots
  EXPECT_GT(lit, green);  // each lit LED is a dot of several pixels
}

TEST_F(RenderTest, AHallFrameIsDrawnFromCachedTextAndOnlyChangesAreRepainted) {
  TownHall town;
  town.morning();
  sdl::Canvas canvas(session_, sdl::CanvasOptions{.width = 960, .height = 540});
  sdl::TextCache cache(canvas.renderer(), fonts_);
  HallPainter painter(canvas.renderer(), cache);
  ScreenModel m = build_model(&town.hall(), true, kMorning, kMorning, 5);
  LayoutOptions o;
  o.notice = "办事指南：请先取号";
  EXPECT_TRUE(painter.paint(layout_hall(m, 960, 540, o), 0, 50));
  cache.end_frame();
  const auto renders = cache.stats().renders;
  EXPECT_GT(renders, 40u);
  const sdl::Image first = sdl::read_pixels(canvas.renderer());

  m.time_text = "09:30:01";  // the next second: one line re-rendered, no full repaint
  EXPECT_FALSE(painter.paint(layout_hall(m, 960, 540, o), 0, 50));
  cache.end_frame();
  EXPECT_EQ(cache.stats().renders, renders + 1);
  const sdl::Image second = sdl::read_pixels(canvas.renderer());
  const sdl::CompareResult diff = sdl::compare_images(second, first, {.tolerance = 0, .max_differing = 0});
  EXPECT_GT(diff.differing, 0u);
  EXPECT_LT(diff.share, 0.01);

  // The same frame painted from scratch is identical to the damage-repaired one.
  EXPECT_TRUE(painter.paint(layout_hall(m, 960, 540, o), 0, 50, true));
  const sdl::Image full = sdl::read_pixels(canvas.renderer());
  EXPECT_TRUE(sdl::compare_images(full, second, {.tolerance = 0, .max_differing = 0}).ok);
}

}  // namespace
}  // namespace hallq::display
