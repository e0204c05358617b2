#include "adapters/upload/uploader.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "adapters/outbound/http_exchange.h"
#include "adapters/outbound/platform_answer.h"
#include "adapters/outbound/stoppable_wait.h"
#include "adapters/upload/rejection_reason.h"

namespace hallq::upload {
using outbound::HttpResult;
using outbound::what_happened;
using outbound::why;

namespace {

// " resend=N" in the log lines of a re-send.
std::string resent(int resend) { return resend > 0 ? fmt::format(" resend={}", resend) : std::string(); }

}  // namespace

std::string send_key(const std::string& id, int resend) {
  return resend > 0 ? fmt::format("{}~r{}", id, resend) : id;
}

Uploader::Uploader(UploadConfig config, UploadState& state, std::function<void(const std::string&)> log,
                   std::function<bool()> stopping)
    : config_(std::move(config)),
      state_(state),
      log_(std::move(log)),
      stopping_(std::move(stopping)),
      backoff_(config_.initial_ms, config_.max_ms, config_.jitter, config_.seed) {}

bool Uploader::wait(std::chrono::milliseconds ms) { return outbound::wait_unless_stopping(ms, stopping_); }

bool Uploader::login() {
  const nlohmann::json body = {{"user", config_.user}, {"password", config_.password}};
  const HttpResult r = outbound::http_exchange(config_.engine, "POST", "/api/login", body.dump(), {},
                                               std::chrono::milliseconds(config_.engine_timeout_ms));
  if (r.status == 200 && !r.set_cookie.empty()) {
    cookie_ = r.set_cookie;
    const nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    csrf_ = j.is_object() && j.contains("csrf") && j["csrf"].is_string() ? j["csrf"].get<std::string>() : "";
    return true;
  }
  log_(fmt::format("login failed: {}", what_happened(r)));
  // Locked out after failed logins (429): no attempt before hallqd says.
  const nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status == 429 && j.is_object() && j.contains("retry_after_s") &&
      j["retry_after_s"].is_number_integer())
    wait(std::chrono::seconds(j["retry_after_s"].get<int>()));
  return false;
}

bool Uploader::read_page(const std::string& hall, std::uint64_t after, std::string& body) {
  const std::string target =
      fmt::format("/api/halls/{}/evaluation-records?after={}&limit={}", hall, after, config_.page);
  for (;;) {
    if (stopping_()) return false;
    if (!config_.user.empty() && cookie_.empty() && !login()) {
      if (!wait(backoff_.next())) return false;
      continue;
    }
    std::vector<std::pair<std::string, std::string>> headers;
    if (!cookie_.empty()) headers.emplace_back("Cookie", cookie_);
    const HttpResult r = outbound::http_exchange(config_.engine, "GET", target, "", headers,
                                                 std::chrono::milliseconds(config_.timeout_ms));
    if (r.status == 200) {
      body = r.body;
      return true;
    }
    if (r.status == 401 && !config_.user.empty()) {
      cookie_.clear();  // the session ended (hallqd restarted, expired): log in again
      continue;
    }
    const std::chrono::milliseconds delay = backoff_.next();
    log_(fmt::format("engine {}: {}; again in {} ms", hall, what_happened(r), delay.count()));
    if (!wait(delay)) return false;
  }
}

bool Uploader::send(const std::string& hall, const std::string& id, int resend, std::uint64_t seq,
                    const std::string& json) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Idempotency-Key", send_key(id, resend)},
                                                              {"Content-Type", "application/json"}};
  if (!config_.token.empty()) headers.emplace_back("Authorization", "Bearer " + config_.token);
  for (int attempt = 1;; ++attempt) {
    if (stopping_()) return false;
    const HttpResult r = outbound::http_exchange(config_.platform, "POST", config_.platform.target, json,
                                                 headers, std::chrono::milliseconds(config_.timeout_ms));
    if (outbound::classify(r) == outbound::AnswerKind::kAccepted) {
      backoff_.reset();
      log_(fmt::format("uploaded {} {}{} seq={} status={} attempts={}", hall, id, resent(resend), seq,
                       r.status, attempt));
      // A re-send's acceptance is hallqd's to know before the cursor moves
      // (a crash before the report sends it again under the same key).
      if (resend > 0 && !report_acceptance(hall, id, resend)) return false;
      state_.set_cursor(hall, seq);
      return true;
    }
    if (outbound::classify(r) == outbound::AnswerKind::kRefused) {
      backoff_.reset();
      const std::string reason = outbound::refusal_reason(r);
      state_.reject(hall, id, seq, r.status, reason, json);
      log_(fmt::format("rejected {} {}{} seq={} status={} reason={}", hall, id, resent(resend), seq, r.status,
                       reason));
      if (!report_rejection(hall, id, resend, r.status, reason)) return false;
      state_.set_cursor(hall, seq);
      return true;
    }
    const std::chrono::milliseconds delay = backoff_.next();
    log_(fmt::format("retry {} {} seq={} ({}) attempt={} in {} ms", hall, id, seq, why(r), attempt,
                     delay.count()));
    if (!wait(delay)) return false;
  }
}

