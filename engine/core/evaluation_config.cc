// The default 差评 reasons and the checks of an [evaluation] table.
#include "engine/core/evaluation_config.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/utf8.h"

namespace hallq::core {
namespace {

bool code_ok(std::string_view s, std::size_t max, bool allow_dot) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || (allow_dot && c == '.');
  });
}

}  // namespace

std::vector<EvaluationReason> default_evaluation_reasons() {
  return {
      {"01", "服务态度不好"},
      {"02", "办事效率低、等候时间长"},
      {"03", "办事指南不清楚、不准确"},
      {"04", "办事流程繁琐、材料多"},
      {"05", "多次跑动仍未办成"},
      {"06", "超过承诺时限"},
      {"07", "收费不规范"},
      {"08", "其他"},
  };
}

std::optional<EvaluationProblem> check_evaluation_config(const EvaluationConfig& c) {
  if (!code_ok(c.reasons_version, 32, true))
    return EvaluationProblem{"reasons_version",
                             fmt::format("\"{}\" must be 1..32 of [0-9A-Za-z._-]", c.reasons_version)};
  if (c.reasons.empty() || c.reasons.size() > kMaxEvaluationReasons)
    return EvaluationProblem{"reasons", fmt::format("needs 1..{} reasons", kMaxEvaluationReasons)};
  for (std::size_t i = 0; i < c.reasons.size(); ++i) {
    const EvaluationReason& r = c.reasons[i];
    if (!code_ok(r.code, kMaxReasonCodeBytes, false))
      return EvaluationProblem{"reasons",
                               fmt::format("reason code \"{}\" must be 1..16 of [0-9A-Za-z_-]", r.code)};
    for (std::size_t j = 0; j < i; ++j) {
      if (c.reasons[j].code == r.code)
        return EvaluationProblem{"reasons", fmt::format("reason code \"{}\" appears twice", r.code)};
    }
    const std::size_t length = utf8_length(r.text);
    if (!printable_utf8(r.text) || length == 0 || length > 40)
      return EvaluationProblem{
          "reasons", fmt::format("reason \"{}\": its text must be 1..40 characters of UTF-8 text", r.code)};
  }
  if (c.supplement_days < 0 || c.supplement_days > 30)
    return EvaluationProblem{"supplement_days", fmt::format("must be 0..30 days, not {}", c.supplement_days)};
  if (c.follow_up_working_days < 1 || c.follow_up_working_days > 60)
    return EvaluationProblem{"follow_up_working_days",
                             fmt::format("must be 1..60 working days, not {}", c.follow_up_working_days)};
  if (c.due_soon_working_days < 0 || c.due_soon_working_days > 30)
    return EvaluationProblem{"due_soon_working_days",
                             fmt::format("must be 0..30 working days, not {}", c.due_soon_working_days)};
  return std::nullopt;
}

const EvaluationReason* find_reason(const EvaluationConfig& c, std::string_view code) {
  for (const EvaluationReason& r : c.reasons)
    if (r.code == code) return &r;
  return nullptr;
}

}  // namespace hallq::core
