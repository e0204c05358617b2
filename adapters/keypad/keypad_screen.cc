#include "adapters/keypad/keypad_screen.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>

#include "adapters/keypad/line_protocol.h"
#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/png_frame.h"
#include "engine/device/sdl/sdl_init.h"
#include "engine/device/sdl/text_cache.h"
#include "engine/device/signals.h"

namespace hallq::keypad {
namespace {

constexpr SDL_Color kBackground{243, 246, 250, 255};

SDL_Color color(Tone t) {
  switch (t) {
    case Tone::kInk:
      return {33, 37, 41, 255};
    case Tone::kMuted:
      return {100, 108, 118, 255};
    case Tone::kOnDark:
      return {255, 255, 255, 255};
    case Tone::kAccent:
      return {30, 90, 168, 255};
    case Tone::kGood:
      return {20, 130, 60, 255};
    case Tone::kWarn:
      return {230, 120, 20, 255};
    case Tone::kBad:
      return {200, 40, 40, 255};
  }
  return {0, 0, 0, 255};
}

// Text on the orange/red header reads better in a light yellow than in orange.
SDL_Color text_color(Tone t, bool on_header) {
  if (t == Tone::kWarn && on_header) return {255, 200, 80, 255};
  return color(t);
}

sdl::Align align(TextAlign a) {
  switch (a) {
    case TextAlign::kLeft:
      return sdl::Align::kLeft;
    case TextAlign::kCenter:
      return sdl::Align::kCenter;
    case TextAlign::kRight:
      return sdl::Align::kRight;
  }
  return sdl::Align::kCenter;
}

sdl::CanvasOptions canvas_options(const KeypadConfig& c) {
  sdl::CanvasOptions o;
  o.title = "hallq-keypad";
  o.width = c.width;
  o.height = c.height;
  o.fullscreen = c.fullscreen;
  return o;
}

std::string signature(const KeypadModel& m) {
  std::string s =
      fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", static_cast<int>(m.view.state), m.view.number,
                  m.view.level, m.view.seconds_left, m.view.message, m.window.number, m.window.name,
                  m.window.staff_id, m.window.staff_name, m.window.open, m.online, m.pending);
  for (bool c : m.view.chosen) s += c ? '1' : '0';
  return s;
}

}  // namespace

struct KeypadScreen::Sdl {
  Sdl(const KeypadConfig& config, bool headless)
      : session({headless, ""}),
        canvas(session, canvas_options(config)),
        fonts({config.font, config.font_index}),
        text(canvas.renderer(), fonts) {}
  sdl::SdlSession session;
  sdl::Canvas canvas;
  sdl::FontSet fonts;
  sdl::TextCache text;
};

KeypadScreen::KeypadScreen(KeypadApp& app, const KeypadConfig& config, bool headless)
    : app_(app), config_(config), sdl_(std::make_unique<Sdl>(config, headless)) {}

KeypadScreen::~KeypadScreen() = default;

KeypadModel KeypadScreen::model() const {
  KeypadModel m;
  m.view = app_.view();
  m.window = app_.window();
  m.online = app_.online();
  m.pending = app_.pending();
  for (int level = 1; level <= 5; ++level) m.key_labels[level] = config_.key_label(level);
  auto shortest = [](const std::vector<std::string>& names) {
    std::string best;
    for (const std::string& n : names)
      if (best.empty() || n.size() < best.size()) best = n;
    return best;
  };
  m.confirm_label = shortest(config_.confirm_keys);
  m.skip_label = shortest(config_.skip_keys);
  return m;
}

bool KeypadScreen::pump() {
  bool open = true;
  SDL_Event e;
  while (SDL_PollEvent(&e)) {
    if (e.type == SDL_QUIT)
      open = false;
    else if (e.type == SDL_KEYDOWN && e.key.repeat == 0)
      app_.press_key(SDL_GetKeyName(e.key.keysym.sym));
    else if (e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT)
      touch(e.button.x, e.button.y);  // a touch screen's taps arrive as these too (SDL's default)
  }
  return open;
}

void KeypadScreen::touch(int x, int y) {
  const KeypadFrame frame = layout_keypad(sdl_->canvas.width(), sdl_->canvas.height(), model());
  if (const Hit* h = hit_at(frame, x, y)) {
    app_.touch(h->what, h->n);
    app_.update();
  }
}

bool KeypadScreen::draw_if_changed(bool force) {
  const KeypadModel m = model();
  const std::string sig = signature(m);
  if (!force && sig == last_signature_) return false;
  last_signature_ = sig;
  const auto t0 = std::chrono::steady_clock::now();
  SDL_Renderer* r = sdl_->canvas.renderer();
  const int width = sdl_->canvas.width(), height = sdl_->canvas.height();
  SDL_SetRenderDrawColor(r, kBackground.r, kBackground.g, kBackground.b, 255);
  SDL_RenderClear(r);
  const KeypadFrame frame = layout_keypad(width, height, m);
  for (const Panel& p : frame.panels) {
    const SDL_Color c = color(p.fill);
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, 255);
    const SDL_Rect rect{p.box.x, p.box.y, p.box.w, p.box.h};
    SDL_RenderFillRect(r, &rect);
  }
  const int header_bottom = frame.panels.empty() ? 0 : frame.panels.front().box.h;
  for (const TextItem& t : frame.texts) {
    sdl_->text.draw(t.text, t.size, text_color(t.tone, t.box.y < header_bottom),
                    {t.box.x, t.box.y, t.box.w, t.box.h}, align(t.align));
  }
  sdl_->canvas.present();
  sdl_->text.end_frame();
  last_render_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return true;
}

void KeypadScreen::snapshot(const std::string& path) const {
  sdl::write_frame_png(sdl_->canvas.renderer(), path);
}

std::uint64_t KeypadScreen::text_failures() const { return sdl_->text.stats().failures; }

int run_screen(KeypadApp& app, const KeypadConfig& config, bool headless, const std::string& snapshot,
               const KeypadApp::Say& say, volatile std::sig_atomic_t& stop) {
  KeypadScreen screen(app, config, headless);
  auto draw = [&](bool force) {
    if (!screen.draw_if_changed(force) || snapshot.empty()) return;
    screen.snapshot(snapshot);
    say(fmt::format("FRAME {} render_ms={:.2f}", snapshot, screen.last_render_ms()));
  };
  draw(true);
  std::string buffer;
  bool input_open = headless;  // headless: the line protocol on stdin as well
  while (!stop && app.fatal().empty()) {
    // Short waits with a window: keys are read between engine polls.
    const bool readable =
        app.step(std::chrono::milliseconds(headless ? 100 : 20), input_open ? STDIN_FILENO : -1);
    if (readable) {
      char chunk[512];
      const ssize_t n = device::read(STDIN_FILENO, chunk, sizeof chunk);
      if (n <= 0) break;  // headless: end of input ends the run
      buffer.append(chunk, static_cast<std::size_t>(n));
      for_each_line(buffer, [&](std::string_view line) {
        const std::string answer = app.handle_line(line);
        if (!answer.empty()) say(answer);
      });
      app.update();
    }
    if (!screen.pump()) break;
    draw(false);
  }
  return 0;
}

}  // namespace hallq::keypad
