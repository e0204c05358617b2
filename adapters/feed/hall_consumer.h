// The feed's durable pull consumer on one hall's subject of the events stream
// (hallq.events.HALL, named DURABLE-HALL, explicit acks). The server keeps
// its position: a restarted feed continues after the last message it
// acknowledged.
//
// In order after a crash too: a pull consumer hands out the messages after
// those still awaiting an ack, so a feed killed while holding a batch would,
// once restarted, be given the batch's later messages before the server
// redelivers the unacknowledged ones (after the ack wait). So at start, when
// the consumer has messages awaiting an ack, it is deleted and made again
// from its ack floor: the first message not acknowledged comes first.
//
// Thread: one thread. Errors: the constructor throws replicate::ReplicateError
// (no stream yet, no permission, cluster down: the NATS status named).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/replicate/nats_connection.h"
#include "engine/replicate/pull_fetcher.h"
#include "engine/replicate/stream_message.h"

namespace hallq::feed {

class HallConsumer {
 public:
  struct Options {
    std::string stream = "HALLQ_EVENTS";
    std::string durable;  // the feed's name; the consumer is DURABLE-HALL
    std::string hall;
    std::chrono::seconds ack_wait{60};
    int max_ack_pending = 1000;
  };

  // Makes (or finds) the consumer; `repositioned` tells whether it was made
  // again from its ack floor (and from which stream sequence).
  HallConsumer(replicate::NatsConnection& conn, Options options);
  ~HallConsumer();
  HallConsumer(const HallConsumer&) = delete;
  HallConsumer& operator=(const HallConsumer&) = delete;

  const std::string& hall() const { return options_.hall; }
  const std::string& name() const { return name_; }
  // The stream sequence it was made again from, 0 if it was not.
  std::uint64_t repositioned_from() const { return repositioned_from_; }

  // Up to `max` messages, waiting at most `wait` for the first; empty when
  // none came (or the cluster is unavailable: the caller just asks again).
  std::vector<replicate::StreamMessage> fetch(int max, std::chrono::milliseconds wait);

 private:
  void create(replicate::NatsConnection& conn, std::uint64_t start_seq);

  Options options_;
  std::string name_, subject_;
  std::uint64_t repositioned_from_ = 0;
  std::unique_ptr<replicate::PullFetcher> fetcher_;
};

}  // namespace hallq::feed
