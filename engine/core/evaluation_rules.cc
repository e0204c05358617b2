// 好差评 details and 补充评价: see evaluation_rules.h.
#include "engine/core/evaluation_rules.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/calendar.h"
#include "engine/core/rating.h"
#include "engine/core/ticket.h"
#include "engine/core/utf8.h"

namespace hallq::core {
namespace {

Status refuse(ErrorCode code, std::string message) { return {code, std::move(message)}; }

std::string date_text(std::int64_t day) {
  const CivilDate d = civil_date(day);
  return fmt::format("{}月{}日", d.month, d.day);
}

}  // namespace

std::string case_number_problem(std::string_view n) {
  auto allowed = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '/' || c == '-';
  };
  for (std::size_t i = 0; i < n.size(); ++i) {
    const auto b = static_cast<unsigned char>(n[i]);
    if (allowed(b)) continue;
    // Every byte before is an allowed (ASCII) character: the position in characters is i + 1.
    const std::size_t len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    const std::string_view ch = n.substr(i, len);
    // What the character is, phrased to go before "不可用".
    std::string what;
    if (b == ' ') {
      what = "是空格，";
    } else if (b < 0x20 || b == 0x7F) {
      what = fmt::format("是控制字符 U+{:04X}，", b);
    } else if (b == 0xC2 && ch.size() == 2 && static_cast<unsigned char>(ch[1]) >= 0x80 &&
               static_cast<unsigned char>(ch[1]) <= 0x9F) {
      what = fmt::format("是控制字符 U+{:04X}，", static_cast<unsigned char>(ch[1]));
    } else if (ch.size() == len && printable_utf8(ch)) {
      what = fmt::format("“{}”", ch);
    } else {
      what = fmt::format("不是 UTF-8 文字（字节 0x{:02X}），", b);
    }
    return fmt::format("办件编号的第 {} 个字符{}不可用：只能是字母、数字或 . _ / -", i + 1, what);
  }
  if (n.size() > kMaxCaseNumberBytes)
    return fmt::format("办件编号过长：{} 个字符，至多 {} 个", n.size(), kMaxCaseNumberBytes);
  return {};
}

Status check_evaluation_details(const HallConfig& cfg, const Evaluate& c) {
  if (static_cast<unsigned>(c.channel) > static_cast<unsigned>(EvaluationChannel::kTerminal))
    return refuse(ErrorCode::kBadArgument, "未知的评价渠道");
  const bool poor = c.level == 1 || c.level == 2;
  if (!poor && (!c.reasons.empty() || !c.comment.empty()))
    return refuse(ErrorCode::kBadArgument, "只有“不满意”和“非常不满意”可选差评原因或填写意见");
  if (c.reasons.size() > cfg.evaluation.reasons.size())
    return refuse(ErrorCode::kBadArgument, "差评原因重复");
  for (std::size_t i = 0; i < c.reasons.size(); ++i) {
    if (find_reason(cfg.evaluation, c.reasons[i]) == nullptr) {
      const std::string_view shown =
          printable_utf8(c.reasons[i]) && c.reasons[i].size() <= 16 ? c.reasons[i] : std::string_view("…");
      return refuse(ErrorCode::kBadArgument, fmt::format("差评原因“{}”不在本厅的原因列表（{}）中", shown,
                                                         cfg.evaluation.reasons_version));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (c.reasons[j] == c.reasons[i])
        return refuse(ErrorCode::kBadArgument, fmt::format("差评原因“{}”重复", c.reasons[i]));
    }
  }
  if (!printable_utf8(c.comment)) return refuse(ErrorCode::kBadArgument, "意见须为 UTF-8 文字，不含控制字符");
  if (utf8_length(c.comment) > kMaxEvaluationComment)
    return refuse(ErrorCode::kBadArgument, fmt::format("意见至多 {} 个字", kMaxEvaluationComment));
  return {};
}

TicketEvaluated evaluated(TicketId id, const Evaluate& c, bool supplementary) {
  TicketEvaluated e{id, static_cast<std::uint8_t>(c.level)};
  e.reasons.assign(c.reasons.begin(), c.reasons.end());
  e.comment = std::string(c.comment);
  e.channel = c.channel;
  e.supplementary = supplementary;
  return e;
}

bool plausible_rating_words(const std::vector<std::string>& reasons, std::string_view comment) {
  if (reasons.size() > kMaxEvaluationReasons) return false;
  for (const std::string& r : reasons)
    if (r.empty() || r.size() > kMaxReasonCodeBytes || !printable_utf8(r)) return false;
  return printable_utf8(comment) && utf8_length(comment) <= kMaxEvaluationComment;
}

WorkOrderOpened work_order_opened(TicketId id, const Evaluate& c, std::int64_t due_day) {
  WorkOrderOpened o{id, due_day};
  o.reasons.assign(c.reasons.begin(), c.reasons.end());
  o.comment = std::string(c.comment);
  return o;
}

Status find_rateable(const HallConfig& cfg, const std::vector<RateableTicket>& rateable, const Evaluate& c,
                     std::int64_t today, const RateableTicket*& out) {
  const int days = cfg.evaluation.supplement_days;
  if (c.day > today) return refuse(ErrorCode::kBadArgument, "评价的日期不能晚于今天");
  if (today - c.day > days) {
    return refuse(ErrorCode::kWrongTicketState,
                  days == 0
                      ? std::string("本厅不接受补充评价")
                      : fmt::format("{} 的号已过补充评价期限（办理后 {} 天内）", date_text(c.day), days));
  }
  if (!c.window.empty()) return refuse(ErrorCode::kBadArgument, "补充评价不指定窗口");
  if (c.level == 0) return refuse(ErrorCode::kBadArgument, "补充评价须选择 1 至 5 的评价等级");
  std::string_view prefix;
  std::uint32_t number = 0;
  const std::optional<ServiceIdx> service =
      split_number(c.number, prefix, number) ? cfg.find_prefix(prefix) : std::nullopt;
  const auto found = std::find_if(rateable.begin(), rateable.end(), [&](const RateableTicket& r) {
    return service && r.day == c.day && r.issued_service == *service && r.number == number;
  });
  if (found == rateable.end()) {
    return refuse(ErrorCode::kUnknownTicket,
                  fmt::format("{}没有可补充评价的 {} 号（未办结，或已在窗口评价）", date_text(c.day),
                              printable_utf8(c.number) && c.number.size() <= 16 ? c.number : "…"));
  }
  if (found->rating != 0) {
    return refuse(ErrorCode::kAlreadyRated,
                  fmt::format("{} 已评价过（{}）", c.number, rating_name(found->rating)));
  }
  out = &*found;
  return {};
}

}  // namespace hallq::core
