#include "adapters/kiosk/kiosk_screen.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "adapters/kiosk/kiosk_layout.h"
#include "engine/core/calendar.h"
#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/png_frame.h"
#include "engine/device/sdl/sdl_init.h"
#include "engine/device/sdl/text_cache.h"
#include "engine/device/signals.h"
#include "engine/qr/qr_matrix.h"

namespace hallq::kiosk {
namespace {

constexpr SDL_Color kBackground{243, 246, 250, 255};
constexpr SDL_Color kHeader{30, 90, 168, 255};
constexpr SDL_Color kWhite{255, 255, 255, 255};
constexpr SDL_Color kInk{33, 37, 41, 255};
constexpr SDL_Color kGrey{150, 155, 160, 255};
constexpr SDL_Color kRed{200, 40, 40, 255};
constexpr SDL_Color kGreen{20, 130, 60, 255};
constexpr SDL_Color kOrange{230, 120, 20, 255};
constexpr SDL_Color kTeal{0, 128, 128, 255};
constexpr SDL_Color kBorder{190, 200, 215, 255};

void fill(SDL_Renderer* r, const Rect& rect, SDL_Color c) {
  SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
  const SDL_Rect s{rect.x, rect.y, rect.w, rect.h};
  SDL_RenderFillRect(r, &s);
}
void frame(SDL_Renderer* r, const Rect& rect, SDL_Color c, int thickness) {
  SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
  for (int i = 0; i < thickness; ++i) {
    const SDL_Rect s{rect.x + i, rect.y + i, rect.w - 2 * i, rect.h - 2 * i};
    SDL_RenderDrawRect(r, &s);
  }
}
SDL_Rect sdl(const Rect& r) { return {r.x, r.y, r.w, r.h}; }
SDL_Rect part(const Rect& r, double from, double to) {
  return {r.x + r.w / 20, r.y + static_cast<int>(r.h * from), r.w - r.w / 10,
          static_cast<int>(r.h * (to - from))};
}

class TouchScreen {
 public:
  TouchScreen(KioskApp& app, const KioskConfig& config, bool headless)
      : app_(app),
        config_(config),
        session_({headless, ""}),
        canvas_(session_, canvas_options(config)),
        fonts_({config.font, config.font_index}),
        text_(canvas_.renderer(), fonts_) {}

  // Redraws if what is shown changed; returns true if it drew.
  bool draw_if_changed(bool force) {
    const auto tiles = app_.tiles();
    layout_ = layout_screen(canvas_.width(), canvas_.height(), tiles, config_, pad_,
                            app_.session().screen() != kiosk::Screen::kHome, app_.takes_bookings());
    const std::string sig = signature(tiles);
    if (!force && sig == last_signature_) return false;
    last_signature_ = sig;
    const auto t0 = std::chrono::steady_clock::now();
    draw();
    last_render_ms_ =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return true;
  }

  void touch(int x, int y) {
    const Button* b = hit(layout_, x, y);
    if (!b) return;
    const Button button = *b;  // the layout changes under the actions
    switch (button.kind) {
      case ActionKind::kService:
        app_.tap(button.arg);
        break;
      case ActionKind::kCategory:
        app_.priority(button.arg);
        break;
      case ActionKind::kOpenIdPad:
        pad_ = {PadKind::kId, ""};
        break;
      case ActionKind::kOpenApptPad:
        pad_ = {PadKind::kAppointment, ""};
        break;
      case ActionKind::kPadCancel:
        pad_ = {};
        break;
      case ActionKind::kHome:
        app_.cancel();
        break;
      case ActionKind::kPadKey:
      case ActionKind::kPadDelete:
      case ActionKind::kPadOk:
        if (pad_.press(button.kind, button.arg)) {
          const PadState entered = std::move(pad_);
          pad_ = {};
          if (entered.kind == PadKind::kId)
            app_.resident_id(entered.typed);
          else
            app_.appointment(entered.typed);
        }
        break;
    }
  }

  SDL_Renderer* renderer() const { return canvas_.renderer(); }
  double last_render_ms() const { return last_render_ms_; }
  int width() const { return canvas_.width(); }
  int height() const { return canvas_.height(); }

 private:
  static sdl::CanvasOptions canvas_options(const KioskConfig& c) {
    sdl::CanvasOptions o;
    o.title = "hallq-kiosk";
    o.width = c.width;
    o.height = c.height;
    return o;
  }

  std::string clock_text() const {
    const core::TimeUs us = app_.now();
    const int offset = app_.hall() ? app_.hall()->config().utc_offset_min : 480;
    const int m = core::local_minute_of_day(us, offset);
    return fmt::format("{} {:02}:{:02}", core::format_date(core::local_date(us, offset)), m / 60, m % 60);
  }

  std::string signature(const std::vector<ServiceTile>& tiles) const {
    std::string s = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|", app_.status_line(), app_.printer_notice(),
                                app_.online(), app_.connecting(), to_string(app_.session().screen()),
                                app_.session().message(), app_.session().priority_label(),
                                static_cast<int>(pad_.kind), pad_.shown(), app_.takes_bookings());
    s += clock_text();
    for (const auto& t : tiles) s += "|" + t.id + tile_caption(t);
    return s;
  }

