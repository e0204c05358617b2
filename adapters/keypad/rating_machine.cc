#include "adapters/keypad/rating_machine.h"

#include <fmt/format.h>

namespace hallq::keypad {

std::string_view to_string(KeypadState s) {
  switch (s) {
    case KeypadState::kIdle:
      return "idle";
    case KeypadState::kAsking:
      return "asking";
    case KeypadState::kSending:
      return "sending";
    case KeypadState::kThanks:
      return "thanks";
  }
  return "?";
}

void RatingMachine::show(std::string message, Clock::time_point now) {
  message_ = std::move(message);
  message_until_ = now + options_.message;
}

std::optional<Evaluation> RatingMachine::finished(std::string number, Clock::time_point now) {
  std::optional<Evaluation> unrated;
  if (state_ == KeypadState::kAsking && number_ != number) unrated = Evaluation{number_, 0};
  if (state_ == KeypadState::kAsking && number_ == number) return std::nullopt;  // the same finish again
  state_ = KeypadState::kAsking;
  number_ = std::move(number);
  level_ = 0;
  since_ = now;
  message_.clear();
  return unrated;
}

std::optional<Evaluation> RatingMachine::press(int level, Clock::time_point now) {
  tick(now);
  if (level < 1 || level > 5) {
    show("无效按键，请按 1-5 键评价", now);
    return std::nullopt;
  }
  switch (state_) {
    case KeypadState::kIdle:
      show("当前没有待评价的业务", now);
      return std::nullopt;
    case KeypadState::kSending:
    case KeypadState::kThanks:
      show(fmt::format("{} 已评价，请勿重复按键", number_), now);
      return std::nullopt;
    case KeypadState::kAsking:
      break;
  }
  state_ = KeypadState::kSending;
  level_ = level;
  since_ = now;
  message_.clear();
  return Evaluation{number_, level};
}

std::optional<Evaluation> RatingMachine::tick(Clock::time_point now) {
  if (state_ == KeypadState::kAsking && now - since_ >= options_.timeout) {
    Evaluation unrated{number_, 0};
    state_ = KeypadState::kIdle;
    number_.clear();
    return unrated;
  }
  if (state_ == KeypadState::kThanks && now - since_ >= options_.thanks) {
    state_ = KeypadState::kIdle;
    number_.clear();
    level_ = 0;
  }
  if (!message_.empty() && now >= message_until_) message_.clear();
  return std::nullopt;
}

void RatingMachine::acknowledged(const std::string& number, bool ok, const std::string& reason,
                                 Clock::time_point now) {
  if (!ok) show(fmt::format("{} 评价未记录：{}", number, reason), now);
  if (state_ != KeypadState::kSending || number != number_) return;  // a not-rated record, or an old one
  if (ok) {
    state_ = KeypadState::kThanks;
    since_ = now;
  } else {
    state_ = KeypadState::kIdle;
    number_.clear();
    level_ = 0;
  }
}

KeypadView RatingMachine::view(Clock::time_point now) const {
  KeypadView v;
  v.state = state_;
  v.number = number_;
  v.level = level_;
  if (state_ == KeypadState::kAsking) {
    const auto left = options_.timeout - std::chrono::duration_cast<std::chrono::milliseconds>(now - since_);
    v.seconds_left = static_cast<int>(std::max<std::int64_t>(0, (left.count() + 999) / 1000));
  }
  if (now < message_until_) v.message = message_;
  return v;
}

}  // namespace hallq::keypad
