// The keypad program's engine side (评价器): a Subscriber keeps the hall's
// replica (which tickets the window finishes, who is logged in, whether the
// engine is online), the rating machine (rating_machine.h) decides what a
// press means, and the outbox (outbox.h) sends each evaluation with a fixed
// request id until the engine acknowledges it, so an engine that goes away
// and comes back records every rating exactly once.
//
// Every visible change is also written as one line to `say` (README, "stdout
// lines"): "online HALL", "offline HALL", "STATE idle window=5 staff=rs09",
// "STATE asking A012 left=30", "STATE reasons A012 2 chosen=01,03 left=18",
// "RECORDED A012 4 满意", "RECORDED A013 2 不满意 reasons=01,03", "MSG ...", ...
//
// The 差评 reasons the keypad offers are the hall's (HallConfig::evaluation,
// from the engine's snapshot), so every keypad of a hall shows the same
// versioned list.
//
// Thread: one thread (the program's main loop, or a test) owns everything;
// `say` is called on it. Errors: zmq errors other than EINTR propagate.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "adapters/keypad/keypad_config.h"
#include "adapters/keypad/outbox.h"
#include "adapters/keypad/rating_machine.h"
#include "engine/client/client.h"
#include "engine/client/subscriber.h"

namespace hallq::keypad {

// What the idle screen shows about the window.
struct WindowInfo {
  int number = 0;          // 0 until the first snapshot
  std::string name;        // "社保医保综合窗口"
  std::string staff_id;    // 工号; empty when nobody is logged in
  std::string staff_name;  // empty when the hall's config does not list the id
  bool open = false;       // the window is open (not closed)
};

class KeypadApp : private client::Subscriber::Listener {
 public:
  using Say = std::function<void(std::string_view line)>;

  // Connects (lazily, as ZeroMQ does) to the engine of `config`; the config
  // and the context must outlive the app.
  // `curve`: the keys of config.security (device::load_curve) for both
  // sockets; empty: plaintext.
  KeypadApp(zmq::context_t& ctx, const KeypadConfig& config, Say say, const client::CurveOptions& curve = {});
  ~KeypadApp() override;
  KeypadApp(const KeypadApp&) = delete;
  KeypadApp& operator=(const KeypadApp&) = delete;

  // Waits at most `timeout` for engine traffic (or `fd` readable, if >= 0),
  // handles what arrived, sends and resends what is due, advances the
  // timers. Returns true if `fd` is readable.
  bool step(std::chrono::milliseconds timeout, int fd = -1);

  // One line of the line protocol (line_protocol.h); returns the answer for
  // the box ("OK", "ERR ...", "STATE ...") or empty for an empty line. Call
  // update() after the answers are out.
  std::string handle_line(std::string_view line);
  // A key of a keyboard (SDL key name, e.g. "4", "Keypad 4", "A"), mapped
  // through [keypad.keys]; returns "OK" or "ERR <message>".
  std::string press_key(std::string_view key_name);
  // A touch on the screen: a level's button (1..5) or, on the reasons
  // screen, a reason (1-based), confirm or skip. Returns "OK" or "ERR <message>".
  enum class Touch : std::uint8_t { kLevel, kReason, kConfirm, kSkip };
  std::string touch(Touch what, int n = 0);

  // Timers, first sends and resends, state lines; step() and press_key() do it.
  void update();

  KeypadView view() const { return machine_.view(Clock::now()); }
  const WindowInfo& window() const { return info_; }
  bool online() const { return online_; }
  // Evaluations pressed (or timed out) but not yet acknowledged.
  std::size_t pending() const { return outbox_.size(); }
  // Set when the engine's hall has no such window: the program must stop.
  const std::string& fatal() const { return fatal_; }
  // The STATE line of the line protocol.
  std::string state_line(bool with_countdown = true) const;

 private:
  void on_reset(const core::Hall& hall) override;
  void on_event(const core::Hall& hall, const protocol::DecodedEvent& e, protocol::Bytes) override;
  void on_connection(std::string_view hall, bool online) override;
  void on_reply(const protocol::DecodedReply& r);
  std::string press(int level);
  std::string key(std::string_view name);
  std::string reason_key(const ReasonKey& key);
  std::string outcome(const std::optional<Evaluation>& e, Clock::time_point now);
  void queue(const Evaluation& e, Clock::time_point now);
  void update_window(const core::Hall& hall);

  const KeypadConfig& config_;
  Say say_;
  RatingMachine machine_;
  Outbox outbox_;
  client::Client sender_;
  client::Subscriber subscriber_;
  std::optional<core::WindowIdx> window_;
  WindowInfo info_;
  bool online_ = false;
  std::string last_state_, last_message_, fatal_;
};

}  // namespace hallq::keypad
