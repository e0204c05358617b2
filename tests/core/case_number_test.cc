// The 办件编号 a clerk gives at finish (issue 21): a refusal names what is
// wrong — the first character that may not be there and its position, or
// the length against the limit — and changes nothing (the fixture's
// `refused` compares the whole state). The messages are written out here as
// the clerk reads them.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

class CaseNumberTest : public HallFixture {
 public:
  // A001 called and being served at w1.
  void SetUp() override {
    HallFixture::SetUp();
    ok(OpenWindow{"w1", ""}, at(0));
    ok(IssueTicket{"social"}, at(1));
    ASSERT_EQ(call_next("w1", at(2)), "A001");
    ok(StartService{"w1"}, at(2));
  }
  // Finishing A001 with `case_number` is refused with bad_argument, changing
  // nothing; the refusal's text.
  std::string refusal(const std::string& case_number) {
    EXPECT_TRUE(refused(Finish{"w1", case_number}, ErrorCode::kBadArgument, at(3))) << case_number;
    return apply(Finish{"w1", case_number}, at(3)).message();
  }
  void finishes(const std::string& case_number) {
    ok(Finish{"w1", case_number}, at(3));
    EXPECT_EQ(ticket("A001").state, TicketState::kDone);
  }
};

TEST_F(CaseNumberTest, AChineseCharacterIsNamedWithItsPosition) {
  EXPECT_EQ(refusal("GA-2024-0304号"), "办件编号的第 13 个字符“号”不可用：只能是字母、数字或 . _ / -");
  EXPECT_EQ(ticket("A001").state, TicketState::kServing);
}

TEST_F(CaseNumberTest, APunctuationMarkIsNamed) {
  EXPECT_EQ(refusal("GA#17"), "办件编号的第 3 个字符“#”不可用：只能是字母、数字或 . _ / -");
}

TEST_F(CaseNumberTest, OnlyTheFirstBadCharacterIsNamed) {
  EXPECT_EQ(refusal("案件 1"), "办件编号的第 1 个字符“案”不可用：只能是字母、数字或 . _ / -");
}

TEST_F(CaseNumberTest, ASpaceIsCalledASpace) {
  EXPECT_EQ(refusal("GA-2024 0017"), "办件编号的第 8 个字符是空格，不可用：只能是字母、数字或 . _ / -");
}

TEST_F(CaseNumberTest, AControlCharacterIsNamedByItsCodePoint) {
  EXPECT_EQ(refusal("GA\t17"), "办件编号的第 3 个字符是控制字符 U+0009，不可用：只能是字母、数字或 . _ / -");
  // A C1 control (U+0085, NEL) is two bytes of UTF-8.
  EXPECT_EQ(refusal("GA-\xC2\x85"),
            "办件编号的第 4 个字符是控制字符 U+0085，不可用：只能是字母、数字或 . _ / -");
}

TEST_F(CaseNumberTest, AByteThatIsNotUtf8IsNamedByItsValue) {
  EXPECT_EQ(refusal("GA-1\xFF"),
            "办件编号的第 5 个字符不是 UTF-8 文字（字节 0xFF），不可用：只能是字母、数字或 . _ / -");
  // A sequence cut short: the lead byte of a three-byte character, then nothing.
  EXPECT_EQ(refusal("GA\xE5\x8F"),
            "办件编号的第 3 个字符不是 UTF-8 文字（字节 0xE5），不可用：只能是字母、数字或 . _ / -");
}

TEST_F(CaseNumberTest, OverTheLengthLimitTheLengthAndTheLimitAreNamed) {
  EXPECT_EQ(refusal(std::string(65, '7')), "办件编号过长：65 个字符，至多 64 个");
  EXPECT_EQ(refusal("GA-" + std::string(200, '7')), "办件编号过长：203 个字符，至多 64 个");
}

TEST_F(CaseNumberTest, ABadCharacterIsNamedBeforeTheLength) {
  EXPECT_EQ(refusal(std::string(70, '7') + "号"),
            "办件编号的第 71 个字符“号”不可用：只能是字母、数字或 . _ / -");
}

TEST_F(CaseNumberTest, SixtyFourAllowedCharactersAreAccepted) { finishes(std::string(60, '7') + "._/-"); }

TEST_F(CaseNumberTest, NoCaseNumberIsAccepted) { finishes(""); }

}  // namespace
}  // namespace hallq::test
