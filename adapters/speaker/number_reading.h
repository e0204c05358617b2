// How a hall reads numbers aloud: ticket numbers ("A012") and window numbers,
// as the tokens a voice speaks (one Chinese digit, unit or letter each).
//
//   digit by digit:  "A012" -> A 零 一 二        (what most halls use)
//   as a number:     "A012" -> A 十 二,  105 -> 一 百 零 五,  110 -> 一 百 一 十,
//                    10 -> 十 (not 一十), 2 -> 二; `two` = "两" reads a leading
//                    2 before 百/千 as 两 (两百), never 两十.
// Letters stay single tokens ("A"); a voice or the letter map decides how they
// sound. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hallq::speaker {

enum class NumberReading : std::uint8_t { kDigits, kNumber };

struct ReadingOptions {
  NumberReading ticket = NumberReading::kDigits;
  NumberReading window = NumberReading::kNumber;
  std::string zero = "零";
  std::string two = "二";                      // "二" or "两" (before 百 and 千 only)
  std::map<std::string, std::string> letters;  // "A" -> what to say instead; absent: the letter
};

// 0..9999 as a Chinese number, one token per character.
std::vector<std::string> read_integer(std::uint32_t n, const ReadingOptions& options);
// Each decimal digit of `digits` as one token ("012" -> 零 一 二); other
// characters are skipped.
std::vector<std::string> read_digits(std::string_view digits, const ReadingOptions& options);
// A printed ticket number: its letters (through the letter map), then its
// digits as configured. Text that is not letters followed by digits is read
// character by character.
std::vector<std::string> read_ticket(std::string_view number, const ReadingOptions& options);
// A window number as configured.
std::vector<std::string> read_window(int number, const ReadingOptions& options);

}  // namespace hallq::speaker
