// The keypad's line protocol, spoken on a serial line (a keypad box on a tty)
// and on stdin. One command per line (LF or CRLF), ASCII:
//
//   R <n>      a rating button, n = 1..5 (5 非常满意 ... 1 非常不满意)
//   K <name>   a raw key, mapped through [keypad.keys] (USB keypads, "KP_5")
//   P          ping; answered "OK"
//   S          state; answered with the current STATE line
//   C <n>      差评 reasons (after R 1 or R 2): ticks or unticks reason n (1..99)
//   Y          差评 reasons: confirm, send the level with the ticked reasons
//   N          差评 reasons: skip, send the level without reasons
//
// Answers, one line each: "OK" (a rating taken or a ping), "ERR <reason>"
// (ignored press, unknown key, bad line; the reason in Chinese, e.g.
// "ERR 未知命令：XYZ", "ERR 无效按键"), "STATE ..." (see README). The prefixes
// OK / ERR / STATE are ASCII for the box to parse. On a serial line the
// lines are in keypad.serial_encoding (line_encoding.h). The parser is pure;
// any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hallq::keypad {

struct LineCommand {
  enum class Kind : std::uint8_t { kRate, kKey, kPing, kState, kEmpty, kInvalid, kReason, kConfirm, kSkip };
  Kind kind = Kind::kInvalid;
  int level = 0;      // kRate: 1..5; 0 when the number was out of range
  int reason = 0;     // kReason: 1..99; 0 when the number was out of range
  std::string key;    // kKey
  std::string error;  // kInvalid: why
};

LineCommand parse_line(std::string_view line);

// Splits off complete lines from `buffer` (which keeps a trailing partial
// line); calls `f(line)` for each, without its line end.
template <class F>
void for_each_line(std::string& buffer, F&& f) {
  std::size_t start = 0;
  for (std::size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(buffer.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(line);
  }
  buffer.erase(0, start);
  if (buffer.size() > 4096) buffer.clear();  // a line that never ends is noise
}

}  // namespace hallq::keypad
