#include "adapters/keypad/keypad_app.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "adapters/keypad/line_protocol.h"
#include "engine/client/uninterrupted.h"
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
  // The hall's 差评 reasons, as the engine's config lists them (a config
  // reload arrives as a new snapshot).
  std::vector<ReasonChoice> reasons;
  for (const core::EvaluationReason& r : hall.config().evaluation.reasons)
    reasons.push_back({r.code, r.text});
  machine_.set_reasons(std::move(reasons));
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
      return key(c.key);
    case LineCommand::Kind::kReason:
      return touch(Touch::kReason, c.reason);
    case LineCommand::Kind::kConfirm:
      return touch(Touch::kConfirm);
    case LineCommand::Kind::kSkip:
      return touch(Touch::kSkip);
  }
  return "ERR 未知命令";
}

std::string KeypadApp::press_key(std::string_view key_name) {
  const std::string answer = key(key_name);
  update();  // the screen and the stdout lines follow at once
  return answer;
}

std::string KeypadApp::key(std::string_view name) {
  // On the reasons screen the digits number the reasons; a level key that is
  // not a digit there ("满意" = 4) still changes the level.
  const ReasonKey rk = config_.reason_key(name);
  const int level = config_.level_of(name);
  if (machine_.state() == KeypadState::kReasons && (rk.kind != ReasonKey::Kind::kNone || level == 0))
    return reason_key(rk);
  return press(level);
}

std::string KeypadApp::reason_key(const ReasonKey& key) {
  switch (key.kind) {
    case ReasonKey::Kind::kToggle:
      return touch(Touch::kReason, key.n);
    case ReasonKey::Kind::kConfirm:
      return touch(Touch::kConfirm);
    case ReasonKey::Kind::kSkip:
      return touch(Touch::kSkip);
    case ReasonKey::Kind::kNone:
      break;
  }
  return touch(Touch::kReason, 0);  // a key that means nothing here: the machine says so
}

std::string KeypadApp::touch(Touch what, int n) {
  const auto now = Clock::now();
  switch (what) {
    case Touch::kLevel:
      return press(n);
    case Touch::kReason: {
      machine_.toggle_reason(n, now);
      const std::string message = machine_.view(now).message;
      return message.empty() ? "OK" : "ERR " + message;
    }
    case Touch::kConfirm:
      return outcome(machine_.confirm(now), now);
    case Touch::kSkip:
      return outcome(machine_.skip(now), now);
  }
  return "ERR 未知命令";
}

std::string KeypadApp::press(int level) {
  const auto now = Clock::now();
  return outcome(machine_.press(level, now), now);
}

std::string KeypadApp::outcome(const std::optional<Evaluation>& e, Clock::time_point now) {
  if (e) {
    queue(*e, now);
    return "OK";
  }
  const std::string message = machine_.view(now).message;
  if (message.empty() && machine_.state() == KeypadState::kReasons) return "OK";  // asking for reasons
  return "ERR " + message;
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
    say_(fmt::format("RECORDED {} {} {}{}{}", evaluation->number, evaluation->level,
                     core::rating_name(evaluation->level),
                     evaluation->reasons.empty() ? "" : " reasons=", fmt::join(evaluation->reasons, ",")));
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
  while (client::recv_uninterrupted(sender_.socket(), msg, zmq::recv_flags::dontwait)) {
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
    core::Evaluate command{e.evaluation.number, e.evaluation.level, config_.window};
    command.reasons.assign(e.evaluation.reasons.begin(), e.evaluation.reasons.end());
    command.channel = core::EvaluationChannel::kKeypad;
    const std::string request = protocol::encode_request(e.request_id, config_.hall, command);
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
    case KeypadState::kReasons: {
      std::vector<std::string_view> chosen;
      for (std::size_t i = 0; i < v.reasons.size(); ++i)
        if (v.chosen[i]) chosen.push_back(v.reasons[i].code);
      return with_countdown
                 ? fmt::format("STATE reasons {} {} chosen={} left={}", v.number, v.level,
                               fmt::join(chosen, ","), v.seconds_left)
                 : fmt::format("STATE reasons {} {} chosen={}", v.number, v.level, fmt::join(chosen, ","));
    }
  }
  return "STATE ?";
}

}  // namespace hallq::keypad
