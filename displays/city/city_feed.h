// The city view's durable consumer on the events stream: a pull consumer
// named `durable` on every hall's subject (hallq.events.>), explicit acks.
// The server keeps its position: a restarted city view with the same name
// continues after the last message it acknowledged, and a message not
// acknowledged within `ack_wait` is delivered again.
//
// Messages are handed out in batches; the caller answers each (ack, or
// term: never deliver it again). Destroying the feed frees the local
// subscription only: the consumer stays on the server (delete it with the
// NATS CLI when a city view is retired).
//
// Thread: one thread. Errors: the constructor throws
// replicate::ReplicateError (no stream, no permission, cluster down).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/replicate/nats_connection.h"

namespace hallq::city {

class CityFeed {
 public:
  struct Options {
    std::string stream = "HALLQ_EVENTS";
    std::string durable;
    std::chrono::milliseconds ack_wait{30'000};
    int max_ack_pending = 1000;
  };

  // One delivered message; moves only. Unacknowledged at destruction: the
  // server delivers it again after ack_wait.
  class Message {
   public:
    explicit Message(natsMsg* m);
    ~Message();
    Message(Message&& o) noexcept;
    Message& operator=(Message&&) = delete;
    Message(const Message&) = delete;
    Message& operator=(const Message&) = delete;

    std::string hall;  // from the subject; empty if the subject is not hallq.events.<hall>
    std::string subject;
    std::string bytes;
    std::uint64_t stream_seq = 0;
    std::uint64_t delivered = 0;  // how many times the server delivered it (1 the first time)
    std::uint64_t pending = 0;    // messages of the stream after it not yet delivered to the consumer

    void ack();
    void term();  // never again

   private:
    natsMsg* msg_ = nullptr;
  };

  CityFeed(replicate::NatsConnection& conn, Options options);
  ~CityFeed();
  CityFeed(const CityFeed&) = delete;
  CityFeed& operator=(const CityFeed&) = delete;

  // Up to `max` messages, waiting at most `wait` for the first; empty when
  // none came (or the cluster is unavailable: the caller just asks again).
  std::vector<Message> fetch(int max, std::chrono::milliseconds wait);

 private:
  Options options_;
  natsSubscription* sub_ = nullptr;
};

}  // namespace hallq::city
