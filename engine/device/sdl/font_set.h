// The CJK font every screen draws with, opened once per pixel size.
//
// Default: Noto Sans CJK SC, i.e. /usr/share/fonts/opentype/noto/
// NotoSansCJK-Regular.ttc face index 2 (Debian's fonts-noto-cjk). Sizes are
// pixel sizes (the em height at 72 dpi, which is what SDL_ttf's point size
// means), so layouts computed in pixels map directly.
//
// Errors: FontError if the font file is missing or unreadable (the message
// names the path and the face) or SDL_ttf cannot open a size. Requires SDL_ttf
// to be initialised (an SdlSession) for the FontSet's whole life.
// Thread: one thread; the TTF_Font pointers stay owned by the FontSet and
// valid until it is destroyed.
#pragma once

#include <SDL2/SDL_ttf.h>

#include <map>
#include <stdexcept>
#include <string>

namespace hallq::sdl {

inline constexpr const char* kDefaultFontPath = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
inline constexpr int kDefaultFontFace = 2;  // Noto Sans CJK SC

class FontError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FontSpec {
  std::string path = kDefaultFontPath;
  int face_index = kDefaultFontFace;
};

class FontSet {
 public:
  // Checks that the file opens as a font (throws FontError otherwise).
  explicit FontSet(FontSpec spec = {});
  ~FontSet();
  FontSet(const FontSet&) = delete;
  FontSet& operator=(const FontSet&) = delete;

  // The font at `pixel_size` (clamped to 1..2000), opened on first use and
  // cached. Throws FontError.
  TTF_Font* get(int pixel_size);
  const FontSpec& spec() const { return spec_; }

 private:
  FontSpec spec_;
  std::map<int, TTF_Font*> by_size_;
};

}  // namespace hallq::sdl
