// hallq-keypad (评价器): after its window finishes a ticket, asks the citizen
// for a rating and sends the evaluation tied to the ticket and window (the
// engine adds the staff who finished it); a timeout records "not rated".
//
// One thread: a poll over the engine's sockets (subscriber events and
// replies, the command socket) and the input (stdin or a serial line), with
// the rating machine (rating_machine.h) and the outbox (outbox.h) in between.
// State changes are printed on stdout, one line each (README), which the
// tests read; on a serial line the box gets OK / ERR / STATE answers.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <memory>
#include <zmq.hpp>

#include "adapters/keypad/keypad_config.h"
#include "adapters/keypad/line_protocol.h"
#include "adapters/keypad/outbox.h"
#include "adapters/keypad/rating_machine.h"
#include "adapters/keypad/serial_port.h"
#include "adapters/speaker/device_toml.h"
#include "engine/client/subscriber.h"
#include "engine/protocol/request_codec.h"

namespace hallq::keypad {
namespace {

using namespace std::chrono_literals;

std::atomic<bool> g_stop{false};  // set by SIGTERM/SIGINT only
extern "C" void on_signal(int) { g_stop = true; }

void say(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

class Keypad final : public client::Subscriber::Listener {
 public:
  Keypad(const KeypadConfig& config, zmq::context_t& ctx)
      : config_(config),
        machine_(config.rating),
        outbox_(config.retry),
        sender_(ctx, config.engine, {std::chrono::milliseconds(1000), 1, false}) {}

  // --- engine events (inside Subscriber::poll) ---
  void on_reset(const core::Hall& hall) override {
    if (!window_) {
      if (auto problem = check_window(config_, hall.config())) {
        fatal_ = *problem;
        g_stop = true;
        return;
      }
      window_ = *hall.config().find_window(config_.window);
      window_number_ = hall.config().windows[*window_].number;
    }
    update_staff(hall);
  }

  void on_event(const core::Hall& hall, const protocol::DecodedEvent& e, protocol::Bytes) override {
    if (!window_) return;
    const auto now = Clock::now();
    if (auto* f = std::get_if<core::TicketFinished>(&e.event.body); f && f->window == *window_) {
      if (auto unrated = machine_.finished(e.number, now)) queue(*unrated, now);
    }
    update_staff(hall);
  }

  void on_connection(std::string_view hall, bool online) override {
    online_ = online;
    say(fmt::format("{} {}", online ? "online" : "offline", hall));
  }

  // --- input ---
  // Handles one protocol line; returns the answer for the box.
  std::string handle_line(std::string_view text) {
    const LineCommand c = parse_line(text);
    const auto now = Clock::now();
    switch (c.kind) {
      case LineCommand::Kind::kEmpty: return {};
      case LineCommand::Kind::kPing: return "OK";
      case LineCommand::Kind::kState: return state_line(now);
      case LineCommand::Kind::kInvalid: return "ERR " + c.error;
      case LineCommand::Kind::kRate: return press(c.level, now);
      case LineCommand::Kind::kKey: return press(config_.level_of(c.key), now);
    }
    return "ERR unknown command";
  }

  // --- the engine's replies ---
  void on_reply(const protocol::DecodedReply& r) {
    auto evaluation = outbox_.acknowledge(r.request_id);
    if (!evaluation) return;  // the answer to a repeat already handled
    const auto now = Clock::now();
    // A repeat of an applied request is answered with the first outcome; an
    // evaluation the engine already holds (a repeat that outlived the
    // engine's memory) counts as recorded too.
    const bool ok = r.ok() || r.code == core::ErrorCode::kAlreadyRated;
    if (ok) say(fmt::format("RECORDED {} {} {}", evaluation->number, evaluation->level, level_name(evaluation->level)));
    else say(fmt::format("REFUSED {} {} {}", evaluation->number, core::to_string(r.code), r.message));
    machine_.acknowledged(evaluation->number, ok, r.message, now);
  }

  // Timers, resends and state output; called after every wake.
  void step() {
    const auto now = Clock::now();
    if (auto unrated = machine_.tick(now)) queue(*unrated, now);
    for (const OutboxEntry& e : outbox_.due(now)) {
      const std::string request =
          protocol::encode_request(e.request_id, config_.hall, core::Evaluate{e.evaluation.number, e.evaluation.level, config_.window});
      if (!sender_.send(request, true)) say(fmt::format("RETRY {} (engine queue full)", e.evaluation.number));
      else if (e.sends > 1) say(fmt::format("RESEND {} {} id={}", e.evaluation.number, e.evaluation.level, e.request_id));
    }
    const KeypadView v = machine_.view(now);
    std::string line = state_line(now, /*with_countdown=*/false);
    if (line != last_state_) {
      last_state_ = line;
      say(state_line(now));
    }
    if (!v.message.empty() && v.message != last_message_) say("MSG " + v.message);
    last_message_ = v.message;
  }

  zmq::socket_t& sender_socket() { return sender_.socket(); }
  const std::string& fatal() const { return fatal_; }
  std::size_t pending() const { return outbox_.size(); }

 private:
  std::string press(int level, Clock::time_point now) {
    if (auto e = machine_.press(level, now)) {
      queue(*e, now);
      return "OK";
    }
    return "ERR " + machine_.view(now).message;
  }

  void queue(const Evaluation& e, Clock::time_point now) {
    outbox_.add(sender_.next_request_id(), e, now);
  }

  void update_staff(const core::Hall& hall) {
    if (!window_) return;
    const core::Window& w = hall.window(*window_);
    std::string staff;
    if (w.state != core::WindowState::kClosed && w.staff != core::kNoStaff) {
      const std::string_view id = hall.staff_id(w.staff);
      const core::StaffConfig* s = hall.config().find_staff(id);
      staff = s ? s->name : std::string(id);
    }
    staff_ = staff;
  }

  std::string state_line(Clock::time_point now, bool with_countdown = true) const {
    const KeypadView v = machine_.view(now);
    switch (v.state) {
      case KeypadState::kIdle:
        return fmt::format("STATE idle window={} staff={}{}", window_number_, staff_.empty() ? "-" : staff_,
                           online_ ? "" : " offline");
      case KeypadState::kAsking:
        return with_countdown ? fmt::format("STATE asking {} left={}", v.number, v.seconds_left)
                              : fmt::format("STATE asking {}", v.number);
      case KeypadState::kSending:
        return fmt::format("STATE sending {} {}{}", v.number, v.level, online_ ? "" : " offline");
      case KeypadState::kThanks:
        return fmt::format("STATE thanks {} {}", v.number, v.level);
    }
    return "STATE ?";
  }

  const KeypadConfig& config_;
  RatingMachine machine_;
  Outbox outbox_;
  client::Client sender_;
  std::optional<core::WindowIdx> window_;
  int window_number_ = 0;
  std::string staff_;
  bool online_ = false;
  std::string last_state_, last_message_, fatal_;
};

// The next reply already waiting on the keypad's command socket, if any.
std::optional<protocol::DecodedReply> client_receive(Keypad& keypad) {
  zmq::message_t msg;
  while (keypad.sender_socket().recv(msg, zmq::recv_flags::dontwait)) {
    const protocol::Bytes bytes{static_cast<const std::uint8_t*>(msg.data()), msg.size()};
    if (protocol::inspect(bytes) == protocol::MessageKind::kReply) return protocol::decode_reply(bytes);
  }
  return std::nullopt;
}

int run(int argc, char** argv) {
  CLI::App app{"hallq-keypad: the window's rating keypad (评价器)"};
  std::string config_path, engine, pub, serial;
  bool headless = false;
  app.add_option("--config", config_path, "device settings (conf/devices/keypad-*.toml)")->required();
  app.add_option("--engine", engine, "engine command endpoint (overrides the config)");
  app.add_option("--pub", pub, "engine event endpoint (overrides the config)");
  app.add_option("--serial", serial, "read the line protocol from this tty (overrides the config)");
  app.add_flag("--headless", headless, "no screen: state lines on stdout only");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  KeypadConfig config = load_keypad_config(config_path);
  if (!engine.empty()) config.engine = engine;
  if (!pub.empty()) config.pub = pub;
  if (!serial.empty()) config.input = InputKind::kSerial, config.serial_device = serial;
  if (config.input == InputKind::kSdl) {
    fmt::print(stderr, "{}: keypad.input = \"sdl\" is not available in this build; use \"stdin\" or \"serial\"\n",
               config.source);
    return 2;
  }

  std::unique_ptr<SerialPort> port;
  if (config.input == InputKind::kSerial) port = std::make_unique<SerialPort>(config.serial_device, config.baud);
  const int input_fd = port ? port->fd() : STDIN_FILENO;

  zmq::context_t ctx;
  {
    client::Client probe(ctx, config.engine, {std::chrono::milliseconds(700), 1, false});
    if (auto pong = probe.ping(); pong && pong->engine) {
      const auto& halls = pong->engine->halls;
      if (std::find(halls.begin(), halls.end(), config.hall) == halls.end()) {
        fmt::print(stderr, "{}:1: keypad.hall: the engine at {} has no hall \"{}\"\n", config.source, config.engine,
                   config.hall);
        return 2;
      }
    }
  }
  Keypad keypad(config, ctx);
  client::Subscriber sub(ctx, config.engine, config.pub, {config.hall}, &keypad);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  say(fmt::format("hallq-keypad ready hall={} window={} input={}", config.hall, config.window,
                  port ? config.serial_device : "stdin"));

  std::string buffer;
  bool input_open = true;
  while (!g_stop) {
    zmq::pollitem_t items[] = {
        {sub.event_socket().handle(), 0, ZMQ_POLLIN, 0},
        {sub.reply_socket().handle(), 0, ZMQ_POLLIN, 0},
        {keypad.sender_socket().handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, input_open ? input_fd : -1, ZMQ_POLLIN, 0},
    };
    try {
      zmq::poll(items, input_open ? 4 : 3, 100ms);
      sub.poll(0ms);
      while (auto reply = client_receive(keypad)) keypad.on_reply(*reply);
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;
    }
    if (input_open && (items[3].revents & ZMQ_POLLIN)) {
      char chunk[512];
      const ssize_t n = ::read(input_fd, chunk, sizeof chunk);
      if (n > 0) {
        buffer.append(chunk, static_cast<std::size_t>(n));
        for_each_line(buffer, [&](std::string_view line) {
          const std::string answer = keypad.handle_line(line);
          if (answer.empty()) return;
          if (port) port->write_line(answer);
          else say(answer);
        });
      } else if (n == 0 && !port) {
        input_open = false;  // stdin closed: keep serving the engine side
      }
    }
    keypad.step();
  }
  say(fmt::format("stopped pending={}", keypad.pending()));
  if (!keypad.fatal().empty()) {
    fmt::print(stderr, "hallq-keypad: {}\n", keypad.fatal());
    return 2;
  }
  return 0;
}

}  // namespace
}  // namespace hallq::keypad

int main(int argc, char** argv) {
  try {
    return hallq::keypad::run(argc, argv);
  } catch (const hallq::devconf::DeviceConfigError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hallq-keypad: {}\n", e.what());
    return 1;
  }
}
