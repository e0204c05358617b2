// hallq_sdl: the CJK font, cached text, PNG round trips and tolerant comparison,
// with the real SDL2 software renderer (headless).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/png_frame.h"
#include "engine/device/sdl/sdl_init.h"
#include "engine/device/sdl/text_cache.h"

namespace hallq::sdl {
namespace {

class SdlTest : public ::testing::Test {
 protected:
  SdlSession session_{SessionOptions{.headless = true}};
};

TEST_F(SdlTest, ChineseTextHasGlyphsAndEmojiOrPrivateUseDoNot) {
  FontSet fonts;
  TTF_Font* f = fonts.get(32);
  EXPECT_TRUE(missing_glyphs(f, "请 A012 号 到 5 号窗口 办理中 暂停服务 未开放 系统连接中…").empty());
  const auto missing = missing_glyphs(f, "号\U000F0000\U000F0000");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0], U'\U000F0000');
  const auto bad = missing_glyphs(f, std::string("A\xff"));
  ASSERT_EQ(bad.size(), 1u) << "invalid UTF-8 would show as a box";
  EXPECT_EQ(bad[0], U'\uFFFD');
}

TEST_F(SdlTest, MissingFontIsAClearError) {
  try {
    FontSet fonts(FontSpec{.path = "/nonexistent/font.ttc", .face_index = 0});
    FAIL() << "no error";
  } catch (const FontError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/font.ttc"), std::string::npos) << e.what();
  }
}

TEST_F(SdlTest, TextIsCachedAndEvictedWhenUnused) {
  Canvas canvas(session_, CanvasOptions{.width = 320, .height = 120});
  FontSet fonts;
  TextCache cache(canvas.renderer(), fonts, 2);
  const SDL_Color white{255, 255, 255, 255};
  const Text& a = cache.get("窗口", 24, white);
  ASSERT_NE(a.texture, nullptr);
  EXPECT_GT(a.width, 30);
  cache.get("窗口", 24, white);
  EXPECT_EQ(cache.stats().renders, 1u);
  EXPECT_EQ(cache.stats().hits, 1u);
  cache.get("窗口", 24, SDL_Color{255, 0, 0, 255});  // another colour is another entry
  cache.get("办理中", 24, white);
  cache.end_frame();  // all three used in this frame: none evicted
  EXPECT_EQ(cache.size(), 3u);
  cache.get("办理中", 24, white);
  cache.end_frame();  // two unused ones beyond capacity 2: one goes
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.stats().evictions, 1u);
}

TEST_F(SdlTest, DrawnFramesRoundTripThroughPngAndCompareTolerantly) {
  Canvas canvas(session_, CanvasOptions{.width = 200, .height = 80});
  FontSet fonts;
  TextCache cache(canvas.renderer(), fonts);
  SDL_SetRenderDrawColor(canvas.renderer(), 0, 0, 0, 255);
  SDL_RenderClear(canvas.renderer());
  cache.draw("A012", 40, SDL_Color{255, 255, 0, 255}, SDL_Rect{0, 0, 200, 80}, Align::kCenter);
  const Image frame = read_pixels(canvas.renderer());
  ASSERT_EQ(frame.width, 200);
  std::size_t lit = 0;
  for (std::size_t i = 0; i < frame.rgba.size(); i += 4) lit += frame.rgba[i] > 128;
  EXPECT_GT(lit, 200u) << "the text was drawn";

  const std::string path = ::testing::TempDir() + "/hallq_sdl_frame.png";
  write_png(path, frame);
  const Image back = load_png(path);
  std::remove(path.c_str());
  CompareResult same = compare_images(back, frame, {.tolerance = 0, .max_differing = 0});
  EXPECT_TRUE(same.ok);
  EXPECT_EQ(same.max_delta, 0);

  Image shifted = frame;  // the same text one line lower is a different image
  for (int y = frame.height - 1; y >= 4; --y)
    std::copy_n(&frame.rgba[(y - 4) * 200 * 4], 200 * 4, &shifted.rgba[y * 200 * 4]);
  EXPECT_FALSE(compare_images(shifted, frame).ok);
  Image noisy = frame;  // small per-pixel noise is tolerated
  for (std::size_t i = 0; i < noisy.rgba.size(); i += 4)
    noisy.rgba[i] = static_cast<std::uint8_t>(noisy.rgba[i] ^ 8);
  EXPECT_TRUE(compare_images(noisy, frame).ok);
  EXPECT_FALSE(compare_images(Image{.width = 1, .height = 1, .rgba = {0, 0, 0, 255}}, frame).same_size);
}

}  // namespace
}  // namespace hallq::sdl
