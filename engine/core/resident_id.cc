#include "engine/core/resident_id.h"

#include <cctype>

namespace hallq::core {

char resident_id_check_char(std::string_view id17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  if (id17.size() < 17) return '?';
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    const char c = id17[i];
    if (c < '0' || c > '9') return '?';
    sum += (c - '0') * kWeights[i];
  }
  return kCheck[sum % 11];
}

IdCheck check_resident_id(std::string_view id, CivilDate today) {
  IdCheck r;
  if (id.size() != 18) return {IdProblem::kLength, {}};
  for (std::size_t i = 0; i < 17; ++i) {
    if (id[i] < '0' || id[i] > '9') return {IdProblem::kCharacters, {}};
  }
  const char last = static_cast<char>(std::toupper(static_cast<unsigned char>(id[17])));
  if (!(last >= '0' && last <= '9') && last != 'X') return {IdProblem::kCharacters, {}};
  auto digits = [&](std::size_t pos, std::size_t n) {
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + (id[pos + i] - '0');
    return v;
  };
  r.birth = CivilDate{digits(6, 4), digits(10, 2), digits(12, 2)};
  if (!valid_date(r.birth) || r.birth.year < 1900 || r.birth > today) return {IdProblem::kBirthDate, {}};
  if (resident_id_check_char(id) != last) return {IdProblem::kCheckDigit, {}};
  return r;
}

std::string_view describe(IdProblem p) {
  switch (p) {
    case IdProblem::kOk:
      return "身份证号码有效";
    case IdProblem::kLength:
      return "身份证号码应为18位";
    case IdProblem::kCharacters:
      return "身份证号码只能是数字，最后一位可以是X";
    case IdProblem::kBirthDate:
      return "身份证号码中的出生日期无效";
    case IdProblem::kCheckDigit:
      return "身份证号码校验位不正确，请核对后重新输入";
  }
  return "身份证号码无效";
}

std::string normalize_resident_id(std::string_view id) {
  std::string out(id);
  if (!out.empty() && out.back() == 'x') out.back() = 'X';
  return out;
}

std::string mask_resident_id(std::string_view id) {
  if (id.size() < 9) return std::string(id.size(), '*');
  std::string out(id.substr(0, 4));
  out.append(id.size() - 8, '*');
  out.append(id.substr(id.size() - 4));
  return out;
}

}  // namespace hallq::core
