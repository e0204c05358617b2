// The keypad's rating state machine (评价器), one window:
//
//   idle (shows the window's number and staff) ──finished(ticket)──> asking
//   asking (the five choices and a countdown) ──key 1..5──> sending ──ack──> thanks ──> idle
//   asking ──timeout──> records "not rated" (level 0, 未评价) ──> idle
//   asking ──finished(another ticket)──> the first is recorded "not rated",
//                                          asking for the new one
//   asking ──key 1..2 (差评), with a reasons list──> reasons
//   reasons (the hall's numbered 差评 reasons, chosen ones ticked, a countdown
//            of reasons_timeout) ──toggle n──> reasons
//   reasons ──confirm──> sending (level + the chosen reasons)
//   reasons ──skip──> sending (level, no reasons)
//   reasons ──key 3..5──> sending (that level, no reasons); key 1..2 changes the level
//   reasons ──timeout, or finished(another ticket)──> sent with the level and
//                                          the reasons chosen so far
//
// A second press (while sending or thanking), a press with nothing to rate,
// or an unknown key changes nothing and sets a visible message. Every
// rating leaves the machine exactly once, as an Evaluation to send; the
// program (outbox.h) delivers it with a fixed request id until acknowledged,
// so nothing is recorded twice.
//
// Pure: time comes in as `now`; no I/O. Thread: one owner.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hallq::keypad {

using Clock = std::chrono::steady_clock;

enum class KeypadState : std::uint8_t { kIdle, kAsking, kSending, kThanks, kReasons };
std::string_view to_string(KeypadState s);

struct Evaluation {
  std::string number;                // "A012"
  int level = 0;                     // 0..5
  std::vector<std::string> reasons;  // 差评 reason codes (levels 1..2), in the list's order
};

// One 差评 reason as the hall's config lists it (HallConfig::evaluation.reasons).
struct ReasonChoice {
  std::string code;  // "01"
  std::string text;  // "服务态度差"
};

struct RatingOptions {
  std::chrono::milliseconds timeout{30'000};  // asking -> not rated
  std::chrono::milliseconds thanks{3'000};    // how long "thank you" stays
  std::chrono::milliseconds message{3'000};   // how long an error message stays
  std::chrono::milliseconds reasons{20'000};  // reasons -> sent with the reasons chosen so far
};

// What the keypad shows.
struct KeypadView {
  KeypadState state = KeypadState::kIdle;
  std::string number;    // the ticket being rated (asking, sending, thanks)
  int level = 0;         // the chosen level (sending, thanks)
  int seconds_left = 0;  // asking: countdown
  std::string message;   // the last refusal, while it shows; else empty
  // reasons: the list (numbered from 1) and which are chosen.
  std::vector<ReasonChoice> reasons;
  std::vector<bool> chosen;
};

class RatingMachine {
 public:
  explicit RatingMachine(RatingOptions options = {}) : options_(options) {}

  // The window finished `number`: ask for its rating. Returns the "not rated"
  // record of a ticket that was still being asked, if any.
  std::optional<Evaluation> finished(std::string number, Clock::time_point now);
  // The hall's 差评 reasons (from the engine's config); empty: levels 1..2
  // are sent at once, without reasons. Takes effect at the next question.
  void set_reasons(std::vector<ReasonChoice> reasons) { reasons_ = std::move(reasons); }
  const std::vector<ReasonChoice>& reasons() const { return reasons_; }

  // A rating key (1..5), or 0 for a key that means nothing. Returns the
  // evaluation to send, or nullopt when nothing is to be sent: the press was
  // ignored (with a message), or it opened the reasons question (state()
  // is kReasons, no message).
  std::optional<Evaluation> press(int level, Clock::time_point now);
  // Reasons: ticks or unticks reason `n` (1-based); anything else sets a message.
  void toggle_reason(int n, Clock::time_point now);
  // Reasons: sends the level with the chosen reasons (confirm) or with none (skip).
  std::optional<Evaluation> confirm(Clock::time_point now);
  std::optional<Evaluation> skip(Clock::time_point now);
  // Time passes: returns the "not rated" record when the asking time ran
  // out, or the rating with the reasons chosen so far when the reasons time did.
  std::optional<Evaluation> tick(Clock::time_point now);
  // The engine recorded (or refused, `ok` false with its reason) the
  // evaluation of `number`.
  void acknowledged(const std::string& number, bool ok, const std::string& reason, Clock::time_point now);

  KeypadView view(Clock::time_point now) const;
  KeypadState state() const { return state_; }

 private:
  void show(std::string message, Clock::time_point now);
  std::optional<Evaluation> send(bool with_reasons, Clock::time_point now);
  std::vector<std::string> chosen_codes() const;

  RatingOptions options_;
  KeypadState state_ = KeypadState::kIdle;
  std::string number_;
  int level_ = 0;
  std::vector<ReasonChoice> reasons_;  // the hall's list
  std::vector<ReasonChoice> asked_;    // the list of the current reasons question
  std::vector<bool> chosen_;
  Clock::time_point since_{};  // when the state was entered
  std::string message_;
  Clock::time_point message_until_{};
};

}  // namespace hallq::keypad
