// Opens the CJK font lazily per pixel size; a .ttc holds several faces, the
// face index picks the Simplified Chinese one.
#include "engine/device/sdl/font_set.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace hallq::sdl {

FontSet::FontSet(FontSpec spec) : spec_(std::move(spec)) {
  std::FILE* f = std::fopen(spec_.path.c_str(), "rb");
  if (!f)
    throw FontError("font file " + spec_.path + ": " + std::strerror(errno) +
                    " (install fonts-noto-cjk or set the font path)");
  std::fclose(f);
  get(16);  // proves the file is a font and the face exists
}

FontSet::~FontSet() {
  for (auto& [size, font] : by_size_) TTF_CloseFont(font);
}

TTF_Font* FontSet::get(int pixel_size) {
  pixel_size = std::clamp(pixel_size, 1, 2000);
  auto it = by_size_.find(pixel_size);
  if (it != by_size_.end()) return it->second;
  TTF_Font* font = TTF_OpenFontIndex(spec_.path.c_str(), pixel_size, spec_.face_index);
  if (!font)
    throw FontError("font " + spec_.path + " face " + std::to_string(spec_.face_index) + " size " +
                    std::to_string(pixel_size) + ": " + TTF_GetError());
  TTF_SetFontHinting(font, TTF_HINTING_LIGHT);
  by_size_.emplace(pixel_size, font);
  return font;
}

}  // namespace hallq::sdl
