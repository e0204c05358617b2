#include "adapters/keypad/line_protocol.h"

#include <fmt/format.h>

namespace hallq::keypad {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

LineCommand parse_line(std::string_view raw) {
  const std::string_view line = trim(raw);
  LineCommand c;
  if (line.empty()) {
    c.kind = LineCommand::Kind::kEmpty;
    return c;
  }
  const char verb = line[0];
  const std::string_view arg = trim(line.substr(1));
  if (line.size() > 1 && line[1] != ' ' && line[1] != '\t') {
    c.error = fmt::format("未知命令：{}", line);
    return c;
  }
  switch (verb) {
    case 'R':
    case 'r':
      c.kind = LineCommand::Kind::kRate;
      if (arg.size() == 1 && arg[0] >= '1' && arg[0] <= '5') c.level = arg[0] - '0';
      return c;
    case 'K':
    case 'k':
      if (arg.empty()) {
        c.error = "K 命令缺少按键名";
        return c;
      }
      c.kind = LineCommand::Kind::kKey;
      c.key = std::string(arg);
      return c;
    case 'P':
    case 'p':
      c.kind = LineCommand::Kind::kPing;
      return c;
    case 'S':
    case 's':
      c.kind = LineCommand::Kind::kState;
      return c;
    case 'C':
    case 'c':
      c.kind = LineCommand::Kind::kReason;
      if (!arg.empty() && arg.size() <= 2 && arg.find_first_not_of("0123456789") == std::string_view::npos)
        c.reason = std::stoi(std::string(arg));
      return c;
    case 'Y':
    case 'y':
      c.kind = LineCommand::Kind::kConfirm;
      return c;
    case 'N':
    case 'n':
      c.kind = LineCommand::Kind::kSkip;
      return c;
  }
  c.error = fmt::format("未知命令：{}", line);
  return c;
}

}  // namespace hallq::keypad
