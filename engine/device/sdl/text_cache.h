// UTF-8 text drawn through cached textures: each (text, pixel size, colour) is
// rendered once with SDL_ttf (blended, anti-aliased) and kept as an
// SDL_Texture, so a steady screen costs only texture copies per frame.
//
// Eviction: call end_frame() once per frame; entries not used in the frame
// that just ended are evicted, least recently used first, while the cache
// holds more than `capacity` entries. Entries used in the current frame are
// never evicted, so a frame may temporarily exceed the capacity.
//
// Ownership: the cache owns its textures; the renderer and FontSet must
// outlive it. Returned Text references stay valid until the next end_frame().
// Thread: the renderer's thread. Errors: a string SDL_ttf cannot render
// (e.g. invalid UTF-8) draws nothing and is counted in stats().failures;
// FontError propagates from the FontSet.
#pragma once

#include <SDL2/SDL.h>
#include <SDL2/SDL_ttf.h>

#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/device/sdl/font_set.h"

namespace hallq::sdl {

enum class Align { kLeft, kCenter, kRight };
enum class VAlign { kTop, kMiddle, kBottom };

struct Text {
  SDL_Texture* texture = nullptr;  // null for empty text or a failed render
  int width = 0, height = 0;
};

class TextCache {
 public:
  TextCache(SDL_Renderer* renderer, FontSet& fonts, std::size_t capacity = 512);
  ~TextCache();
  TextCache(const TextCache&) = delete;
  TextCache& operator=(const TextCache&) = delete;

  // The cached texture of `utf8` at `pixel_size` in `color`, rendered on a miss.
  const Text& get(std::string_view utf8, int pixel_size, SDL_Color color);

  // Draws the text aligned inside `box`. If it is wider than the box it is
  // scaled down horizontally to fit when `shrink_to_fit`, else clipped to the
  // box. Returns the rectangle actually drawn.
  SDL_Rect draw(std::string_view utf8, int pixel_size, SDL_Color color, const SDL_Rect& box,
                Align align = Align::kLeft, VAlign valign = VAlign::kMiddle, bool shrink_to_fit = true);

  // Size of the rendered text without rendering it (TTF_SizeUTF8).
  SDL_Point measure(std::string_view utf8, int pixel_size);

  // Ends a frame: evicts unused entries beyond the capacity.
  void end_frame();
  // Drops every texture (e.g. after the canvas size changed).
  void clear();

  struct Stats {
    std::uint64_t hits = 0, renders = 0, evictions = 0, failures = 0;
  };
  const Stats& stats() const { return stats_; }
  std::size_t size() const { return entries_.size(); }
  FontSet& fonts() { return fonts_; }

 private:
  struct Entry {
    std::string key;
    Text text;
    std::uint64_t frame = 0;  // last frame it was used in
  };
  SDL_Renderer* renderer_;
  FontSet& fonts_;
  std::size_t capacity_;
  std::uint64_t frame_ = 0;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  Stats stats_;
};

// The code points of `utf8` that `font` has no glyph for
// (TTF_GlyphIsProvided32), in order of appearance, without duplicates.
// Control characters (below U+0020) are not glyphs and are never reported.
// Invalid UTF-8 bytes (and U+FFFD itself) are always reported, as U+FFFD:
// they would show as a box. Lets tests assert that no text shows as
// missing-glyph boxes (tofu).
std::vector<char32_t> missing_glyphs(TTF_Font* font, std::string_view utf8);

// Decodes UTF-8 to code points; invalid bytes become U+FFFD.
std::vector<char32_t> decode_utf8(std::string_view utf8);

}  // namespace hallq::sdl
