// GB 11643 resident ID numbers: the check character, the checks in order
// (length, characters, birth date, check character), normalising and masking.
// The check characters expected here come from a table of the standard
// written out independently of engine/core/resident_id.cc (weights 2^(17-i)
// mod 11 rather than the literal weights, the check as (12 - sum mod 11) mod 11).
#include "engine/core/resident_id.h"

#include <gtest/gtest.h>

#include <string>

namespace hallq::core {
namespace {

// Independent: weight of position i (0-based) is 2^(17-i) mod 11; the check
// value is (12 - sum % 11) % 11, written 'X' for 10.
char expected_check(std::string_view id17) {
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    int w = 1;
    for (int k = 0; k < 17 - i; ++k) w = (w * 2) % 11;
    sum += (id17[i] - '0') * w;
  }
  const int v = (12 - sum % 11) % 11;
  return v == 10 ? 'X' : static_cast<char>('0' + v);
}

std::string make_id(std::string_view birth_yyyymmdd, std::string_view order = "123") {
  std::string id = "110105" + std::string(birth_yyyymmdd) + std::string(order);
  id.push_back(expected_check(id));
  return id;
}

TEST(ResidentId, CheckCharacterFollowsGb11643) {
  // The standard's own example: 11010519491231002X.
  EXPECT_EQ(resident_id_check_char("11010519491231002"), 'X');
  EXPECT_EQ(resident_id_check_char("44052418800101001"), '4');
  EXPECT_EQ(resident_id_check_char("1101051949123100"), '?');
  EXPECT_EQ(resident_id_check_char("1101051949123100A"), '?');
  const CivilDate today{2025, 3, 1};
  EXPECT_TRUE(check_resident_id("11010519491231002X", today).ok());
  EXPECT_TRUE(check_resident_id("11010519491231002x", today).ok());
  EXPECT_EQ(check_resident_id("110105194912310021", today).problem, IdProblem::kCheckDigit);
  EXPECT_EQ(check_resident_id("11010519491231002", today).problem, IdProblem::kLength);
  EXPECT_EQ(check_resident_id("11010519491231002X1", today).problem, IdProblem::kLength);
  EXPECT_EQ(check_resident_id("", today).problem, IdProblem::kLength);
  EXPECT_EQ(check_resident_id("1101051949123100AX", today).problem, IdProblem::kCharacters);
  EXPECT_EQ(check_resident_id("11010519491231002Y", today).problem, IdProblem::kCharacters);
  EXPECT_EQ(check_resident_id("11010519491231002 ", today).problem, IdProblem::kCharacters);
  // 30 February does not exist; the check character is right, the date is not.
  EXPECT_EQ(check_resident_id(make_id("19490230"), today).problem, IdProblem::kBirthDate);
  EXPECT_EQ(check_resident_id(make_id("20300101"), today).problem, IdProblem::kBirthDate);
  EXPECT_EQ(check_resident_id(make_id("18991231"), today).problem, IdProblem::kBirthDate);
  const IdCheck c = check_resident_id("11010519491231002X", today);
  EXPECT_EQ(c.birth, (CivilDate{1949, 12, 31}));
}

TEST(ResidentId, AgreesWithAnIndependentTable) {
  // Every order code of a day: all eleven check characters occur, X included.
  int x_seen = 0;
  for (int order = 0; order < 1000; ++order) {
    const std::string ord = std::to_string(1000 + order).substr(1);
    const std::string id = make_id("19800615", ord);
    EXPECT_EQ(resident_id_check_char(id), id[17]) << id;
    EXPECT_TRUE(check_resident_id(id, {2025, 1, 1}).ok()) << id;
    x_seen += id[17] == 'X';
  }
  EXPECT_GT(x_seen, 0);
}

TEST(ResidentId, EveryWrongCheckCharacterIsRefused) {
  const std::string good = make_id("19600715");
  for (char c : std::string("0123456789X")) {
    std::string id = good;
    id[17] = c;
    EXPECT_EQ(check_resident_id(id, {2025, 1, 1}).ok(), c == good[17]) << id;
    if (c != good[17]) {
      EXPECT_EQ(check_resident_id(id, {2025, 1, 1}).problem, IdProblem::kCheckDigit);
    }
  }
}

TEST(ResidentId, NormalisedWithACapitalX) {
  EXPECT_EQ(normalize_resident_id("11010519491231002x"), "11010519491231002X");
  EXPECT_EQ(normalize_resident_id("11010519491231002X"), "11010519491231002X");
  EXPECT_EQ(normalize_resident_id("440524188001010014"), "440524188001010014");
}

TEST(ResidentId, MaskKeepsOnlyTheEnds) {
  EXPECT_EQ(mask_resident_id("11010519491231002X"), "1101**********002X");
  EXPECT_EQ(mask_resident_id("1234"), "****");
}

TEST(ResidentId, ProblemsAreToldInChinese) {
  EXPECT_EQ(describe(IdProblem::kCheckDigit), "身份证号码校验位不正确，请核对后重新输入");
  EXPECT_EQ(describe(IdProblem::kLength), "身份证号码应为18位");
}

}  // namespace
}  // namespace hallq::core
