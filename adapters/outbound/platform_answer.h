// How an adapter reads the provincial platform's answer to one POST
// (hallq-upload's records, hallq-feed's events), one rule for both:
//   2xx                                   accepted: move on;
//   no answer (connection refused, reset,
//   timeout), 408, 429, 5xx               retry the same item after a backoff,
//                                         never skip it;
//   any other status (4xx, 1xx, 3xx)      refused for good: keep the reason,
//                                         move on.
//
// Pure; thread: any.
#pragma once

#include <string>

#include "adapters/outbound/http_exchange.h"

namespace hallq::outbound {

enum class AnswerKind { kAccepted, kRetry, kRefused };

AnswerKind classify(const HttpResult& r);

// "HTTP 503", or why there was no answer ("timeout", "Connection refused").
std::string why(const HttpResult& r);
// `why` and, if the answer had one, its body (cut to 200 bytes).
std::string what_happened(const HttpResult& r);
// The platform's reason for a refusal: its JSON "message" / "reason" /
// "error" / "msg" if it sent one, else the body (cut to 500 bytes), else
// "HTTP NNN".
std::string refusal_reason(const HttpResult& r);

}  // namespace hallq::outbound
