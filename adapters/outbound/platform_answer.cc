#include "adapters/outbound/platform_answer.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace hallq::outbound {

AnswerKind classify(const HttpResult& r) {
  if (r.status >= 200 && r.status < 300) return AnswerKind::kAccepted;
  if (r.status == 0 || r.status == 408 || r.status == 429 || r.status >= 500) return AnswerKind::kRetry;
  return AnswerKind::kRefused;
}

std::string why(const HttpResult& r) { return r.status == 0 ? r.error : fmt::format("HTTP {}", r.status); }

std::string what_happened(const HttpResult& r) {
  return r.body.empty() ? why(r) : fmt::format("{} {}", why(r), r.body.substr(0, 200));
}

std::string refusal_reason(const HttpResult& r) {
  const nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object())
    for (const char* key : {"message", "reason", "error", "msg"})
      if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  std::string text = r.body.substr(0, 500);
  return text.empty() ? fmt::format("HTTP {}", r.status) : text;
}

}  // namespace hallq::outbound
