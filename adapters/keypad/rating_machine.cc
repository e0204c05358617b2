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
    case KeypadState::kReasons:
      return "reasons";
  }
  return "?";
}

void RatingMachine::show(std::string message, Clock::time_point now) {
  message_ = std::move(message);
  message_until_ = now + options_.message;
}

std::vector<std::string> RatingMachine::chosen_codes() const {
  std::vector<std::string> codes;
  for (std::size_t i = 0; i < asked_.size() && i < chosen_.size(); ++i)
    if (chosen_[i]) codes.push_back(asked_[i].code);
  return codes;
}

std::optional<Evaluation> RatingMachine::send(bool with_reasons, Clock::time_point now) {
  Evaluation e{number_, level_, with_reasons ? chosen_codes() : std::vector<std::string>{}};
  state_ = KeypadState::kSending;
  since_ = now;
  message_.clear();
  asked_.clear();
  chosen_.clear();
  return e;
}

std::optional<Evaluation> RatingMachine::finished(std::string number, Clock::time_point now) {
  std::optional<Evaluation> unrated;
  const bool asking = state_ == KeypadState::kAsking || state_ == KeypadState::kReasons;
  if (asking && number_ == number) return std::nullopt;  // the same finish again
  if (state_ == KeypadState::kAsking) unrated = Evaluation{number_, 0, {}};
  // A citizen choosing reasons chose the level already: it goes as far as it got.
  if (state_ == KeypadState::kReasons) unrated = send(true, now);
  state_ = KeypadState::kAsking;
  number_ = std::move(number);
  level_ = 0;
  since_ = now;
  message_.clear();
  asked_.clear();
  chosen_.clear();
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
    case KeypadState::kReasons:
      break;
  }
  level_ = level;
  if (level <= 2 && !reasons_.empty()) {
    if (state_ == KeypadState::kAsking) {  // a change of level keeps the ticks and the time
      asked_ = reasons_;
      chosen_.assign(asked_.size(), false);
      since_ = now;
    }
    state_ = KeypadState::kReasons;
    message_.clear();
    return std::nullopt;
  }
  return send(false, now);
}

void RatingMachine::toggle_reason(int n, Clock::time_point now) {
  tick(now);
  if (state_ != KeypadState::kReasons) {
    show(state_ == KeypadState::kIdle ? "当前没有待评价的业务" : "请先按 1-5 键评价", now);
    return;
  }
  if (n < 1 || n > static_cast<int>(asked_.size())) {
    show(fmt::format("无效按键，请按 1-{} 键选择原因，# 键提交，0 键跳过", asked_.size()), now);
    return;
  }
  chosen_[n - 1] = !chosen_[n - 1];
  message_.clear();
}

std::optional<Evaluation> RatingMachine::confirm(Clock::time_point now) {
  tick(now);
  if (state_ != KeypadState::kReasons) {
    show(state_ == KeypadState::kIdle ? "当前没有待评价的业务" : "请先按 1-5 键评价", now);
    return std::nullopt;
  }
  return send(true, now);
}

std::optional<Evaluation> RatingMachine::skip(Clock::time_point now) {
  tick(now);
  if (state_ != KeypadState::kReasons) {
    show(state_ == KeypadState::kIdle ? "当前没有待评价的业务" : "请先按 1-5 键评价", now);
    return std::nullopt;
  }
  return send(false, now);
}

std::optional<Evaluation> RatingMachine::tick(Clock::time_point now) {
  if (state_ == KeypadState::kAsking && now - since_ >= options_.timeout) {
    Evaluation unrated{number_, 0, {}};
    state_ = KeypadState::kIdle;
    number_.clear();
    return unrated;
  }
  if (state_ == KeypadState::kReasons && now - since_ >= options_.reasons) return send(true, now);
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
  if (state_ == KeypadState::kReasons) {
    const auto left = options_.reasons - std::chrono::duration_cast<std::chrono::milliseconds>(now - since_);
    v.seconds_left = static_cast<int>(std::max<std::int64_t>(0, (left.count() + 999) / 1000));
    v.reasons = asked_;
    v.chosen = chosen_;
  }
  if (now < message_until_) v.message = message_;
  return v;
}

}  // namespace hallq::keypad
