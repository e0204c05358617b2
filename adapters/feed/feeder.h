// The feed's loop: round after round, for each chosen hall in turn, fetches
// a batch from the hall's consumer (hall_consumer.h) and, message by
// message in stream order:
//   - checks it as every reader of the stream does (event_check.h): a
//     message that is not a hallq event of the hall is logged and terminated
//     (never delivered again); one already fed (a redelivery) is acknowledged
//     and skipped; one whose hall sequence jumps past the next (events missing
//     from the stream) is fed, the hole logged;
//   - passes over (acknowledges) kinds that are not fed (feed_event.h);
//   - POSTs the event's JSON to the platform with "Idempotency-Key: HALL:SEQ"
//     and acknowledges it only once the platform's answer is final
//     (adapters/outbound/platform_answer.h): 2xx accepted; a connection
//     error, a timeout, 408, 429 or 5xx is retried with backoff for as long
//     as it takes (the batch's messages are kept from redelivery meanwhile:
//     "in progress"), nothing after it is sent first; any other status is a
//     refusal, final: logged with the platform's reason, and the feed moves on.
// One endpoint for every hall: while it is down, every hall waits.
//
// Thread: one owner; blocks in run(). `stopping` is polled between steps and
// during waits (every 50 ms); `log` gets one line per outcome.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/feed/feed_config.h"
#include "adapters/feed/hall_consumer.h"
#include "adapters/outbound/backoff.h"

namespace hallq::feed {

class Feeder {
 public:
  struct Counts {
    std::uint64_t fed = 0, refused = 0, passed = 0, skipped = 0, retries = 0, gaps = 0;
  };

  Feeder(FeedConfig config, std::vector<std::unique_ptr<HallConsumer>> consumers,
         std::function<void(const std::string&)> log, std::function<bool()> stopping);

  // Feeds until stopping().
  void run();
  // One round over every hall; false if stopped.
  bool round();

  const Counts& counts() const { return counts_; }

 private:
  // Posts one event until its outcome is final; false if stopped first.
  // `held` are the batch's messages not yet answered (kept in progress
  // while it retries).
  bool post(const std::string& hall, std::uint64_t seq, const std::string& json,
            std::vector<replicate::StreamMessage>& held, std::size_t from);
  bool wait(std::chrono::milliseconds ms);

  FeedConfig config_;
  std::vector<std::unique_ptr<HallConsumer>> consumers_;
  std::function<void(const std::string&)> log_;
  std::function<bool()> stopping_;
  outbound::Backoff backoff_;
  std::map<std::string, std::uint64_t> last_;  // per hall, the last sequence fed or passed over
  Counts counts_;
};

}  // namespace hallq::feed
