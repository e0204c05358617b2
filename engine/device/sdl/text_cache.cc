// A texture cache with an LRU list and per-frame marking: a frame's texts stay
// resident while it is drawn; what no frame used lately goes first.
#include "engine/device/sdl/text_cache.h"

#include <algorithm>
#include <cstring>

namespace hallq::sdl {
namespace {

std::string make_key(std::string_view utf8, int size, SDL_Color c) {
  std::string key;
  key.reserve(utf8.size() + 8);
  char head[8];
  head[0] = static_cast<char>(size & 0xFF);
  head[1] = static_cast<char>((size >> 8) & 0xFF);
  head[2] = static_cast<char>(c.r);
  head[3] = static_cast<char>(c.g);
  head[4] = static_cast<char>(c.b);
  head[5] = static_cast<char>(c.a);
  key.append(head, 6);
  key.append(utf8);
  return key;
}

}  // namespace

TextCache::TextCache(SDL_Renderer* renderer, FontSet& fonts, std::size_t capacity)
    : renderer_(renderer), fonts_(fonts), capacity_(capacity) {}

TextCache::~TextCache() { clear(); }

void TextCache::clear() {
  for (Entry& e : entries_)
    if (e.text.texture) SDL_DestroyTexture(e.text.texture);
  entries_.clear();
  index_.clear();
}

const Text& TextCache::get(std::string_view utf8, int pixel_size, SDL_Color color) {
  std::string key = make_key(utf8, pixel_size, color);
  auto it = index_.find(key);
  if (it != index_.end()) {
    ++stats_.hits;
    entries_.splice(entries_.begin(), entries_, it->second);
    it->second->frame = frame_;
    return it->second->text;
  }
  Text text;
  if (!utf8.empty()) {
    TTF_Font* font = fonts_.get(pixel_size);
    const std::string s(utf8);
    SDL_Surface* surface = TTF_RenderUTF8_Blended(font, s.c_str(), color);
    if (surface) {
      text.texture = SDL_CreateTextureFromSurface(renderer_, surface);
      text.width = surface->w;
      text.height = surface->h;
      SDL_FreeSurface(surface);
      if (text.texture) SDL_SetTextureBlendMode(text.texture, SDL_BLENDMODE_BLEND);
    }
    if (!text.texture) {
      ++stats_.failures;
      text = {};
    } else {
      ++stats_.renders;
    }
  }
  entries_.push_front(Entry{key, text, frame_});
  index_.emplace(std::move(key), entries_.begin());
  return entries_.front().text;
}

SDL_Point TextCache::measure(std::string_view utf8, int pixel_size) {
  if (utf8.empty()) return {0, 0};
  int w = 0, h = 0;
  const std::string s(utf8);
  TTF_SizeUTF8(fonts_.get(pixel_size), s.c_str(), &w, &h);
  return {w, h};
}

SDL_Rect TextCache::draw(std::string_view utf8, int pixel_size, SDL_Color color, const SDL_Rect& box,
                         Align align, VAlign valign, bool shrink_to_fit) {
  const Text& t = get(utf8, pixel_size, color);
  if (!t.texture || box.w <= 0 || box.h <= 0) return {box.x, box.y, 0, 0};
  SDL_Rect src{0, 0, t.width, t.height};
  int w = t.width;
  if (w > box.w) {
    if (!shrink_to_fit) src.w = box.w;
    w = box.w;
  }
  const int h = t.height;  // a line box a bit lower than the font's line height still centres it
  int x = box.x;
  if (align == Align::kCenter) x = box.x + (box.w - w) / 2;
  if (align == Align::kRight) x = box.x + box.w - w;
  int y = box.y;
  if (valign == VAlign::kMiddle) y = box.y + (box.h - h) / 2;
  if (valign == VAlign::kBottom) y = box.y + box.h - h;
  SDL_Rect dst{x, y, w, h};
  SDL_RenderCopy(renderer_, t.texture, &src, &dst);
  return dst;
}

void TextCache::end_frame() {
  while (entries_.size() > capacity_) {
    Entry& last = entries_.back();
    if (last.frame == frame_) break;  // everything older is in use this frame
    if (last.text.texture) SDL_DestroyTexture(last.text.texture);
    index_.erase(last.key);
    entries_.pop_back();
    ++stats_.evictions;
  }
  ++frame_;
}

std::vector<char32_t> decode_utf8(std::string_view s) {
  std::vector<char32_t> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t cp = 0;
    if (b < 0x80) {
      len = 1, cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2, cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3, cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4, cp = b & 0x07;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
               cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
      ok = false;
    if (!ok) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

std::vector<char32_t> missing_glyphs(TTF_Font* font, std::string_view utf8) {
  std::vector<char32_t> missing;
  for (char32_t cp : decode_utf8(utf8)) {
    if (cp < 0x20) continue;
    if (cp != 0xFFFD && TTF_GlyphIsProvided32(font, static_cast<Uint32>(cp))) continue;
    if (std::find(missing.begin(), missing.end(), cp) == missing.end()) missing.push_back(cp);
  }
  return missing;
}

}  // namespace hallq::sdl
