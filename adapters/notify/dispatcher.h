// Delivers reminders to the gateway: each one is sent, retried with
// exponential backoff and jitter (gateway_request.h) while the gateway does
// not answer or answers 408, 429 or 5xx, up to retry.max_attempts; every
// attempt carries the same Idempotency-Key. A final outcome (sent, refused,
// gave up) is written to the sent-log and fsynced before it is reported, and
// a key in the log or in flight is never submitted twice.
//
// Reports one line per step through `print` (the phone masked):
//   sent KIND NUMBER PHONE status=S attempts=N key=KEY
//   retry KIND NUMBER attempt=N status=S error=E next_ms=D key=KEY
//   refused KIND NUMBER PHONE status=S attempts=N key=KEY
//   gave_up KIND NUMBER PHONE attempts=N key=KEY
//
// Thread: the io_context's thread (which also runs the exchanges and timers).
// The io_context, config and log must outlive the dispatcher.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <string_view>

#include "adapters/notify/gateway_client.h"
#include "adapters/notify/notify_config.h"
#include "adapters/notify/reminder_planner.h"
#include "adapters/notify/sent_log.h"

namespace hallq::notify {

class Dispatcher {
 public:
  struct Counters {
    std::uint64_t sent = 0, refused = 0, gave_up = 0, retries = 0;
  };

  Dispatcher(boost::asio::io_context& io, const NotifyConfig& config, SentLog& log,
             std::function<void(const std::string&)> print, std::uint64_t seed);
  ~Dispatcher();

  // True if the key is in the sent-log or being delivered.
  bool known(std::string_view key) const;
  // Starts delivering `reminder` (ignored if known). `hall_name` fills {hall_name}.
  void submit(const Reminder& reminder, std::string_view hall_name);
  std::size_t in_flight() const { return pending_.size(); }
  const Counters& counters() const { return counters_; }

 private:
  struct Pending;
  void attempt(const std::string& key);
  void answered(const std::string& key, const GatewayAnswer& answer);
  void finish(Pending& p, std::string_view outcome, int status);

  boost::asio::io_context& io_;
  const NotifyConfig& config_;
  SentLog& log_;
  std::function<void(const std::string&)> print_;
  std::mt19937_64 rng_;
  std::map<std::string, std::unique_ptr<Pending>, std::less<>> pending_;
  Counters counters_;
};

}  // namespace hallq::notify
