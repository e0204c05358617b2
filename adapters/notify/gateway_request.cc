#include "adapters/notify/gateway_request.h"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <cmath>

namespace hallq::notify {

namespace http = boost::beast::http;

http::request<http::string_body> gateway_request(const NotifyConfig& c, std::string_view hall_name,
                                                 const Reminder& r) {
  std::map<std::string, std::string, std::less<>> values{
      {"phone", r.phone},
      {"text", r.text},
      {"number", r.number},
      {"window", r.window > 0 ? std::to_string(r.window) : std::string()},
      {"ahead", std::to_string(r.ahead)},
      {"kind", std::string(to_string(r.kind))},
      {"hall_name", std::string(hall_name)},
      {"hall", c.hall},
      {"key", r.key}};
  std::string (*escape)(std::string_view) = nullptr;
  if (c.escape == BodyEscape::kJson) escape = json_escape;
  if (c.escape == BodyEscape::kForm) escape = form_escape;
  http::request<http::string_body> req{c.method == "PUT" ? http::verb::put : http::verb::post,
                                       c.gateway.target, 11};
  req.set(http::field::host,
          c.gateway.port == 80 ? c.gateway.host : c.gateway.host + ":" + std::to_string(c.gateway.port));
  req.set(http::field::user_agent, "hallq-notify");
  req.set(http::field::content_type, c.content_type);
  req.set("Idempotency-Key", r.key);
  for (const auto& [name, value] : c.headers) req.set(name, value);
  req.body() = c.body.render(values, escape);
  req.keep_alive(false);
  req.prepare_payload();
  return req;
}

Verdict classify(int status) {
  if (status >= 200 && status < 300) return Verdict::kDelivered;
  if (status == 408 || status == 429) return Verdict::kRetry;
  if (status >= 300 && status < 500) return Verdict::kRefused;
  return Verdict::kRetry;
}

std::chrono::milliseconds backoff_delay(int failures, const NotifyConfig& c, std::mt19937_64& rng) {
  const double base =
      std::min(static_cast<double>(c.max_ms), c.initial_ms * std::pow(2.0, std::max(0, failures - 1)));
  std::uniform_real_distribution<double> spread(1.0 - c.jitter, 1.0 + c.jitter);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, base * spread(rng))));
}

}  // namespace hallq::notify
