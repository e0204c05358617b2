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
// Login prompts for a staff id; transfer for a service: its ticket letter, its
// Chinese name (or a prefix of exactly one name) or its id (resolve_service);
// finish_case for the 办件编号 of the hall's case system, typed or scanned
// (a keyboard-wedge scanner types it and Enter in one burst), sent as
// Finish{window, case_number}. Enter sends, Esc cancels, backspace deletes a
// character (kPromptKeys).
//
// The 办件编号 prompt checks one thing itself: Enter on nothing is refused
// ("请输入或扫描办件编号…"), the prompt stays open and plain finish stays on
// its own key. Everything else (a space, a Chinese character, more than
// core::kMaxCaseNumberBytes, no ticket being served) the engine judges, and
// its refusal shows as it words it ("拒绝：办件编号的第 3 个字符是空格，不可用：…"), the prompt closed
// so that a rescan does not append to the refused number. What is typed is
// never changed: a space is kept, and an entry longer than the engine takes is
// kept to one byte more than that (kCaseNumberTyped), so it is refused, not
// cut to a number the engine would accept.
#pragma once

#include <array>
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

// A service a ticket can be transferred to.
struct ServiceChoice {
  std::string id, name, letter;  // "tax", "税务", "G" (the ticket prefix)
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
  std::vector<QueueLine> queues;        // services the window serves, by level
  std::vector<ServiceChoice> services;  // every service of the hall, in config order
};

// Nullopt if the hall has no such window.
std::optional<WindowView> view_window(const core::Hall& hall, std::string_view window, core::TimeUs now);

// What the clerk typed at the transfer prompt, resolved: the service whose
// ticket letter (any case), id or Chinese name it is, else the service whose
// name it begins (if exactly one). Otherwise `error` refuses it in Chinese,
// naming the choices ("「社」有多个事项：A 社保医保、B 社会救助").
struct ServiceMatch {
  const ServiceChoice* service = nullptr;
  std::string error;
};
ServiceMatch resolve_service(const std::vector<ServiceChoice>& choices, std::string_view typed);
// "G 税务": a choice as the prompt lists it.
std::string choice_text(const ServiceChoice& c);

// The keys a prompt takes besides the text typed: one table for the handler
// and the legend. Enter also arrives as '\r' or KEY_ENTER, backspace as 8 or
// KEY_BACKSPACE (prompt_key maps them).
struct PromptKey {
  int ch;
  std::string_view text, label;  // "回车" "确认"
};
inline constexpr std::array<PromptKey, 3> kPromptKeys = {
    {{'\n', "回车", "确认"}, {27, "Esc", "取消"}, {127, "退格", "删除"}}};
// The kPromptKeys character `ch` stands for, or -1.
int prompt_key(int ch);

// The bytes the 办件编号 prompt holds: one more than the engine accepts.
inline constexpr std::size_t kCaseNumberTyped = core::kMaxCaseNumberBytes + 1;

// An owned command: the strings a core::CommandBody will point into.
struct Request {
  Key action = Key::kCallNext;
  std::string arg;    // staff id (login), service id (transfer), 办件编号 (finish_case),
                      // "resume" (pause key on a paused window)
  std::string shown;  // transfer: the service as the clerk reads it, "税务（G）"
};
core::CommandBody to_command(const Request& r, const std::string& window);

class CallerSession {
 public:
  explicit CallerSession(const CallerConfig& config) : config_(config) {}

  // A key (ASCII, or 27 Esc, 127/8 backspace, 10/13 Enter; at a prompt the
  // bytes of UTF-8 text too). `view` null: no replica yet.
  std::optional<Request> on_key(int ch, const WindowView* view);
  // Whether `ch` is a key on_key acts on now (text typed at a prompt aside):
  // a key of config.keys, or at a prompt a kPromptKeys key. The legend
  // (caller_legend.h) lists exactly these.
  bool accepts(int ch) const;
  // The open prompt: kLogin, kTransfer or kFinishCase.
  std::optional<Key> prompting() const { return prompting_; }
  // The engine answered the pending request.
  void on_reply(bool ok, const std::string& message, const std::string& number);
  // The pending request has not been answered in time (resending).
  void on_connecting();

  bool pending() const { return pending_.has_value(); }
  bool quit() const { return quit_; }
  const std::string& status() const { return status_; }
  bool status_is_error() const { return error_; }
  // The prompt line while typing ("工号：s0" / "转至事项（字母或名称）：税" /
  // "办件编号：GA-2026/0017"), empty otherwise.
  std::string prompt() const;

 private:
  std::optional<Request> on_enter(const WindowView* view);
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
