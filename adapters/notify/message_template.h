// A text with placeholders, as the notifier's config writes them: the SMS
// wording ("请到{window}号窗口") and the gateway's request body
// ('{"mobile":"{phone}","content":"{text}"}'). A placeholder is `{name}` with
// `name` made of lowercase letters and '_'; any other brace is text, so a
// JSON body needs no escaping. A `{name}` not in the allowed set is refused
// when the template is read, so a typo never reaches a citizen's phone.
//
// Pure; a value type; any thread.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hallq::notify {

class MessageTemplate {
 public:
  MessageTemplate() = default;
  // Splits `text`; nullopt and `error` set (Chinese, naming the placeholder
  // and the allowed ones) if it names a placeholder not in `allowed`.
  static std::optional<MessageTemplate> parse(std::string_view text,
                                              std::span<const std::string_view> allowed, std::string& error);

  // The text with each placeholder replaced by `values[name]` passed through
  // `escape` (identity when null); a name without a value becomes "".
  std::string render(const std::map<std::string, std::string, std::less<>>& values,
                     std::string (*escape)(std::string_view) = nullptr) const;
  bool uses(std::string_view name) const;
  const std::string& text() const { return text_; }

 private:
  struct Part {
    bool placeholder = false;
    std::string text;  // literal text, or the placeholder's name
  };
  std::string text_;
  std::vector<Part> parts_;
};

// Escapes for a body template: inside a JSON string, and
// application/x-www-form-urlencoded.
std::string json_escape(std::string_view value);
std::string form_escape(std::string_view value);

}  // namespace hallq::notify
