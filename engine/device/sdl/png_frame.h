// Frames as images: read back what a renderer drew, write and read PNG files
// (libpng), and compare two images tolerantly for golden-image tests
// (anti-aliasing and font-hinting differences must not fail a test, a moved or
// missing line must).
//
// Images are 8-bit RGBA, row-major, no padding. Errors: std::runtime_error
// naming the file and libpng's reason; SdlError for read-back failures.
// Functions share no state; the SDL ones run on the renderer's thread.
#pragma once

#include <SDL2/SDL.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hallq::sdl {

struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // width * height * 4 bytes
  bool empty() const { return width == 0 || height == 0; }
};

// Reads back the renderer's current target (SDL_RenderReadPixels).
Image read_pixels(SDL_Renderer* renderer);

// Writes `image` as a PNG. Written to a temporary file and renamed, so a
// reader never sees a half-written file.
void write_png(const std::string& path, const Image& image);
// read_pixels + write_png.
void write_frame_png(SDL_Renderer* renderer, const std::string& path);

// Loads any PNG libpng reads (converted to RGBA8).
Image load_png(const std::string& path);

struct CompareOptions {
  int tolerance = 48;            // a channel differing by more than this makes a pixel differ
  double max_differing = 0.004;  // share of differing pixels still accepted
};
struct CompareResult {
  bool same_size = false;
  std::size_t differing = 0;  // pixels beyond the tolerance
  double share = 1.0;         // differing / pixels
  int max_delta = 0;          // largest channel difference seen
  bool ok = false;            // same size and share <= max_differing
};
CompareResult compare_images(const Image& actual, const Image& expected, const CompareOptions& options = {});

// An image showing where two same-size images differ (red) over a dimmed
// copy of `expected`; empty if the sizes differ. For failing tests to save.
Image diff_image(const Image& actual, const Image& expected, int tolerance);

}  // namespace hallq::sdl
