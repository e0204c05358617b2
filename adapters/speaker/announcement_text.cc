#include "adapters/speaker/announcement_text.h"

namespace hallq::speaker {

AnnouncementTemplate::AnnouncementTemplate(std::string_view text) : text_(text) {
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) parts_.push_back({Kind::kLiteral, std::move(literal)}), literal.clear();
  };
  bool has_number = false;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 2, "{{") == 0 || text.compare(i, 2, "}}") == 0) {
      literal += text[i];
      i += 2;
    } else if (text[i] == '{') {
      const std::size_t close = text.find('}', i);
      if (close == std::string_view::npos) throw TemplateError("unclosed \"{\" in template");
      const std::string_view name = text.substr(i + 1, close - i - 1);
      flush();
      if (name == "number") {
        parts_.push_back({Kind::kNumber, {}});
        has_number = true;
      } else if (name == "window") {
        parts_.push_back({Kind::kWindow, {}});
      } else {
        throw TemplateError("unknown placeholder {" + std::string(name) + "} (use {number} and {window})");
      }
      i = close + 1;
    } else if (text[i] == '}') {
      throw TemplateError("unmatched \"}\" in template");
    } else {
      literal += text[i++];
    }
  }
  flush();
  if (!has_number) throw TemplateError("template has no {number}");
}

Sentence AnnouncementTemplate::expand(std::string_view ticket_number, int window_number,
                                      const ReadingOptions& options) const {
  Sentence out;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Kind::kLiteral:
        out.push_back({p.literal, true});
        break;
      case Kind::kNumber:
        for (auto& t : read_ticket(ticket_number, options)) out.push_back({std::move(t), false});
        break;
      case Kind::kWindow:
        for (auto& t : read_window(window_number, options)) out.push_back({std::move(t), false});
        break;
    }
  }
  return out;
}

std::string joined_text(const Sentence& sentence) {
  std::string out;
  for (const Token& t : sentence) out += t.text;
  return out;
}

}  // namespace hallq::speaker
