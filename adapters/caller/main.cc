// hallq-caller: the clerk's terminal caller (呼叫器) for one window.
//   hallq-caller --config conf/devices/caller-town-w1.toml [--engine EP] [--events EP]
//                [--window ID] [--staff ID] [--key FILE --server-key FILE|Z85]
// The device program skeleton (engine/device/device_program.h): exit codes 0
// quit or SIGTERM/SIGINT, 2 usage / config error / unknown hall or window,
// 1 runtime failure. A terminal resize (SIGWINCH) redraws the screen.
#include <fmt/format.h>
#include <ncursesw/ncurses.h>

#include <chrono>
#include <clocale>
#include <iostream>
#include <optional>
#include <zmq.hpp>

#include "adapters/caller/caller_config.h"
#include "adapters/caller/caller_session.h"
#include "adapters/caller/caller_view.h"
#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/core/calendar.h"
#include "engine/device/device_program.h"
#include "engine/device/signals.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/time/system_clock.h"

namespace {

using Clock = std::chrono::steady_clock;

// The one command in flight: resent with the same request id until answered.
struct Pending {
  std::string id, bytes;
  Clock::time_point next_send;
  int sends = 0;
};

int run(const hallq::caller::CallerConfig& config, const hallq::device::LoadedCurve& keys) {
  using namespace hallq;
  const time::Clock& wall = time::system_clock();
  zmq::context_t ctx;
  client::ClientOptions co;
  co.timeout = std::chrono::milliseconds(1000);
  co.attempts = 1;
  co.curve = keys.curve;
  client::Client client(ctx, config.engine, co);
  // Unknown hall or window: a clear error at start (if the engine is up; offline we start and check later).
  if (auto r = client.snapshot(config.hall)) {
    if (!r->ok()) {
      std::cerr << fmt::format("hallq-caller: hall \"{}\": {}\n", config.hall, r->message);
      return 2;
    }
    protocol::DecodedSnapshot snap;
    if (protocol::decode_snapshot(protocol::as_bytes(r->snapshot), snap).ok() &&
        !snap.config->find_window(config.window)) {
      std::cerr << fmt::format("hallq-caller: hall \"{}\" has no window \"{}\"\n", config.hall,
                               config.window);
      return 2;
    }
  }
  client::SubscriberOptions sub_options;
  sub_options.curve = keys.curve;
  client::Subscriber sub(ctx, config.engine, config.events, {config.hall}, nullptr, sub_options);
  caller::CallerSession session(config);
  std::optional<Pending> pending;

  std::setlocale(LC_ALL, "");
  initscr();
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);

  int rc = 0;
  std::string last_frame;
  while (!hallq::device::stop_requested() && !session.quit()) {
    auto timeout = std::chrono::milliseconds(250);
    if (pending)
      timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::max(pending->next_send - Clock::now(), Clock::duration::zero())));
    zmq::pollitem_t items[] = {{sub.event_socket().handle(), 0, ZMQ_POLLIN, 0},
                               {sub.reply_socket().handle(), 0, ZMQ_POLLIN, 0},
                               {client.socket().handle(), 0, ZMQ_POLLIN, 0},
                               {nullptr, 0, ZMQ_POLLIN, 0}};
    device::poll(items, 4, timeout);
    sub.poll(std::chrono::milliseconds(0));
    const core::Hall* hall = sub.hall(config.hall);
    std::optional<caller::WindowView> view;
    if (hall) {
      view = caller::view_window(*hall, config.window, wall.now_us());
      if (!view) {
        rc = 2;
        break;
      }
    }
    // Keys.
    for (int ch; (ch = getch()) != ERR;) {
      if (ch == KEY_RESIZE) {  // SIGWINCH: ncurses has the new size; draw everything again
        clear();
        last_frame.clear();
        continue;
      }
      if (auto req = session.on_key(ch, view ? &*view : nullptr)) {
        Pending p;
        p.id = client.next_request_id();
        p.bytes = protocol::encode_request(p.id, config.hall, caller::to_command(*req, config.window));
        p.next_send = Clock::now();
        pending = std::move(p);
      }
      if (session.quit()) break;
    }
    // Replies.
    while (auto reply = client.receive(std::chrono::milliseconds(0))) {
      if (!pending || reply->request_id != pending->id) continue;
      std::string number;
      for (const std::string& e : reply->events) {
        const protocol::EventSummary s = protocol::describe_event(protocol::as_bytes(e));
        if (s.kind != "day_rolled" && !s.number.empty()) number = s.number;
      }
      session.on_reply(reply->ok(), reply->message, number);
      pending.reset();
    }
    if (pending && Clock::now() >= pending->next_send) {
      (void)client.send(pending->bytes, true);
      if (++pending->sends == 2) session.on_connecting();
      pending->next_send = Clock::now() + std::chrono::milliseconds(1000);
    }
    const bool online = sub.online(config.hall);
    const std::string clock = hallq::core::format_time_of_day(
        hallq::core::local_second_of_day(wall.now_us(), hall ? hall->config().utc_offset_min : 480));
    const std::string frame = fmt::format("{}{}{}{}{}{}", online, session.status(), session.prompt(), clock,
                                          hall ? hall->seq() : 0, pending ? pending->sends : -1);
    if (frame != last_frame) {
      last_frame = frame;
      caller::draw_screen(config, view ? &*view : nullptr, session, online, pending && pending->sends > 1,
                          clock);
    }
  }
  endwin();
  if (rc == 2)
    std::cerr << fmt::format("hallq-caller: hall \"{}\" has no window \"{}\"\n", config.hall, config.window);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hallq;
  device::DeviceProgram program({.name = "hallq-caller",
                                 .description = "窗口工作人员的终端呼叫器",
                                 .config_help = "呼叫器的配置（conf/devices/caller-*.toml）",
                                 .old_config_names = {"--conf"}});
  std::string window, staff;
  program.cli().add_option("--window", window, "窗口编号（代替配置文件中的）")->type_name("窗口");
  program.cli().add_option("--staff", staff, "登录时预填的工号（代替配置文件中的）")->type_name("工号");
  return program.run(argc, argv, [&] {
    caller::CallerConfig config = caller::load_caller_config(program.options().config);
    const device::LoadedCurve keys = program.apply_overrides({config.engine, config.events, config.security});
    if (!window.empty()) config.window = window;
    if (!staff.empty()) config.staff = staff;
    return run(config, keys);
  });
}
