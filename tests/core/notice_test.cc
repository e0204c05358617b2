// A manager's notice to the screens: set, replaced, withdrawn, kept across
// the day; bad text is refused and changes nothing.
#include <gtest/gtest.h>

#include "engine/core/utf8.h"
#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using NoticeTest = HallFixture;

TEST_F(NoticeTest, SetReplacedWithdrawnAndKeptOverNight) {
  EXPECT_EQ(hall_->notice(), "");
  auto ev = ok(SetNotice{"今日下午 3 点后暂停办理不动产登记"}, at(0));
  EXPECT_TRUE(bodies_are(ev, {NoticeChanged{"今日下午 3 点后暂停办理不动产登记"}}));
  EXPECT_EQ(hall_->notice(), "今日下午 3 点后暂停办理不动产登记");
  ok(SetNotice{"首问负责 一次性告知"}, at(1));
  EXPECT_EQ(hall_->notice(), "首问负责 一次性告知");
  ok(Tick{}, at(24 * 60));  // the next day
  EXPECT_EQ(hall_->notice(), "首问负责 一次性告知");
  ok(SetNotice{""}, at(24 * 60 + 1));
  EXPECT_EQ(hall_->notice(), "");
}

TEST_F(NoticeTest, BadTextIsRefusedAndChangesNothing) {
  ok(SetNotice{"请保管好随身物品"}, at(0));
  EXPECT_TRUE(refused(SetNotice{std::string(kMaxNoticeBytes + 1, 'x')}, ErrorCode::kBadArgument, at(1)))
      << "long";
  EXPECT_TRUE(refused(SetNotice{"line\nbreak"}, ErrorCode::kBadArgument, at(1))) << "control";
  EXPECT_TRUE(refused(SetNotice{"\xE5\x8A"}, ErrorCode::kBadArgument, at(1))) << "cut UTF-8";
  EXPECT_TRUE(refused(SetNotice{"请保管好随身物品"}, ErrorCode::kBadArgument, at(1))) << "unchanged";
  ok(SetNotice{std::string(kMaxNoticeBytes, 'x')}, at(2));
}

TEST(Utf8Test, PrintableUtf8) {
  EXPECT_TRUE(core::printable_utf8(""));
  EXPECT_TRUE(core::printable_utf8("A012 号 请到 5 号窗口 😀"));
  EXPECT_FALSE(core::printable_utf8("tab\there"));
  EXPECT_FALSE(core::printable_utf8("del\x7f"));
  EXPECT_FALSE(core::printable_utf8("\xC2\x85"));          // C1 control (NEL)
  EXPECT_FALSE(core::printable_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(core::printable_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(core::printable_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(core::printable_utf8("\xE4\xBD"));          // cut short
  EXPECT_FALSE(core::printable_utf8("\xFF"));
}

}  // namespace
}  // namespace hallq::test
