// The event loop of hallq-display: network, model, frames, snapshots, stats.
#include "displays/screens/display_app.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <vector>
#include <zmq.hpp>

#include "displays/screens/checkin_code.h"
#include "displays/screens/hall_layout.h"
#include "displays/screens/hall_painter.h"
#include "displays/screens/latency_stats.h"
#include "displays/screens/led_painter.h"
#include "displays/screens/screen_model.h"
#include "engine/client/subscriber.h"
#include "engine/device/sdl/font_set.h"
#include "engine/device/sdl/png_frame.h"
#include "engine/device/sdl/sdl_init.h"
#include "engine/device/sdl/text_cache.h"
#include "engine/device/signals.h"
#include "engine/keys/ticket_token.h"

namespace hallq::display {
namespace {

using Clock = std::chrono::steady_clock;

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string notice_text(const NoticeConfig& n) {
  std::string out;
  for (const std::string& line : n.lines) out += (out.empty() ? "" : "　　　　") + line;
  return out;
}

// Collects what the subscriber reports between frames.
class Watcher : public client::Subscriber::Listener {
 public:
  void on_event(const core::Hall&, const protocol::DecodedEvent& e, protocol::Bytes) override {
    pending_.push_back(Clock::now());
    changed_ = true;
    if (std::holds_alternative<core::TicketCalled>(e.event.body) ||
        std::holds_alternative<core::TicketRecalled>(e.event.body)) {
      last_call_ = Clock::now();
      live_call_ = true;
    }
    if (const auto* r = std::get_if<core::TicketRecalled>(&e.event.body)) {
      recalls_[r->ticket] = e.event.time;
      while (recalls_.size() > 256) recalls_.erase(recalls_.begin());  // oldest tickets first
    }
  }
  void on_reset(const core::Hall&) override { changed_ = true; }
  void on_connection(std::string_view, bool) override { changed_ = true; }

