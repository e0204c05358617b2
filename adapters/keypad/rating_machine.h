// The keypad's rating state machine (评价器), one window:
//
//   idle (shows the window's number and staff) ──finished(ticket)──> asking
//   asking (the five choices and a countdown) ──key 1..5──> sending ──ack──> thanks ──> idle
//   asking ──timeout──> records "not rated" (level 0, 未评价) ──> idle
//   asking ──finished(another ticket)──> the first is recorded "not rated",
//                                          asking for the new one
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

namespace hallq::keypad {

using Clock = std::chrono::steady_clock;

enum class KeypadState : std::uint8_t { kIdle, kAsking, kSending, kThanks };
std::string_view to_string(KeypadState s);

struct Evaluation {
  std::string number;  // "A012"
  int level = 0;       // 0..5
};

struct RatingOptions {
  std::chrono::milliseconds timeout{30'000};  // asking -> not rated
  std::chrono::milliseconds thanks{3'000};    // how long "thank you" stays
  std::chrono::milliseconds message{3'000};   // how long an error message stays
};

// What the keypad shows.
struct KeypadView {
  KeypadState state = KeypadState::kIdle;
  std::string number;    // the ticket being rated (asking, sending, thanks)
  int level = 0;         // the chosen level (sending, thanks)
  int seconds_left = 0;  // asking: countdown
  std::string message;   // the last refusal, while it shows; else empty
};

class RatingMachine {
 public:
  explicit RatingMachine(RatingOptions options = {}) : options_(options) {}

  // The window finished `number`: ask for its rating. Returns the "not rated"
  // record of a ticket that was still being asked, if any.
  std::optional<Evaluation> finished(std::string number, Clock::time_point now);
  // A rating key (1..5), or 0 for a key that means nothing. Returns the
  // evaluation to send, or nullopt (with a message) when the press is ignored.
  std::optional<Evaluation> press(int level, Clock::time_point now);
  // Time passes: returns the "not rated" record when the time ran out.
  std::optional<Evaluation> tick(Clock::time_point now);
  // The engine recorded (or refused, `ok` false with its reason) the
  // evaluation of `number`.
  void acknowledged(const std::string& number, bool ok, const std::string& reason, Clock::time_point now);

  KeypadView view(Clock::time_point now) const;
  KeypadState state() const { return state_; }

 private:
  void show(std::string message, Clock::time_point now);

  RatingOptions options_;
  KeypadState state_ = KeypadState::kIdle;
  std::string number_;
  int level_ = 0;
  Clock::time_point since_{};  // when the state was entered
  std::string message_;
  Clock::time_point message_until_{};
};

}  // namespace hallq::keypad
