// Fetches from a durable JetStream pull consumer by the pull protocol itself:
// a request on $JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer> whose reply
// subject is an inbox of this fetcher's own plain subscription, and acks
// published to each message's reply subject (stream_message.h).
//
// Why not nats.c's natsSubscription_Fetch: in nats.c 3.4.1 (Debian 12) a
// Fetch that finds messages still queued from an earlier fetch that gave up
// (its wait ran out while the server was still sending) stops only when its
// count equals the batch minus those queued ones. With more than half a batch
// queued that never happens, and it writes past its list until its wait runs
// out: heap corruption. bench/README.md (city view) has the crashes; the test
// PullFetcherTest.ShortWaitsLeaveNothingBehindThatBreaksTheNext reproduces the
// pattern. Here a message that arrives after its fetch gave up just waits in
// the subscription's queue for the next fetch, which takes it first.
//
// One request is live at a time: a fetch sends one only when the last has
// ended (its batch delivered, a status 404/408/409 for it, or its expiry
// passed). The first request of a fetch asks with no_wait, so a fetch behind
// the stream returns as soon as the available batch is in (the server ends it
// with 408); when nothing is available (404) it asks again, waiting for the
// rest of the fetch's wait, and returns with the first messages that come.
// A refusal (409: the consumer deleted, a limit; 503: no leader; 404 to a
// waiting request) is not asked again within the fetch: it waits out its
// wait, so a caller that fetches in a loop does not flood the server.
// The server delivers a consumer's messages in order, and one connection
// keeps that order, so messages come out in stream order (redeliveries aside).
//
// Thread: one thread (the nats.c handles it uses are thread-safe).
// Errors: the constructor throws ReplicateError if the subscription cannot
// be made; fetch() returns what it has (or nothing) when the cluster is
// unavailable: the caller just asks again.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/replicate/nats_connection.h"
#include "engine/replicate/stream_message.h"

namespace hallq::replicate {

class PullFetcher {
 public:
  // `consumer` must exist on `stream` as a pull consumer (no deliver subject).
  PullFetcher(NatsConnection& conn, const std::string& stream, const std::string& consumer);
  ~PullFetcher();
  PullFetcher(const PullFetcher&) = delete;
  PullFetcher& operator=(const PullFetcher&) = delete;

  // Up to `max` (>= 1) messages, waiting at most `wait` for the first; empty
  // when none came. Messages queued from earlier requests come first.
  std::vector<StreamMessage> fetch(int max, std::chrono::milliseconds wait);

  // Requests sent so far, and messages (and statuses) queued for the next
  // fetch: for tests and figures.
  std::uint64_t requests() const { return request_id_; }
  int queued() const;

 private:
  using Clock = std::chrono::steady_clock;
  // What a message did to the live request: nothing, ended it with nothing to
  // deliver now (404 to no_wait), refused it (409, 503, 404 to a waiting
  // request: not asked again in this fetch), or ended it otherwise.
  enum class Ended { kNo, kNothing, kUnavailable, kDone };

  void send(int batch, std::chrono::milliseconds expires, bool no_wait);
  // Takes `m` (owned): a message of the stream goes to `out`; a status ends
  // the live request if it answers it.
  Ended take(natsMsg* m, std::vector<StreamMessage>& out);
  std::uint64_t request_of(const char* subject) const;

  natsConnection* nc_ = nullptr;
  natsSubscription* sub_ = nullptr;
  std::string inbox_;         // "_INBOX.<nuid>."; requests reply to inbox_ + id
  std::string next_subject_;  // $JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>

  std::uint64_t request_id_ = 0;  // the live (or last) request's id
  bool live_ = false;
  bool live_no_wait_ = false;
  int live_left_ = 0;             // messages the live request may still bring
  Clock::time_point live_until_;  // its expiry as this side reckons it
};

}  // namespace hallq::replicate
