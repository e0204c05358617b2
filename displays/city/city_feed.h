// The city view's durable consumer on the events stream: a pull consumer
// named `durable` on every hall's subject (hallq.events.>), explicit acks.
// The server keeps its position: a restarted city view with the same name
// continues after the last message it acknowledged, and a message not
// acknowledged within `ack_wait` is delivered again.
//
// Messages are handed out in batches; the caller answers a whole batch
// (answer(): the refused ones terminated, never delivered again, the rest
// acknowledged) once it is durable. A consumer this feed makes acknowledges
// with the "all" policy: one acknowledgement of the batch's highest stream
// sequence covers every message before it, so a batch costs one ack instead
// of one per message. A consumer made before (explicit acks: a server does
// not change a consumer's ack policy) keeps its policy, read at start, and
// is answered message by message. Fetches go through replicate::PullFetcher
// (not nats.c's Fetch: pull_fetcher.h says why). Destroying the feed frees the local
// subscription only: the consumer stays on the server (delete it with the
// NATS CLI when a city view is retired).
//
// Thread: one thread. Errors: the constructor throws
// replicate::ReplicateError (no stream, no permission, cluster down).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/replicate/nats_connection.h"
#include "engine/replicate/pull_fetcher.h"
#include "engine/replicate/stream_message.h"

namespace hallq::city {

class CityFeed {
 public:
  struct Options {
    std::string stream = "HALLQ_EVENTS";
    std::string durable;
    std::chrono::milliseconds ack_wait{30'000};
    int max_ack_pending = 1000;
  };

  // One delivered message (ack, or term: never again).
  using Message = replicate::StreamMessage;

  CityFeed(replicate::NatsConnection& conn, Options options);
  ~CityFeed();
  CityFeed(const CityFeed&) = delete;
  CityFeed& operator=(const CityFeed&) = delete;

  // Up to `max` messages, waiting at most `wait` for the first; empty when
  // none came (or the cluster is unavailable: the caller just asks again).
  std::vector<Message> fetch(int max, std::chrono::milliseconds wait);

  // Answers every message of `batch` (all of one or more fetches, each
  // message handled by the caller, none to be delivered again): those in
  // `refused` (pointers into `batch`) are terminated, the others
  // acknowledged. Call it only once what the batch applied is durable: the
  // consumer's position then never passes what the caller stored. Answers
  // are fire-and-forget (stream_message.h): a lost one means redeliveries.
  void answer(std::vector<Message>& batch, const std::vector<Message*>& refused);

  // True when the consumer acknowledges with the "all" policy (one
  // acknowledgement per batch); false: explicit, one per message.
  bool acks_all() const { return acks_all_; }

 private:
  void create(replicate::NatsConnection& conn);

  Options options_;
  std::unique_ptr<replicate::PullFetcher> fetcher_;
  bool acks_all_ = true;
};

}  // namespace hallq::city
