#include "adapters/keypad/keypad_app.h"

#include <fmt/format.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "adapters/keypad/line_protocol.h"
#include "engine/core/rating.h"
#include "engine/device/signals.h"
#include "engine/protocol/request_codec.h"

namespace hallq::keypad {

namespace {
client::SubscriberOptions subscriber_options(const client::CurveOptions& curve) {
  client::SubscriberOptions o;
  o.curve = curve;
  return o;
}
}  // namespace

KeypadApp::KeypadApp(zmq::context_t& ctx, const KeypadConfig& config, Say say,
                     const client::CurveOptions& curve)
    : config_(config),
      say_(std::move(say)),
      machine_(config.rating),
      outbox_(config.retry),
      sender_(ctx, config.engine, {std::chrono::milliseconds(1000), 1, false, curve}),
      subscriber_(ctx, config.engine, config.pub, {config.hall}, this, subscriber_options(curve)) {}

KeypadApp::~KeypadApp() = default;

// --- engine events (inside Subscriber::poll) ---

void KeypadApp::on_reset(const core::Hall& hall) {
  if (!window_) {
    if (auto problem = check_window(config_, hall.config())) {
      fatal_ = *problem;
      return;
    }
    window_ = *hall.config().find_window(config_.window);
    const core::WindowConfig& w = hall.config().windows[*window_];
    info_.number = w.number;
    info_.name = w.name;
  }
  update_window(hall);
}

void KeypadApp::on_event(const core::Hall& hall, const protocol::DecodedEvent& e, protocol::Bytes) {
  if (!window_) return;
  const auto now = Clock::now();
  if (auto* f = std::get_if<core::TicketFinished>(&e.event.body); f && f->window == *window_) {
    if (auto unrated = machine_.finished(e.number, now)) queue(*unrated, now);
  }
  update_window(hall);
}

void KeypadApp::on_connection(std::string_view hall, bool online) {
  online_ = online;
  say_(fmt::format("{} {}", online ? "online" : "offline", hall));
}

void KeypadApp::update_window(const core::Hall& hall) {
  const core::Window& w = hall.window(*window_);
  info_.open = w.state != core::WindowState::kClosed;
  info_.staff_id.clear();
  info_.staff_name.clear();
  if (info_.open && w.staff != core::kNoStaff) {
    info_.staff_id = std::string(hall.staff_id(w.staff));
    if (const core::StaffConfig* s = hall.config().find_staff(info_.staff_id)) info_.staff_name = s->name;
  }
}

// --- input ---

std::string KeypadApp::handle_line(std::string_view text) {
  const LineCommand c = parse_line(text);
  switch (c.kind) {
    case LineCommand::Kind::kEmpty:
      return {};
    case LineCommand::Kind::kPing:
      return "OK";
    case LineCommand::Kind::kState:
      return state_line();
    case LineCommand::Kind::kInvalid:
      return "ERR " + c.error;
    case LineCommand::Kind::kRate:
      return press(c.level);
    case LineCommand::Kind::kKey:
      return press(config_.level_of(c.key));
  }
  return "ERR 未知命令";
}

std::string KeypadApp::press_key(std::string_view key_name) {
  const std::string answer = press(config_.level_of(key_name));
  update();  // the screen and the stdout lines follow at once
  return answer;
}

std::string KeypadApp::press(int level) {
  const auto now = Clock::now();
  if (auto e = machine_.press(level, now)) {
    queue(*e, now);
    return "OK";
  }
  return "ERR " + machine_.view(now).message;
}

void KeypadApp::queue(const Evaluation& e, Clock::time_point now) {
  outbox_.add(sender_.next_request_id(), e, now);
}

// --- the engine's replies ---

void KeypadApp::on_reply(const protocol::DecodedReply& r) {
  auto evaluation = outbox_.acknowledge(r.request_id);
  if (!evaluation) return;  // the answer to a repeat already handled
  const auto now = Clock::now();
  // A repeat of an applied request is answered with the first outcome; an
  // evaluation the engine already holds (a repeat that outlived the engine's
  // memory) counts as recorded too.
  const bool ok = r.ok() || r.code == core::ErrorCode::kAlreadyRated;
  if (ok)
    say_(fmt::format("RECORDED {} {} {}", evaluation->number, evaluation->level,
                     core::rating_name(evaluation->level)));
  else
    say_(fmt::format("REFUSED {} {} {}", evaluation->number, core::to_string(r.code), r.message));
  machine_.acknowledged(evaluation->number, ok, r.message, now);
}

bool KeypadApp::step(std::chrono::milliseconds timeout, int fd) {
  zmq::pollitem_t items[] = {
      {subscriber_.event_socket().handle(), 0, ZMQ_POLLIN, 0},
      {subscriber_.reply_socket().handle(), 0, ZMQ_POLLIN, 0},
      {sender_.socket().handle(), 0, ZMQ_POLLIN, 0},
      {nullptr, fd, ZMQ_POLLIN, 0},
  };
  // Wake for the next timer at the latest: the countdown shows seconds.
  timeout = std::min(timeout, std::chrono::milliseconds(250));
  device::poll(items, fd >= 0 ? 4 : 3, timeout);  // a signal ends the wait early
  subscriber_.poll(std::chrono::milliseconds(0));
  zmq::message_t msg;
  while (sender_.socket().recv(msg, zmq::recv_flags::dontwait)) {
    const protocol::Bytes bytes{static_cast<const std::uint8_t*>(msg.data()), msg.size()};
    if (protocol::inspect(bytes) == protocol::MessageKind::kReply) on_reply(protocol::decode_reply(bytes));
  }
  update();
  // A closed pipe or tty reports only a hang-up (ZMQ_POLLERR): reading it then returns 0 (EOF).
  return fd >= 0 && (items[3].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) != 0;
}

void KeypadApp::update() {
  const auto now = Clock::now();
  if (auto unrated = machine_.tick(now)) queue(*unrated, now);
  for (const OutboxEntry& e : outbox_.due(now)) {
    const std::string request = protocol::encode_request(
        e.request_id, config_.hall, core::Evaluate{e.evaluation.number, e.evaluation.level, config_.window});
    if (!sender_.send(request, true))
      say_(fmt::format("RETRY {} (engine queue full)", e.evaluation.number));
    else if (e.sends > 1)
      say_(fmt::format("RESEND {} {} id={}", e.evaluation.number, e.evaluation.level, e.request_id));
  }
  const KeypadView v = machine_.view(now);
  const std::string line = state_line(/*with_countdown=*/false);
  if (line != last_state_) {
    last_state_ = line;
    say_(state_line());
  }
  if (!v.message.empty() && v.message != last_message_) say_("MSG " + v.message);
  last_message_ = v.message;
}

std::string KeypadApp::state_line(bool with_countdown) const {
  const KeypadView v = machine_.view(Clock::now());
  switch (v.state) {
    case KeypadState::kIdle: {
      const std::string& staff = info_.staff_name.empty() ? info_.staff_id : info_.staff_name;
      return fmt::format("STATE idle window={} staff={}{}", info_.number, staff.empty() ? "-" : staff,
                         online_ ? "" : " offline");
    }
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

}  // namespace hallq::keypad
