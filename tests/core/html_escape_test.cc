// html_escape: the character references HTML 5 defines for the five
// characters with a meaning in content and quoted attributes.
#include "engine/core/html_escape.h"

#include <gtest/gtest.h>

namespace hallq::core {
namespace {

TEST(HtmlEscapeTest, MarkupAndQuotesBecomeCharacterReferences) {
  EXPECT_EQ(html_escape(R"(<script>alert('x')</script>)"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(html_escape(R"(a="b" & c)"), "a=&quot;b&quot; &amp; c");
  // An already escaped reference is escaped again, not trusted.
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");
}

TEST(HtmlEscapeTest, ChineseAndPlainTextPassUnchanged) {
  EXPECT_EQ(html_escape("社保 A001 请到 5 号窗口"), "社保 A001 请到 5 号窗口");
  EXPECT_EQ(html_escape(""), "");
}

}  // namespace
}  // namespace hallq::core
