// The gateway's side of a reminder, pure: the HTTP request the notifier
// sends for it (the config's method, URL path, headers and body template,
// with Idempotency-Key = the reminder's key), what an answer means, and how
// long to wait before the next attempt.
//
// Pure (the jitter's random numbers come from the caller's seeded engine).
// Thread: any.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <random>
#include <string_view>

#include "adapters/notify/notify_config.h"
#include "adapters/notify/reminder_planner.h"

namespace hallq::notify {

boost::beast::http::request<boost::beast::http::string_body> gateway_request(const NotifyConfig& config,
                                                                             std::string_view hall_name,
                                                                             const Reminder& reminder);

enum class Verdict {
  kDelivered,  // 2xx
  kRefused,    // 3xx, or 4xx other than 408 and 429: permanent, not retried
  kRetry,      // no answer (connection refused, timeout), 408, 429, 5xx
};
// `status` 0: no answer.
Verdict classify(int status);

// The wait before attempt `failures` + 1, after `failures` (>= 1) failed
// ones: initial_ms * 2^(failures-1), at most max_ms, times 1 ± jitter.
std::chrono::milliseconds backoff_delay(int failures, const NotifyConfig& config, std::mt19937_64& rng);

}  // namespace hallq::notify