bool Uploader::report_rejection(const std::string& hall, const std::string& id, int resend, int status,
                                const std::string& reason) {
  nlohmann::json body = {
      {"record_id", id}, {"status", status}, {"reason", reason_for_engine(reason, status)}};
  if (resend > 0) body["resend"] = resend;  // a rejection of its own (hallqd keys it RECORD_ID~rN)
  return report(hall, {.target = fmt::format("/api/halls/{}/upload-rejections", hall),
                       .body = body.dump(),
                       .key = send_key(id, resend),
                       .done = fmt::format("{} {}", hall, id),
                       .retry = id,
                       .warning = fmt::format("rejection of {} {}", hall, id),
                       .otherwise = fmt::format("kept only in {}.rejected", hall),
                       .recorded_before = [](int status, const nlohmann::json&) { return status == 409; }});
}

bool Uploader::report_acceptance(const std::string& hall, const std::string& id, int resend) {
  const std::string what = fmt::format("acceptance of {}{}", id, resent(resend));
  return report(hall, {.target = fmt::format("/api/halls/{}/upload-rejections/{}/accepted", hall, id),
                       .body = nlohmann::json{{"resend", resend}}.dump(),
                       .key = send_key(id, resend),
                       .done = fmt::format("acceptance of {} {}{}", hall, id, resent(resend)),
                       .retry = what,
                       .warning = fmt::format("acceptance of {} {}{}", hall, id, resent(resend)),
                       .otherwise = "the rejections list will not show it accepted",
                       .recorded_before = [](int status, const nlohmann::json& j) {
                         return status == 409 && j.is_object() && j.value("error", "") == "already_accepted";
                       }});
}

bool Uploader::report(const std::string& hall, const Report& what) {
  for (;;) {
    if (stopping_()) return false;
    if (!config_.user.empty() && cookie_.empty() && !login()) {
      if (!wait(backoff_.next())) return false;
      continue;
    }
    std::vector<std::pair<std::string, std::string>> headers = {{"Idempotency-Key", what.key},
                                                                {"Content-Type", "application/json"}};
    if (!cookie_.empty()) headers.emplace_back("Cookie", cookie_);
    if (!csrf_.empty()) headers.emplace_back("X-CSRF-Token", csrf_);
    const HttpResult r = outbound::http_exchange(config_.engine, "POST", what.target, what.body, headers,
                                                 std::chrono::milliseconds(config_.engine_timeout_ms));
    const nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status == 200 || what.recorded_before(r.status, j)) {
      backoff_.reset();
      const bool duplicate = r.status != 200 || (j.is_object() && j.value("duplicate", false));
      log_(fmt::format("reported {} to hallqd{}", what.done, duplicate ? " (already recorded)" : ""));
      return true;
    }
    if (r.status == 401 && !config_.user.empty()) {
      cookie_.clear();  // the session ended: log in again
      continue;
    }
    if (r.status == 403 || (r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 429)) {
      backoff_.reset();
      log_(fmt::format(
          "warning: {} not recorded in hallqd ({}){}; {}", what.warning, what_happened(r),
          r.status == 403 ? ": the account needs the role uploader (hallq-passwd --role uploader)" : "",
          what.otherwise));
      return true;
    }
    const std::chrono::milliseconds delay = backoff_.next();
    log_(fmt::format("engine {}: reporting {}: {}; again in {} ms", hall, what.retry, what_happened(r),
                     delay.count()));
    if (!wait(delay)) return false;
  }
}

bool Uploader::pass(bool& found_any) {
  found_any = false;
  for (const std::string& hall : config_.halls) {
    for (;;) {
      const std::uint64_t after = state_.cursor(hall);
      std::string body;
      if (!read_page(hall, after, body)) return false;
      const nlohmann::json page = nlohmann::json::parse(body, nullptr, false);
      if (!page.is_object() || !page.contains("records") || !page["records"].is_array() ||
          !page.contains("scanned_to")) {
        log_(fmt::format("engine {}: an answer that is not a records page: {}", hall, body.substr(0, 200)));
        if (!wait(backoff_.next())) return false;
        continue;
      }
      for (const nlohmann::json& record : page["records"]) {
        found_any = true;
        // A re-send (hallqd's "resend": N) goes with a key of its own (send_key).
        const int resend = record.contains("resend") && record["resend"].is_number_integer()
                               ? record["resend"].get<int>()
                               : 0;
        if (!send(hall, record.at("recordId").get<std::string>(), resend,
                  record.at("seq").get<std::uint64_t>(), record.dump()))
          return false;
      }
      const std::uint64_t scanned_to = page["scanned_to"].get<std::uint64_t>();
      if (scanned_to > state_.cursor(hall)) state_.set_cursor(hall, scanned_to);
      if (scanned_to <= after) break;  // nothing more for now
    }
  }
  return true;
}

void Uploader::run() {
  for (;;) {
    bool found_any = false;
    if (!pass(found_any)) return;
    if (!found_any && !wait(std::chrono::milliseconds(config_.poll_ms))) return;
  }
}

}  // namespace hallq::upload
