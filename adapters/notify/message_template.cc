#include "adapters/notify/message_template.h"

#include <fmt/format.h>

namespace hallq::notify {
namespace {

bool name_char(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

}  // namespace

std::optional<MessageTemplate> MessageTemplate::parse(std::string_view text,
                                                      std::span<const std::string_view> allowed,
                                                      std::string& error) {
  MessageTemplate t;
  t.text_ = std::string(text);
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      std::size_t j = i + 1;
      while (j < text.size() && name_char(text[j])) ++j;
      if (j > i + 1 && j < text.size() && text[j] == '}') {
        const std::string_view name = text.substr(i + 1, j - i - 1);
        bool known = false;
        for (std::string_view a : allowed) known = known || a == name;
        if (!known) {
          std::string list;
          for (std::string_view a : allowed) list += fmt::format("{}{{{}}}", list.empty() ? "" : "、", a);
          error = fmt::format("不认识的占位符 {{{}}}（可用：{}）", name, list);
          return std::nullopt;
        }
        if (!literal.empty()) t.parts_.push_back({false, std::move(literal)});
        literal.clear();
        t.parts_.push_back({true, std::string(name)});
        i = j + 1;
        continue;
      }
    }
    literal.push_back(text[i]);
    ++i;
  }
  if (!literal.empty()) t.parts_.push_back({false, std::move(literal)});
  return t;
}

std::string MessageTemplate::render(const std::map<std::string, std::string, std::less<>>& values,
                                    std::string (*escape)(std::string_view)) const {
  std::string out;
  for (const Part& p : parts_) {
    if (!p.placeholder) {
      out += p.text;
      continue;
    }
    const auto it = values.find(p.text);
    if (it == values.end()) continue;
    out += escape != nullptr ? escape(it->second) : it->second;
  }
  return out;
}

bool MessageTemplate::uses(std::string_view name) const {
  for (const Part& p : parts_)
    if (p.placeholder && p.text == name) return true;
  return false;
}

std::string json_escape(std::string_view value) {
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out.push_back(ch);  // UTF-8 passes as it is
        }
    }
  }
  return out;
}

std::string form_escape(std::string_view value) {
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || ch == '-' ||
        ch == '.' || ch == '_' || ch == '~') {
      out.push_back(ch);
    } else if (ch == ' ') {
      out.push_back('+');
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace hallq::notify
