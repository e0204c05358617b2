// Template expansion of the announcement sentence.
#include "adapters/speaker/announcement_text.h"

#include <gtest/gtest.h>

namespace hallq::speaker {
namespace {

TEST(AnnouncementTemplate, ExpandsNumberAndWindow) {
  AnnouncementTemplate t("请{number}号到{window}号窗口办理");
  const Sentence s = t.expand("A012", 5, ReadingOptions{});
  EXPECT_EQ(joined_text(s), "请A零一二号到五号窗口办理");
  ASSERT_EQ(s.size(), 8u);
  EXPECT_EQ(s[0], (Token{"请", true}));
  EXPECT_EQ(s[1], (Token{"A", false}));
  EXPECT_EQ(s[5], (Token{"号到", true}));
  EXPECT_EQ(s[6], (Token{"五", false}));
  EXPECT_EQ(s[7], (Token{"号窗口办理", true}));
}

TEST(AnnouncementTemplate, AsNumberAndBraces) {
  ReadingOptions o;
  o.ticket = NumberReading::kNumber;
  AnnouncementTemplate t("{{重要}}{number}号，请到{window}号窗口");
  EXPECT_EQ(joined_text(t.expand("B110", 12, o)), "{重要}B一百一十号，请到十二号窗口");
}

TEST(AnnouncementTemplate, RefusesBrokenTemplates) {
  EXPECT_THROW(AnnouncementTemplate("请{numbr}号"), TemplateError);
  EXPECT_THROW(AnnouncementTemplate("请{number号"), TemplateError);
  EXPECT_THROW(AnnouncementTemplate("请}号{number}"), TemplateError);
  EXPECT_THROW(AnnouncementTemplate("请到{window}号窗口"), TemplateError);  // no number
}

}  // namespace
}  // namespace hallq::speaker
