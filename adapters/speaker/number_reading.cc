#include "adapters/speaker/number_reading.h"

#include <string>

namespace hallq::speaker {
namespace {

constexpr const char* kDigits[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

std::string digit(int d, const ReadingOptions& o) { return d == 0 ? o.zero : kDigits[d]; }

std::string letter(char c, const ReadingOptions& o) {
  const std::string key(1, c);
  auto it = o.letters.find(key);
  return it == o.letters.end() ? key : it->second;
}

}  // namespace

std::vector<std::string> read_integer(std::uint32_t n, const ReadingOptions& o) {
  if (n == 0) return {o.zero};
  if (n > 9999) return read_digits(std::to_string(n), o);
  static constexpr const char* kUnits[] = {"千", "百", "十", ""};
  const int digits[4] = {static_cast<int>(n / 1000), static_cast<int>(n / 100 % 10),
                         static_cast<int>(n / 10 % 10), static_cast<int>(n % 10)};
  std::vector<std::string> out;
  bool started = false;
  bool pending_zero = false;  // a zero between non-zero digits is read once (1005 -> 一千零五)
  for (int i = 0; i < 4; ++i) {
    const int d = digits[i];
    if (d == 0) {
      if (started) pending_zero = true;
      continue;
    }
    if (pending_zero) out.push_back(o.zero), pending_zero = false;
    const bool leading_ten = !started && i == 2 && d == 1;  // 10..19: 十, 十二 (not 一十)
    if (!leading_ten) out.push_back(d == 2 && i < 2 && !started ? o.two : digit(d, o));
    if (*kUnits[i]) out.emplace_back(kUnits[i]);
    started = true;
  }
  return out;
}

std::vector<std::string> read_digits(std::string_view digits, const ReadingOptions& o) {
  std::vector<std::string> out;
  for (char c : digits)
    if (c >= '0' && c <= '9') out.push_back(digit(c - '0', o));
  return out;
}

std::vector<std::string> read_ticket(std::string_view number, const ReadingOptions& o) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < number.size() &&
         ((number[i] >= 'A' && number[i] <= 'Z') || (number[i] >= 'a' && number[i] <= 'z')))
    out.push_back(letter(number[i++], o));
  const std::string_view rest = number.substr(i);
  bool all_digits = !rest.empty();
  for (char c : rest) all_digits = all_digits && c >= '0' && c <= '9';
  if (!all_digits) {
    for (char c : rest) out.push_back(c >= '0' && c <= '9' ? digit(c - '0', o) : letter(c, o));
    return out;
  }
  if (o.ticket == NumberReading::kDigits) {
    for (auto& t : read_digits(rest, o)) out.push_back(std::move(t));
  } else {
    std::uint32_t n = 0;
    for (char c : rest.substr(0, 9)) n = n * 10 + static_cast<std::uint32_t>(c - '0');
    for (auto& t : read_integer(n, o)) out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> read_window(int number, const ReadingOptions& o) {
  if (number < 0) number = 0;
  if (o.window == NumberReading::kDigits) return read_digits(std::to_string(number), o);
  return read_integer(static_cast<std::uint32_t>(number), o);
}

}  // namespace hallq::speaker
