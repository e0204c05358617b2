#include "adapters/notify/dispatcher.h"

#include <fmt/format.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "adapters/notify/gateway_client.h"
#include "adapters/notify/gateway_request.h"
#include "engine/core/booking.h"

namespace hallq::notify {
namespace {

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

struct Dispatcher::Pending {
  Pending(boost::asio::io_context& io, Reminder r, std::string hall_name)
      : reminder(std::move(r)), hall_name(std::move(hall_name)), timer(io) {}
  Reminder reminder;
  std::string hall_name;
  int attempts = 0;
  boost::asio::steady_timer timer;
};

Dispatcher::Dispatcher(boost::asio::io_context& io, const NotifyConfig& config, SentLog& log,
                       std::function<void(const std::string&)> print, std::uint64_t seed)
    : io_(io), config_(config), log_(log), print_(std::move(print)), rng_(seed) {}

Dispatcher::~Dispatcher() {
  for (auto& [key, p] : pending_) p->timer.cancel();
}

bool Dispatcher::known(std::string_view key) const {
  return log_.contains(key) || pending_.find(key) != pending_.end();
}

void Dispatcher::submit(const Reminder& reminder, std::string_view hall_name) {
  if (known(reminder.key)) return;
  pending_.emplace(reminder.key, std::make_unique<Pending>(io_, reminder, std::string(hall_name)));
  attempt(reminder.key);
}

void Dispatcher::attempt(const std::string& key) {
  const auto it = pending_.find(key);
  if (it == pending_.end()) return;
  Pending& p = *it->second;
  ++p.attempts;
  exchange(io_, config_.gateway, gateway_request(config_, p.hall_name, p.reminder),
           std::chrono::milliseconds(config_.timeout_ms), [this, key](GatewayAnswer a) { answered(key, a); });
}

void Dispatcher::answered(const std::string& key, const GatewayAnswer& a) {
  const auto it = pending_.find(key);
  if (it == pending_.end()) return;
  Pending& p = *it->second;
  const Reminder& r = p.reminder;
  switch (classify(a.status)) {
    case Verdict::kDelivered:
      finish(p, "sent", a.status);
      ++counters_.sent;
      return;
    case Verdict::kRefused:
      finish(p, "refused", a.status);
      ++counters_.refused;
      return;
    case Verdict::kRetry:
      break;
  }
  if (p.attempts >= config_.max_attempts) {
    finish(p, "gave_up", a.status);
    ++counters_.gave_up;
    return;
  }
  ++counters_.retries;
  const std::chrono::milliseconds delay = backoff_delay(p.attempts, config_, rng_);
  print_(fmt::format("retry {} {} attempt={} status={} error={} next_ms={} key={}", to_string(r.kind),
                     r.number, p.attempts, a.status, a.error.empty() ? "-" : a.error, delay.count(), r.key));
  p.timer.expires_after(delay);
  p.timer.async_wait([this, key](const boost::system::error_code& ec) {
    if (!ec) attempt(key);
  });
}

void Dispatcher::finish(Pending& p, std::string_view outcome, int status) {
  const Reminder& r = p.reminder;
  SentRecord rec{r.key,
                 std::string(outcome),
                 std::string(to_string(r.kind)),
                 r.number,
                 core::mask_phone(r.phone),
                 r.text,
                 status,
                 p.attempts,
                 utc_now()};
  log_.append(rec);  // fsynced before the outcome counts
  if (outcome == "sent") {
    print_(fmt::format("sent {} {} {} status={} attempts={} key={}", rec.kind, r.number, rec.phone, status,
                       p.attempts, r.key));
  } else if (outcome == "refused") {
    print_(fmt::format("refused {} {} {} status={} attempts={} key={}", rec.kind, r.number, rec.phone, status,
                       p.attempts, r.key));
  } else {
    print_(
        fmt::format("gave_up {} {} {} attempts={} key={}", rec.kind, r.number, rec.phone, p.attempts, r.key));
  }
  const std::string key = r.key;
  pending_.erase(key);
}

}  // namespace hallq::notify