  void draw() {
    SDL_Renderer* r = canvas_.renderer();
    fill(r, {0, 0, canvas_.width(), canvas_.height()}, kBackground);
    // Header.
    fill(r, layout_.header, kHeader);
    const Rect& h = layout_.header;
    text_.draw(app_.hall_name(), h.h * 2 / 5, kWhite, {h.x + h.w / 30, h.y, h.w * 3 / 5, h.h * 3 / 5},
               sdl::Align::kLeft);
    text_.draw("自助取号", h.h / 4, kWhite, {h.x + h.w / 30, h.y + h.h * 3 / 5, h.w / 2, h.h / 3},
               sdl::Align::kLeft);
    text_.draw(clock_text(), h.h / 4, kWhite, {h.x + h.w * 2 / 3, h.y, h.w / 3 - h.w / 30, h.h / 2},
               sdl::Align::kRight);
    const std::string status = app_.status_line();
    text_.draw(status, h.h / 4, status == "系统正常" ? kWhite : SDL_Color{255, 200, 80, 255},
               {h.x + h.w / 2, h.y + h.h / 2, h.w / 2 - h.w / 30, h.h / 2}, sdl::Align::kRight);
    // Message line.
    std::string msg = app_.session().message();
    SDL_Color color = kInk;
    if (app_.connecting()) {
      msg = "系统连接中，请稍候";
      color = kOrange;
    } else if (app_.session().screen() == kiosk::Screen::kRefused) {
      color = kRed;
    } else if (app_.session().screen() == kiosk::Screen::kIssued) {
      color = kGreen;
    } else if (msg.empty()) {
      msg = pad_.kind == PadKind::kNone ? "请选择办理事项" : "";
    }
    const std::string notice = app_.printer_notice();
    const kiosk::Screen screen = app_.session().screen();
    if (!notice.empty() && !app_.connecting() &&
        (screen == kiosk::Screen::kHome || screen == kiosk::Screen::kPriorityChosen)) {
      msg = notice;  // the printer is out: said before anyone taps
      color = kRed;
    }
    if (pad_.kind == PadKind::kId && msg.empty()) msg = "请输入18位身份证号码（仅用于核验年龄，不保存）";
    if (pad_.kind == PadKind::kAppointment && msg.empty()) msg = "请输入 6 位预约码";
    text_.draw(msg, layout_.message.h / 2, color, sdl(layout_.message), sdl::Align::kCenter);

    if (pad_.kind != PadKind::kNone) {
      fill(r, layout_.pad_display, kWhite);
      frame(r, layout_.pad_display, kBorder, 3);
      text_.draw(pad_.shown(), layout_.pad_display.h * 3 / 5, kInk, sdl(layout_.pad_display),
                 sdl::Align::kCenter);
    }
    for (const Button& b : layout_.buttons) draw_button(b);
    const auto& issued = app_.session().last_issued();
    if (screen == kiosk::Screen::kIssued && issued && issued->on_screen) draw_on_screen_ticket(*issued);
    canvas_.present();
    text_.end_frame();
  }

  // The printer is out and the hall shows tickets on the screen: the number
  // and its QR over the service tiles, for the citizen to photograph.
  void draw_on_screen_ticket(const Issued& t) {
    SDL_Renderer* r = canvas_.renderer();
    Rect area{0, 0, 0, 0};
    for (const Button& b : layout_.buttons) {
      if (b.kind != ActionKind::kService) continue;
      if (area.w == 0) area = b.rect;
      const int x1 = std::max(area.x + area.w, b.rect.x + b.rect.w),
                y1 = std::max(area.y + area.h, b.rect.y + b.rect.h);
      area.x = std::min(area.x, b.rect.x);
      area.y = std::min(area.y, b.rect.y);
      area.w = x1 - area.x;
      area.h = y1 - area.y;
    }
    if (area.w == 0) {
      const int top = layout_.message.y + layout_.message.h;
      area = {layout_.message.x, top, layout_.message.w, (canvas_.height() - top) * 3 / 4};
    }
    fill(r, area, kWhite);
    frame(r, area, kRed, 4);
    text_.draw("请拍照或记下您的号码", area.h / 16, kInk, part(area, 0.03, 0.12), sdl::Align::kCenter);
    text_.draw(t.number, area.h / 6, kInk, part(area, 0.12, 0.36), sdl::Align::kCenter);
    text_.draw(t.service_name, area.h / 20, kGrey, part(area, 0.36, 0.44), sdl::Align::kCenter);
    if (t.qr.empty()) return;
    const qr::QrMatrix m = qr::encode_qr(t.qr, qr::Ecc::kM);
    const int avail = std::min(area.w * 4 / 5, area.h * 50 / 100);
    const int module = std::max(1, avail / (m.size + 8));
    const int side = module * (m.size + 8);
    const int x0 = area.x + (area.w - side) / 2, y0 = area.y + area.h * 46 / 100;
    fill(r, {x0, y0, side, side}, kWhite);
    for (int y = 0; y < m.size; ++y)
      for (int x = 0; x < m.size; ++x)
        if (m.at(x, y)) fill(r, {x0 + (x + 4) * module, y0 + (y + 4) * module, module, module}, kInk);
  }