  std::vector<Clock::time_point> pending_;  // arrivals not yet presented
  bool changed_ = true;
  bool live_call_ = false;  // a call arrived as an event (not only from a snapshot)
  Clock::time_point last_call_{};
  RecallTimes recalls_;
};

}  // namespace

int run_display(const ScreenConfig& screen, const core::HallConfig& hall_config, const AppOptions& o) {
  // SIGINT/SIGTERM set the device kit's stop flag (engine/device/signals.h; installed by
  // the program skeleton before SDL starts, so SDL keeps them).
  volatile std::sig_atomic_t& g_stop = device::stop_flag();

  const bool strips = screen.kind == ScreenKind::kWindowStrips;
  const std::vector<std::string> strip_ids = screen.strip_windows(hall_config);
  const std::size_t panels = strips ? strip_ids.size() : 0;

  sdl::SdlSession session(sdl::SessionOptions{o.headless, o.driver});
  sdl::CanvasOptions copts;
  copts.title = strips ? hall_config.name + " 窗口屏" : hall_config.name + " 综合屏";
  copts.width = screen.canvas_width(panels);
  copts.height = screen.canvas_height(panels);
  copts.x = screen.x;
  copts.y = screen.y;
  copts.fullscreen = screen.fullscreen;
  copts.borderless = screen.borderless;
  sdl::Canvas canvas(session, copts);
  sdl::FontSet fonts(sdl::FontSpec{screen.font, screen.font_face});
  sdl::TextCache cache(canvas.renderer(), fonts, 1024);
  HallPainter hall_painter(canvas.renderer(), cache);
  std::unique_ptr<LedPainter> led_painter;
  if (strips) led_painter = std::make_unique<LedPainter>(canvas.renderer(), fonts, screen.led, panels);

  zmq::context_t ctx;
  Watcher watcher;
  client::SubscriberOptions sub_options;
  sub_options.curve = o.curve;
  sub_options.wall_clock = o.wall_clock;
  client::Subscriber sub(ctx, screen.engine, screen.events, {screen.hall}, &watcher, sub_options);

  const auto start = Clock::now();
  const double cpu_start = cpu_seconds();
  const auto period = std::chrono::microseconds(1'000'000 / std::max(1, screen.fps));
  const std::string notice = notice_text(screen.notice);
  // The check-in code's secret, read once (a missing file stops the start).
  const std::string checkin_secret =
      screen.checkin.enabled() ? keys::read_ticket_secret_file(screen.checkin.ticket_secret) : std::string();
  const int W = canvas.width(), H = canvas.height();
  LatencyStats latency;
  ScreenModel model;
  bool have_model = false;
  std::int64_t model_second = -1;
  long frames = 0;
  std::uint64_t shown_seq = ~0ull;
  int shown_online = -1;
  auto last_snapshot = Clock::now();
  auto next_frame = Clock::now();
  bool snapshot_due = false;
  bool repaint_all = true;
  long full_paints = 0;
  std::int64_t model_us = 0, paint_us = 0,
               present_us = 0;  // totals, for the per-frame means in the stats line

  std::printf("display kind %s hall %s canvas %dx%d driver %s\n", strips ? "window_strips" : "hall",
              screen.hall.c_str(), W, H, session.driver().c_str());
  std::fflush(stdout);

  while (!g_stop) {
    // Wait for the network up to the next frame; an arrival ends the wait.
    auto now = Clock::now();
    // A signal (SIGTERM) ends the wait early: the loop checks g_stop.
    if (watcher.pending_.empty() && now < next_frame) {
      sub.poll(std::chrono::duration_cast<std::chrono::milliseconds>(next_frame - now +
                                                                     std::chrono::microseconds(999)));
    } else {
      sub.poll(std::chrono::milliseconds(0));
    }
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
      if (ev.type == SDL_QUIT) g_stop = 1;
      if (ev.type == SDL_WINDOWEVENT)
        repaint_all = true;  // exposed, resized, restored: the surface may be stale
      if (ev.type == SDL_KEYDOWN && (ev.key.keysym.sym == SDLK_ESCAPE || ev.key.keysym.sym == SDLK_q))
        g_stop = 1;
    }
    if (g_stop) break;
    now = Clock::now();
    if (now < next_frame && watcher.pending_.empty()) continue;

    // Times: the engine's (its heartbeats; simulated in a demo), or frozen for reproducible frames.
    const core::TimeUs real_now = sub.engine_clock().now_us();
    const core::TimeUs shown = o.clock ? *o.clock : real_now;
    const double anim = o.clock ? 0.0 : std::chrono::duration<double>(now - start).count();
    const std::int64_t second = real_now / core::kUsPerSecond;
    const core::Hall* hall = sub.hall(screen.hall);
    // Online once the engine's time is known too: no wait is counted by another clock.
    const bool online =
        hall && sub.online(screen.hall) && sub.synced(screen.hall) && sub.engine_clock().following();
    if (watcher.changed_ || !have_model || second != model_second) {
      model = build_model(hall, online, real_now, shown, screen.calls.recent, screen.title,
                          hall_config.utc_offset_min, &watcher.recalls_);
      if (model.hall_name.empty()) model.hall_name = screen.title.empty() ? hall_config.name : screen.title;
      have_model = true;
      model_second = second;
      watcher.changed_ = false;
    }

    const auto t_model = Clock::now();
    SDL_Renderer* r = canvas.renderer();
    if (!strips) {
      const double since_call = std::chrono::duration<double>(now - watcher.last_call_).count();
      bool flash = watcher.live_call_ && since_call < screen.calls.flash_seconds;
      if (o.clock)
        flash = watcher.live_call_;  // frozen: the highlighted phase, steadily
      else if (flash)
        flash = static_cast<long>(since_call * 2.5) % 2 == 0;
      LayoutOptions lo;
      lo.flash_on = flash && !model.calls.empty();
      lo.recent = screen.calls.recent;
      lo.notice = notice;
      if (screen.checkin.enabled() && model.online) {
        // The displayed time's slot: the engine's clock (or the frozen one).
        lo.checkin_url =
            checkin_url(screen.checkin, checkin_secret, screen.hall, shown, hall_config.utc_offset_min);
        lo.checkin_caption = screen.checkin.caption;
      }
      const HallLayout layout = layout_hall(model, W, H, lo);
      full_paints += hall_painter.paint(layout, anim, screen.notice.speed * H, repaint_all);
      repaint_all = false;
    } else {
      SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
      SDL_RenderClear(r);
      const StripGeometry g = strip_geometry(screen.led);
      const int pw = screen.led.columns * screen.led.dot_px, ph = screen.led.rows * screen.led.dot_px;
      for (std::size_t i = 0; i < panels; ++i) {
        const WindowRow* row = nullptr;
        for (const WindowRow& w : model.windows)
          if (w.id == strip_ids[i]) row = &w;
        const std::vector<LedLine> lines = led_lines(row, model.online, screen.led.rows, screen.led.colors);
        led_painter->compose(i, lines, anim);
        const int col = static_cast<int>(i) % screen.led.grid_columns,
                  rw = static_cast<int>(i) / screen.led.grid_columns;
        led_painter->draw(i, g.margin + col * (pw + g.margin), g.margin + rw * (ph + g.margin));
      }
    }
    const auto t_paint = Clock::now();
    canvas.present();
    cache.end_frame();
    const auto presented = Clock::now();
    model_us += std::chrono::duration_cast<std::chrono::microseconds>(t_model - now).count();
    paint_us += std::chrono::duration_cast<std::chrono::microseconds>(t_paint - t_model).count();
    present_us += std::chrono::duration_cast<std::chrono::microseconds>(presented - t_paint).count();
    for (const auto& t : watcher.pending_)
      latency.record(std::chrono::duration_cast<std::chrono::microseconds>(presented - t).count());
    watcher.pending_.clear();
    ++frames;
    next_frame += period;
    if (next_frame < presented) next_frame = presented + period;

    if (frames == 1) {
      std::printf("frame 1 presented %dx%d driver %s\n", W, H, session.driver().c_str());
    }
    const bool shown_changed = model.seq != shown_seq || int(model.online) != shown_online;
    if (shown_changed) {
      shown_seq = model.seq;
      shown_online = model.online;
      snapshot_due = true;
      if (!o.quiet)
        std::printf("shown seq %llu online %d calls %zu frame %ld%s%s\n",
                    static_cast<unsigned long long>(model.seq), int(model.online), model.calls.size(), frames,
                    model.calls.empty() ? "" : " newest ",
                    model.calls.empty() ? "" : model.calls.front().number.c_str());
    }
    if (!o.snapshot.empty() &&
        (snapshot_due ||
         (o.snapshot_every > 0 &&
          std::chrono::duration<double>(presented - last_snapshot).count() >= o.snapshot_every))) {
      sdl::write_frame_png(r, o.snapshot);
      std::printf("snapshot %s seq %llu online %d\n", o.snapshot.c_str(),
                  static_cast<unsigned long long>(model.seq), int(model.online));
      last_snapshot = presented;
      snapshot_due = false;
    }
    std::fflush(stdout);
    if (o.frames > 0 && frames >= o.frames) break;
    if (o.exit_after > 0 && std::chrono::duration<double>(presented - start).count() >= o.exit_after) break;
  }

  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_start;
  const auto& st = sub.stats();
  std::printf(
      "stats frames %ld seconds %.2f fps %.1f cpu_percent %.1f latency_n %llu latency_p50_us %lld "
      "latency_p99_us %lld "
      "latency_max_us %lld events %llu snapshots %llu gaps %llu invalid %llu restarts %llu text_renders %llu "
      "full_paints %ld model_ms %.2f paint_ms %.2f present_ms %.2f\n",
      frames, wall, wall > 0 ? frames / wall : 0.0, wall > 0 ? 100.0 * cpu / wall : 0.0,
      static_cast<unsigned long long>(latency.count()), static_cast<long long>(latency.percentile(50)),
      static_cast<long long>(latency.percentile(99)), static_cast<long long>(latency.max()),
      static_cast<unsigned long long>(st.events), static_cast<unsigned long long>(st.snapshots),
      static_cast<unsigned long long>(st.gaps), static_cast<unsigned long long>(st.invalid),
      static_cast<unsigned long long>(st.restarts), static_cast<unsigned long long>(cache.stats().renders),
      full_paints, frames ? model_us / 1000.0 / frames : 0.0, frames ? paint_us / 1000.0 / frames : 0.0,
      frames ? present_us / 1000.0 / frames : 0.0);
  std::fflush(stdout);
  return 0;
}

}  // namespace hallq::display
