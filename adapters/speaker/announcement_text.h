// The sentence of an announcement: a template such as
//   "请{number}号到{window}号窗口办理"
// expanded with the ticket and window readings (number_reading.h) into a list
// of tokens. A token is either a reading token (one digit, unit or letter) or
// a run of the template's literal text; voices decide how to split literal
// text (a voice pack matches its longest phrases, espeak takes it whole).
//
// Placeholders: {number} (the ticket), {window} (window number), {{ and }}
// for literal braces. Anything else in braces is a TemplateError (configs
// report it with the key's line). Pure; any thread.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/speaker/number_reading.h"

namespace hallq::speaker {

struct Token {
  std::string text;
  bool literal = false;  // template text rather than a reading token
  bool operator==(const Token&) const = default;
};
using Sentence = std::vector<Token>;

class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A parsed template; construction checks it.
class AnnouncementTemplate {
 public:
  explicit AnnouncementTemplate(std::string_view text);

  Sentence expand(std::string_view ticket_number, int window_number, const ReadingOptions& options) const;
  const std::string& text() const { return text_; }

 private:
  enum class Kind { kLiteral, kNumber, kWindow };
  struct Part {
    Kind kind;
    std::string literal;
  };
  std::string text_;
  std::vector<Part> parts_;
};

// All tokens joined: what a speech synthesizer is given.
std::string joined_text(const Sentence& sentence);

}  // namespace hallq::speaker
