// The caller's logic without the terminal: what the clerk's window looks like
// (from the subscriber's replica), and what a key press leads to. Pure and
// single-threaded; the program (main.cc) sends the requests and feeds replies
// back.
//
// Keys give feedback at once: a command key sets "正在呼叫…" and yields a
// Request; the reply turns it into "已呼叫 A012" or the engine's reason
// ("拒绝：..."). While a request is unanswered, other command keys are refused
// with "上一操作尚未完成" (the pending one is kept and resent with the same id
// until the engine answers, so nothing pressed is lost or done twice).
// Login and transfer prompt for a staff id / service id (Enter sends, Esc cancels).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/caller/caller_config.h"
#include "engine/core/command.h"
#include "engine/core/hall.h"

namespace hallq::caller {

struct QueueLine {
  std::string id, name;
  int level = 1;  // the window's skill level for it
  std::uint32_t waiting = 0;
  std::vector<std::string> next;       // next numbers in predicted call order (up to 4)
  std::int32_t predicted_wait_s = -1;  // a newcomer's
};

struct WindowView {
  std::string hall_name, window_id, window_name;
  int number = 0;
  std::string state;  // 关闭 空闲 呼叫中 办理中 暂停
  bool open = false, paused = false;
  std::string staff, staff_name;
  std::string current, current_state, current_service;
  std::uint32_t served = 0;  // finished today at this window
  std::uint32_t hall_waiting = 0;
  std::vector<QueueLine> queues;  // services the window serves, by level
};

// Nullopt if the hall has no such window.
std::optional<WindowView> view_window(const core::Hall& hall, std::string_view window, core::TimeUs now);

// An owned command: the strings a core::CommandBody will point into.
struct Request {
  Key action = Key::kCallNext;
  std::string arg;  // staff id (login), service id (transfer), "resume" (pause key on a paused window)
};
core::CommandBody to_command(const Request& r, const std::string& window);

class CallerSession {
 public:
  explicit CallerSession(const CallerConfig& config) : config_(config) {}

  // A key (ASCII, or 27 Esc, 127/8 backspace, 10/13 Enter). `view` null: no replica yet.
  std::optional<Request> on_key(int ch, const WindowView* view);
  // The engine answered the pending request.
  void on_reply(bool ok, const std::string& message, const std::string& number);
  // The pending request has not been answered in time (resending).
  void on_connecting();

  bool pending() const { return pending_.has_value(); }
  bool quit() const { return quit_; }
  const std::string& status() const { return status_; }
  bool status_is_error() const { return error_; }
  // The prompt line while typing ("工号：s0" / "转至事项：ta"), empty otherwise.
  std::string prompt() const;

 private:
  void set(std::string s, bool error = false) {
    status_ = std::move(s);
    error_ = error;
  }

  const CallerConfig& config_;
  std::optional<Request> pending_;
  std::optional<Key> prompting_;
  std::string typed_;
  std::string status_ = "就绪";
  bool error_ = false;
  bool quit_ = false;
};

}  // namespace hallq::caller
