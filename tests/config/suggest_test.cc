// The one "did you mean": edit distance and the closest candidate.
#include "engine/config/suggest.h"

#include <gtest/gtest.h>

namespace hallq::config {
namespace {

TEST(Suggest, EditDistanceCountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("servce", "service"), 1u);
  EXPECT_EQ(edit_distance("socail", "social"), 2u);  // a swap is two substitutions
}

TEST(Suggest, ClosestIsATypoNotADifferentWord) {
  constexpr std::string_view kKeys[] = {"hall", "rules", "service", "window", "staff"};
  EXPECT_EQ(closest("servce", kKeys), "service");
  EXPECT_EQ(closest("windwo", kKeys), "window");
  EXPECT_EQ(closest("colour", kKeys), "");  // three or more edits from everything
  EXPECT_EQ(closest("x", std::span<const std::string_view>{}), "");
  constexpr std::string_view kShort[] = {"id", "kind"};
  EXPECT_EQ(closest("ab", kShort), "");  // rewriting the whole word is no typo
  constexpr std::string_view kTied[] = {"pause", "cause"};
  EXPECT_EQ(closest("xause", kTied), "pause");  // equally close: the first
}

}  // namespace
}  // namespace hallq::config