  void draw_button(const Button& b) {
    SDL_Renderer* r = canvas_.renderer();
    SDL_Color face = kWhite, ink = kInk, sub = kGrey;
    switch (b.kind) {
      case ActionKind::kService:
        if (b.disabled)
          ink = kGrey;
        else
          sub = kTeal;
        break;
      case ActionKind::kCategory:
      case ActionKind::kOpenIdPad:
        face = kOrange;
        ink = sub = kWhite;
        break;
      case ActionKind::kOpenApptPad:
        face = kTeal;
        ink = sub = kWhite;
        break;
      case ActionKind::kPadOk:
        face = kGreen;
        ink = kWhite;
        break;
      case ActionKind::kPadCancel:
      case ActionKind::kHome:
        face = kGrey;
        ink = kWhite;
        break;
      default:
        break;
    }
    fill(r, b.rect, face);
    frame(r, b.rect, kBorder, 2);
    if (b.caption.empty()) {
      text_.draw(b.label, std::min(b.rect.h * 2 / 5, b.rect.w / 3), ink, sdl(b.rect), sdl::Align::kCenter);
    } else {
      // Service tiles size their name to the tile; the bottom row shares one size (labels up to 4
      // characters).
      const int size =
          b.kind == ActionKind::kService
              ? std::min(b.rect.h * 3 / 10,
                         b.rect.w / std::max<int>(3, static_cast<int>(sdl::decode_utf8(b.label).size()) + 1))
              : std::min(b.rect.h / 5, b.rect.w / 5);
      text_.draw(b.label, size, ink, part(b.rect, 0.1, 0.58), sdl::Align::kCenter);
      text_.draw(b.caption, std::max(12, size * 3 / 5), sub, part(b.rect, 0.6, 0.9), sdl::Align::kCenter);
    }
  }

  KioskApp& app_;
  const KioskConfig& config_;
  sdl::SdlSession session_;
  sdl::Canvas canvas_;
  sdl::FontSet fonts_;
  sdl::TextCache text_;
  PadState pad_;
  Layout layout_;
  std::string last_signature_;
  double last_render_ms_ = 0;
};

}  // namespace

int run_screen(KioskApp& app, const KioskConfig& config, bool headless, const std::string& snapshot,
               volatile std::sig_atomic_t& stop) {
  TouchScreen screen(app, config, headless);
  std::string input;
  bool input_open = headless, quit = false;
  auto write_frame = [&] {
    if (snapshot.empty()) return;
    sdl::write_frame_png(screen.renderer(), snapshot);
    std::cout << nlohmann::json{{"event", "frame"},
                                {"path", snapshot},
                                {"render_ms", screen.last_render_ms()}}
                     .dump()
              << std::endl;
  };
  if (screen.draw_if_changed(true)) write_frame();
  while (!stop && !quit) {
    const bool readable = app.step(std::chrono::milliseconds(headless ? 100 : 30), input_open ? 0 : -1);
    if (readable) {
      char buf[4096];
      const ssize_t n = device::read(0, buf, sizeof buf);
      if (n <= 0) {
        input_open = false;
        quit = true;  // headless: end of input ends the run once idle
      } else {
        input.append(buf, static_cast<std::size_t>(n));
      }
      for (std::size_t nl; !quit && (nl = input.find('\n')) != std::string::npos;) {
        const std::string line = input.substr(0, nl);
        input.erase(0, nl + 1);
        int x = 0, y = 0;
        if (std::sscanf(line.c_str(), "touch %d %d", &x, &y) == 2) {
          screen.touch(x, y);
        } else if (!app.handle_line(line)) {
          quit = true;
        }
        if (screen.draw_if_changed(false)) write_frame();
      }
    }
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
      if (e.type == SDL_QUIT)
        quit = true;
      else if (e.type == SDL_MOUSEBUTTONDOWN && e.button.which != SDL_TOUCH_MOUSEID)
        screen.touch(e.button.x, e.button.y);
      else if (e.type == SDL_FINGERDOWN) {
        screen.touch(static_cast<int>(e.tfinger.x * screen.width()),
                     static_cast<int>(e.tfinger.y * screen.height()));
      }
    }
    if (screen.draw_if_changed(false)) write_frame();
  }
  // Finish what was pressed: the pending request and its print job (after a stop signal too,
  // for a bounded time); unprinted tickets with the printer out are in the pending file already.
  device::finish_pending([&] { return app.settled(); },
                         [&] {
                           app.step(std::chrono::milliseconds(100));
                           if (screen.draw_if_changed(false)) write_frame();
                         });
  return 0;
}

}  // namespace hallq::kiosk
