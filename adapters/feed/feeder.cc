#include "adapters/feed/feeder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "adapters/feed/feed_event.h"
#include "adapters/outbound/http_exchange.h"
#include "adapters/outbound/platform_answer.h"
#include "adapters/outbound/stoppable_wait.h"
#include "engine/replicate/event_check.h"

namespace hallq::feed {
namespace {

// "Bearer TOKEN" in Authorization (any case), the token as it is in another header.
std::string auth_value(const FeedConfig& c) {
  std::string name = c.auth_header;
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name == "authorization" ? "Bearer " + c.token : c.token;
}

}  // namespace

Feeder::Feeder(FeedConfig config, std::vector<std::unique_ptr<HallConsumer>> consumers,
               std::function<void(const std::string&)> log, std::function<bool()> stopping)
    : config_(std::move(config)),
      consumers_(std::move(consumers)),
      log_(std::move(log)),
      stopping_(std::move(stopping)),
      backoff_(config_.initial_ms, config_.max_ms, config_.jitter, config_.seed) {}

bool Feeder::wait(std::chrono::milliseconds ms) { return outbound::wait_unless_stopping(ms, stopping_); }

void Feeder::run() {
  while (round()) {
  }
}

bool Feeder::round() {
  // The round's wait for news is shared by the halls, so an idle feed of many
  // halls still notices an event within about poll_ms.
  const auto wait = std::chrono::milliseconds(
      std::max<int>(10, config_.poll_ms / static_cast<int>(std::max<std::size_t>(1, consumers_.size()))));
  for (const std::unique_ptr<HallConsumer>& c : consumers_) {
    if (stopping_()) return false;
    const std::string& hall = c->hall();
    std::vector<replicate::StreamMessage> batch = c->fetch(config_.batch, wait);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      replicate::StreamMessage& m = batch[i];
      const std::string where = fmt::format("{} stream seq {}", m.subject, m.stream_seq);
      const auto known = last_.find(hall);
      replicate::EventCheck check =
          replicate::check_event(m.bytes, hall, known == last_.end() ? 0 : known->second, where);
      if (check.verdict == replicate::EventCheck::Verdict::kGap) {
        // The first message after a start is where the consumer stood: it has
        // no predecessor to follow. Later, a hole means events missing from the
        // stream itself (it is written in order and fenced: only a foreign
        // writer or a lost store makes one); what follows is still the hall's
        // history, so it is fed on, the hole logged, rather than held back forever.
        if (known != last_.end()) {
          ++counts_.gaps;
          log_(fmt::format("gap {}: events {}..{} are not in the stream; fed on from {}", hall,
                           known->second + 1, check.seq - 1, check.seq));
        }
        check.verdict = replicate::EventCheck::Verdict::kNext;
      }
      switch (check.verdict) {
        case replicate::EventCheck::Verdict::kHeld:
          ++counts_.skipped;
          m.ack();
          continue;
        case replicate::EventCheck::Verdict::kGap:  // not left: fed on, above
        case replicate::EventCheck::Verdict::kRefused:
          ++counts_.refused;
          log_(check.why);
          m.term();
          continue;
        case replicate::EventCheck::Verdict::kNext:
          break;
      }
      const std::optional<std::string> json = feed_json(m.bytes, config_.utc_offset_min);
      if (json) {
        if (!post(hall, check.seq, *json, batch, i)) return false;
      } else {
        ++counts_.passed;
      }
      m.ack();
      last_[hall] = check.seq;
    }
  }
  return !stopping_();
}

bool Feeder::post(const std::string& hall, std::uint64_t seq, const std::string& json,
                  std::vector<replicate::StreamMessage>& held, std::size_t from) {
  const std::string key = idempotency_key(hall, seq);
  std::vector<std::pair<std::string, std::string>> headers = {{"Idempotency-Key", key},
                                                              {"Content-Type", "application/json"}};
  if (!config_.token.empty()) headers.emplace_back(config_.auth_header, auth_value(config_));
  for (int attempt = 1;; ++attempt) {
    if (stopping_()) return false;
    const outbound::HttpResult r =
        outbound::http_exchange(config_.platform, "POST", config_.platform.target, json, headers,
                                std::chrono::milliseconds(config_.timeout_ms));
    switch (outbound::classify(r)) {
      case outbound::AnswerKind::kAccepted:
        backoff_.reset();
        ++counts_.fed;
        log_(fmt::format("fed {} status={} attempts={}", key, r.status, attempt));
        return true;
      case outbound::AnswerKind::kRefused:
        backoff_.reset();
        ++counts_.refused;
        log_(fmt::format("refused {} status={} reason={} event={}", key, r.status,
                         outbound::refusal_reason(r), json));
        return true;
      case outbound::AnswerKind::kRetry:
        break;
    }
    ++counts_.retries;
    const std::chrono::milliseconds delay = backoff_.next();
    log_(fmt::format("retry {} ({}) attempt={} in {} ms", key, outbound::why(r), attempt, delay.count()));
    // Still ours: the server must not hand these out again meanwhile, so
    // they are marked in progress more often than the ack wait runs out.
    const auto step = std::chrono::milliseconds(config_.ack_wait_s * 1000 / 3);
    for (std::chrono::milliseconds left = delay; left.count() > 0; left -= step) {
      for (std::size_t i = from; i < held.size(); ++i) held[i].in_progress();
      if (!wait(std::min(left, step))) return false;
    }
    for (std::size_t i = from; i < held.size(); ++i) held[i].in_progress();
  }
}

}  // namespace hallq::feed
