// Publishes committed events to the events stream, one subject per hall, so
// that a hall's subject is the hall's log: payload = the event's FlatBuffers
// bytes (what the store holds and the PUB socket carries), header
// Nats-Msg-Id "<hall>:<seq>" (the stream drops a retry within its duplicates
// window) and Nats-Expected-Last-Subject-Sequence = the stream sequence of
// the subject's previous message (fencing: a publisher whose idea of the
// subject's tail is stale is refused, so two engines cannot both extend a
// hall).
//
// A retry of events already stored (an acknowledgement lost) is answered
// kDuplicate, whether the stream recognises the id or refuses the expected
// sequence (nats-server 2.9 checks that first): then the subject's tail must
// be one of the batch's events with the very same bytes.
//
// A batch goes out in rounds: each round publishes the next event of every
// hall in the batch at once (asynchronously) and waits for all their
// acknowledgements, because each event's expected sequence is the stream
// sequence the previous one of its hall was stored at. A batch of one event
// per hall is one round.
//
// A round waits `attempt_wait` for its acknowledgements; the events not
// acknowledged by then, or answered with a transient error (no responders:
// the stream has no leader; JetStream's "not leader", "not available"), are
// sent again, identical (same id, same expected sequence), at most every
// `attempt_wait`, until the connection's request timeout has passed since
// the round began; then they are kUnavailable. A copy stored earlier makes
// the resend a kDuplicate (above), so nothing is stored twice. The tail
// reads publish() needs are attempted the same way. So a round sent while
// the stream's leader is lost goes through within `attempt_wait` of the new
// leader's election, instead of waiting out a request sent before it.
//
// Thread: one thread calls publish()/tail()/forget() (the replicator's);
// read_tail() from any.
// Errors: outcomes are values; only the constructor throws ReplicateError.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/types.h"
#include "engine/replicate/nats_connection.h"

namespace hallq::replicate {

// One event to publish; the views must stay valid during publish().
struct OutEvent {
  std::string_view hall;
  core::Seq seq = 0;
  std::string_view bytes;  // an encoded event Message
};

enum class PublishOutcome {
  kStored,       // stored now
  kDuplicate,    // the stream already held these very bytes for this hall and seq
  kFenced,       // the subject was extended by someone else (or holds other bytes there)
  kGap,          // not sent: the hall's events must follow the subject's tail without a hole
  kUnavailable,  // no acknowledgement (cluster down, timeout): may or may not be stored
};
const char* to_string(PublishOutcome o);

struct PublishResult {
  PublishOutcome outcome = PublishOutcome::kUnavailable;
  std::uint64_t stream_seq = 0;  // kStored, kDuplicate: where it is in the stream
  std::string detail;            // why, for kFenced, kGap, kUnavailable
};

// The last message of a hall's subject: its stream sequence and hall sequence
// (both 0 for a hall never published).
struct SubjectTail {
  std::uint64_t stream_seq = 0;
  core::Seq hall_seq = 0;
};

// The hall's subject tail as `stream` holds it now (one request; from any
// thread). nullopt, with `error` set, when the stream does not answer or the
// subject's last message is not an event of `hall`.
// `wait`: how long the request waits (0: the connection's request timeout);
// `transient`, if given, is set to whether the failure may mend by itself.
std::optional<SubjectTail> read_tail(NatsConnection& conn, const std::string& stream, const std::string& hall,
                                     std::string* error = nullptr, std::chrono::milliseconds wait = {},
                                     bool* transient = nullptr);

// How long a publish round waits for its acknowledgements before sending the
// missing ones again (hallqd --publish-retry).
inline constexpr std::chrono::milliseconds kDefaultAttemptWait{250};

class Publisher {
 public:
  explicit Publisher(NatsConnection& conn, std::string stream = "HALLQ_EVENTS",
                     std::chrono::milliseconds attempt_wait = kDefaultAttemptWait);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // The hall's subject tail, asked from the stream the first time (and after
  // forget() or an unavailable publish), then kept by publish(). nullopt, with
  // `error` set, when the stream does not answer.
  std::optional<SubjectTail> tail(const std::string& hall, std::string* error = nullptr);
  void forget(const std::string& hall);

  // Publishes `batch` (events of one or more halls; each hall's in increasing
  // seq order) and returns one result per event, in the same order. Events at
  // or below the hall's tail are not sent (kDuplicate); a hall's events after
  // a fenced, gapped or unavailable one get the same outcome, unsent.
  std::vector<PublishResult> publish(std::span<const OutEvent> batch);

  // Publish rounds made so far (for metrics and the benchmark), and the
  // events sent again within a round (no acknowledgement within attempt_wait,
  // or a transient refusal).
  std::uint64_t rounds() const { return rounds_; }
  std::uint64_t resends() const { return resends_; }

 private:
  struct Round;
  static void on_ack(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure);
  // Checks a duplicate acknowledgement: the stored message at `stream_seq` holds `bytes`.
  bool stored_bytes_equal(std::uint64_t stream_seq, std::string_view bytes, std::string& why);
  // Waits until every event of the round is answered or `until`; ends early
  // (NATS_CONNECTION_DISCONNECTED) once the connection is lost or was
  // re-established since `reconnects_at_send`.
  natsStatus wait_for_acks(std::uint64_t reconnects_at_send, std::chrono::steady_clock::time_point until);
  // tail(), its request attempted every attempt_wait until `until` while the
  // stream's failure is transient.
  std::optional<SubjectTail> tail_until(const std::string& hall, std::chrono::steady_clock::time_point until,
                                        std::string* error);

  NatsConnection& conn_;
  std::string stream_;
  std::chrono::milliseconds attempt_wait_;
  jsCtx* js_ = nullptr;  // this publisher's context (its own acknowledgement handler)
  std::map<std::string, SubjectTail, std::less<>> tails_;
  std::unique_ptr<Round> round_;
  std::uint64_t rounds_ = 0;
  std::uint64_t resends_ = 0;
  bool published_ = false;  // a message went out on js_ (nats.c: see the destructor)
};

}  // namespace hallq::replicate
