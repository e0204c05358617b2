// One message delivered by a JetStream pull consumer on the events stream
// (the city view's, hallq-feed's): its subject's hall, its bytes, its stream
// sequence and delivery count, and the answers a consumer with explicit acks
// gives it. Moves only; owns the nats.c message. Not answered at
// destruction: the server delivers it again after the consumer's ack wait.
//
// Answers are fire-and-forget publishes of the JetStream ack protocol
// (+ACK, +TERM, +WPI) on `conn` to the message's reply subject; they do not
// need nats.c's JetStream subscription (pull_fetcher.h uses a plain one). A
// lost answer means a redelivery, which every reader recognises by the hall
// sequence (event_check.h) and skips.
//
// Thread: the thread that fetched it.
#pragma once

#include <nats/nats.h>

#include <cstdint>
#include <string>

namespace hallq::replicate {

class StreamMessage {
 public:
  // `m` delivered on `conn`'s subscription; owns `m` from here.
  StreamMessage(natsMsg* m, natsConnection* conn);
  ~StreamMessage();
  StreamMessage(StreamMessage&& o) noexcept;
  StreamMessage& operator=(StreamMessage&&) = delete;
  StreamMessage(const StreamMessage&) = delete;
  StreamMessage& operator=(const StreamMessage&) = delete;

  std::string hall;  // from the subject; empty if the subject is not hallq.events.<hall>
  std::string subject;
  std::string bytes;
  std::uint64_t stream_seq = 0;
  std::uint64_t delivered = 0;  // how many times the server delivered it (1 the first time)
  std::uint64_t pending = 0;    // messages of the consumer after it not yet delivered

  void ack();
  void term();         // never again
  void in_progress();  // still working on it: the ack wait starts over

 private:
  void answer(const char* body);

  natsMsg* msg_ = nullptr;
  natsConnection* conn_ = nullptr;
};

}  // namespace hallq::replicate
