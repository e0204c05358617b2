// How a hall runs 好差评 beyond the five levels (the [evaluation] table of
// the hall file): the 差评 reasons a citizen chooses from (a versioned list,
// by default the common national categories; a province replaces it with
// its own), how long a citizen may still rate from the ticket's phone page
// (补充评价), and the deadline of a 差评's follow-up (回访 and 整改) in working
// days. Plain values; checked by HallConfig::validate_and_index.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hallq::core {

// One 差评 reason: a code as the platform knows it and the text citizens read.
struct EvaluationReason {
  std::string code;  // 1..16 of [0-9A-Za-z_-], unique in the list
  std::string text;  // Chinese, 1..40 characters
  bool operator==(const EvaluationReason&) const = default;
};

inline constexpr std::size_t kMaxEvaluationReasons = 32;
inline constexpr std::size_t kMaxReasonCodeBytes = 16;
inline constexpr std::size_t kMaxEvaluationComment = 200;  // characters (code points)

struct EvaluationConfig {
  std::string reasons_version = "hallq-2019-51";  // 1..32 of [0-9A-Za-z._-]
  std::vector<EvaluationReason> reasons;          // 1..kMaxEvaluationReasons
  int supplement_days = 7;         // 0..30: 补充评价 up to this many days after the ticket's day
  int follow_up_working_days = 5;  // 1..60: a 差评 work order's deadline
  int due_soon_working_days = 1;   // 0..30: "due soon" this many working days ahead
  bool operator==(const EvaluationConfig&) const = default;
};

// The list a hall gets when its file names none (version "hallq-2019-51"):
// the categories the 好差评 rules of 国办发〔2019〕51号 name for 差评
// (attitude, efficiency, guidance, process, repeated trips, overdue, fees,
// other), not any one province's official list.
std::vector<EvaluationReason> default_evaluation_reasons();

// What is wrong with `c` as "key: message" pieces, or nullopt.
struct EvaluationProblem {
  std::string key;
  std::string message;
};
std::optional<EvaluationProblem> check_evaluation_config(const EvaluationConfig& c);

// The reason with `code`, or null.
const EvaluationReason* find_reason(const EvaluationConfig& c, std::string_view code);

}  // namespace hallq::core
