// How ticket and window numbers are read aloud.
#include "adapters/speaker/number_reading.h"

#include <gtest/gtest.h>

namespace hallq::speaker {
namespace {

std::string joined(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) out += (out.empty() ? "" : " ") + t;
  return out;
}

TEST(NumberReading, IntegersAsHallsSayThem) {
  ReadingOptions o;
  EXPECT_EQ(joined(read_integer(0, o)), "零");
  EXPECT_EQ(joined(read_integer(2, o)), "二");
  EXPECT_EQ(joined(read_integer(10, o)), "十");
  EXPECT_EQ(joined(read_integer(12, o)), "十 二");
  EXPECT_EQ(joined(read_integer(20, o)), "二 十");
  EXPECT_EQ(joined(read_integer(100, o)), "一 百");
  EXPECT_EQ(joined(read_integer(105, o)), "一 百 零 五");
  EXPECT_EQ(joined(read_integer(110, o)), "一 百 一 十");
  EXPECT_EQ(joined(read_integer(111, o)), "一 百 一 十 一");
  EXPECT_EQ(joined(read_integer(200, o)), "二 百");
  EXPECT_EQ(joined(read_integer(1005, o)), "一 千 零 五");
  EXPECT_EQ(joined(read_integer(1010, o)), "一 千 零 一 十");
  EXPECT_EQ(joined(read_integer(1200, o)), "一 千 二 百");
  EXPECT_EQ(joined(read_integer(9999, o)), "九 千 九 百 九 十 九");
  EXPECT_EQ(joined(read_integer(12345, o)), "一 二 三 四 五");  // beyond 千: digit by digit
}

TEST(NumberReading, LiangOnlyBeforeHundredsAndThousands) {
  ReadingOptions o;
  o.two = "两";
  EXPECT_EQ(joined(read_integer(2, o)), "二");
  EXPECT_EQ(joined(read_integer(22, o)), "二 十 二");
  EXPECT_EQ(joined(read_integer(200, o)), "两 百");
  EXPECT_EQ(joined(read_integer(2222, o)), "两 千 二 百 二 十 二");
}

TEST(NumberReading, TicketDigitByDigitOrAsNumber) {
  ReadingOptions o;
  EXPECT_EQ(joined(read_ticket("A012", o)), "A 零 一 二");
  EXPECT_EQ(joined(read_ticket("AB100", o)), "A B 一 零 零");
  o.ticket = NumberReading::kNumber;
  EXPECT_EQ(joined(read_ticket("A012", o)), "A 十 二");
  EXPECT_EQ(joined(read_ticket("B105", o)), "B 一 百 零 五");
  EXPECT_EQ(joined(read_ticket("C000", o)), "C 零");
  o.zero = "洞";
  o.ticket = NumberReading::kDigits;
  EXPECT_EQ(joined(read_ticket("A010", o)), "A 洞 一 洞");
}

TEST(NumberReading, LetterMapAndOddText) {
  ReadingOptions o;
  o.letters["A"] = "诶";
  EXPECT_EQ(joined(read_ticket("A007", o)), "诶 零 零 七");
  EXPECT_EQ(joined(read_ticket("A1B", o)), "诶 一 B");  // not letters+digits: char by char
}

TEST(NumberReading, Windows) {
  ReadingOptions o;
  EXPECT_EQ(joined(read_window(5, o)), "五");
  EXPECT_EQ(joined(read_window(12, o)), "十 二");
  o.window = NumberReading::kDigits;
  EXPECT_EQ(joined(read_window(12, o)), "一 二");
}

}  // namespace
}  // namespace hallq::speaker
