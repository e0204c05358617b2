#include "engine/core/upload_rejection.h"

#include <fmt/format.h>

#include <charconv>

#include "engine/core/utf8.h"

namespace hallq::core {
namespace {

// A positive decimal number without a leading zero that fits 64 bits.
std::optional<std::uint64_t> positive(std::string_view digits) {
  if (digits.empty() || digits.front() == '0') return std::nullopt;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<UploadRecordRef> parse_upload_record_id(std::string_view hall, std::string_view record_id) {
  if (hall.empty() || record_id.size() > kMaxUploadRecordIdBytes || record_id.size() < hall.size() + 3 ||
      record_id.substr(0, hall.size()) != hall || record_id[hall.size()] != '-')
    return std::nullopt;
  const char kind = record_id[hall.size() + 1];
  if (record_id[hall.size() + 2] != '-') return std::nullopt;
  std::string_view rest = record_id.substr(hall.size() + 3);
  if (kind == 'E') {
    const std::optional<std::uint64_t> ticket = positive(rest);
    if (!ticket) return std::nullopt;
    return UploadRecordRef{*ticket, 0};
  }
  if (kind != 'W') return std::nullopt;
  const std::size_t dash = rest.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::optional<std::uint64_t> ticket = positive(rest.substr(0, dash));
  const std::optional<std::uint64_t> seq = positive(rest.substr(dash + 1));
  if (!ticket || !seq) return std::nullopt;
  return UploadRecordRef{*ticket, *seq};
}

std::string upload_resend_problem(std::string_view hall, std::string_view record_id) {
  if (record_id.empty()) return "记录编号不能为空";
  if (record_id.size() > kMaxUploadRecordIdBytes)
    return fmt::format("记录编号过长（{} 字节，最多 {}）", record_id.size(), kMaxUploadRecordIdBytes);
  if (!parse_upload_record_id(hall, record_id)) {
    const std::string shown = printable_utf8(record_id) ? std::string(record_id) : std::string("（非文字）");
    return fmt::format("记录编号“{}”无效：须为本大厅的 {}-E-票号 或 {}-W-票号-序号", shown, hall, hall);
  }
  return {};
}

std::string upload_rejection_problem(std::string_view hall, std::string_view record_id, int status,
                                     std::string_view reason) {
  if (std::string p = upload_resend_problem(hall, record_id); !p.empty()) return p;
  if (status < 400 || status > 499) return fmt::format("拒收状态码须在 400 至 499 之间，收到 {}", status);
  if (reason.empty()) return "拒收原因不能为空";
  if (!printable_utf8(reason)) return "拒收原因须为不含控制字符（含换行）的 UTF-8 文字";
  if (const std::size_t chars = utf8_length(reason); chars > kMaxUploadReasonChars)
    return fmt::format("拒收原因过长（{} 字，最多 {} 字）", chars, kMaxUploadReasonChars);
  return {};
}

std::string upload_acceptance_problem(std::string_view hall, std::string_view record_id,
                                      std::int64_t resend) {
  if (std::string p = upload_resend_problem(hall, record_id); !p.empty()) return p;
  if (resend < 1 || resend > kMaxUploadResend)
    return fmt::format("resend（第几次重新上报）须为 1 到 {} 的整数，收到 {}", kMaxUploadResend, resend);
  return {};
}

}  // namespace hallq::core
