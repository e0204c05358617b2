// PNG through libpng's simplified API (png_image), which handles every input
// format and gamma for us; tolerant comparison for golden images.
#include "engine/device/sdl/png_frame.h"

#include <png.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "engine/device/sdl/sdl_init.h"

namespace hallq::sdl {

Image read_pixels(SDL_Renderer* renderer) {
  int w = 0, h = 0;
  if (SDL_GetRendererOutputSize(renderer, &w, &h) != 0) throw_sdl_error("SDL_GetRendererOutputSize");
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.resize(static_cast<std::size_t>(w) * h * 4);
  if (SDL_RenderReadPixels(renderer, nullptr, SDL_PIXELFORMAT_ABGR8888, img.rgba.data(), w * 4) != 0)
    throw_sdl_error("SDL_RenderReadPixels");
  // The frame is opaque whatever the target's alpha says.
  for (std::size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;
  return img;
}

void write_png(const std::string& path, const Image& image) {
  if (image.empty()) throw std::runtime_error(path + ": refusing to write an empty image");
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = PNG_FORMAT_RGBA;
  const std::string tmp = path + ".tmp";
  if (!png_image_write_to_file(&png, tmp.c_str(), 0, image.rgba.data(), image.width * 4, nullptr)) {
    const std::string why = png.message;
    png_image_free(&png);
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot write PNG: " + why);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(path + ": cannot rename the written PNG into place");
  }
}

void write_frame_png(SDL_Renderer* renderer, const std::string& path) {
  write_png(path, read_pixels(renderer));
}

Image load_png(const std::string& path) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, path.c_str()))
    throw std::runtime_error(path + ": cannot read PNG: " + png.message);
  png.format = PNG_FORMAT_RGBA;
  Image img;
  img.width = static_cast<int>(png.width);
  img.height = static_cast<int>(png.height);
  img.rgba.resize(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, img.rgba.data(), 0, nullptr)) {
    const std::string why = png.message;
    png_image_free(&png);
    throw std::runtime_error(path + ": cannot decode PNG: " + why);
  }
  return img;
}

CompareResult compare_images(const Image& actual, const Image& expected, const CompareOptions& options) {
  CompareResult r;
  r.same_size = actual.width == expected.width && actual.height == expected.height &&
                actual.rgba.size() == expected.rgba.size();
  if (!r.same_size || actual.empty()) return r;
  const std::size_t pixels = static_cast<std::size_t>(actual.width) * actual.height;
  for (std::size_t p = 0; p < pixels; ++p) {
    int worst = 0;
    for (int c = 0; c < 3; ++c)
      worst = std::max(worst, std::abs(int(actual.rgba[p * 4 + c]) - int(expected.rgba[p * 4 + c])));
    r.max_delta = std::max(r.max_delta, worst);
    if (worst > options.tolerance) ++r.differing;
  }
  r.share = static_cast<double>(r.differing) / static_cast<double>(pixels);
  r.ok = r.share <= options.max_differing;
  return r;
}

Image diff_image(const Image& actual, const Image& expected, int tolerance) {
  Image out;
  if (actual.width != expected.width || actual.height != expected.height || actual.empty()) return out;
  out = expected;
  const std::size_t pixels = static_cast<std::size_t>(actual.width) * actual.height;
  for (std::size_t p = 0; p < pixels; ++p) {
    int worst = 0;
    for (int c = 0; c < 3; ++c)
      worst = std::max(worst, std::abs(int(actual.rgba[p * 4 + c]) - int(expected.rgba[p * 4 + c])));
    std::uint8_t* px = &out.rgba[p * 4];
    if (worst > tolerance) {
      px[0] = 255, px[1] = 0, px[2] = 0;
    } else {
      for (int c = 0; c < 3; ++c) px[c] = static_cast<std::uint8_t>(px[c] / 4);
    }
    px[3] = 255;
  }
  return out;
}

}  // namespace hallq::sdl
