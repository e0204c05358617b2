// Reads one hall's events back from the stream, in order, delivering only
// what can be applied: each message must verify as a hallq event (FlatBuffers
// verifier), belong to the hall, and carry exactly the previous hall sequence
// + 1. A message that fails is refused with a reason (kept in refusals(),
// passed to the log callback) and never delivered; after a hole every later
// message is refused too, since nothing after a hole fits.
//
// It follows the subject with an ordered push consumer (no server-side state
// to clean up, resumes by itself after a server or connection loss).
//
// Thread: one thread. Errors: the constructor throws ReplicateError when the
// consumer cannot be made (no stream, no permission, cluster down).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/types.h"
#include "engine/replicate/nats_connection.h"

namespace hallq::replicate {

class HallReader {
 public:
  struct Options {
    std::string stream = "HALLQ_EVENTS";
    // Read from this stream sequence (0: from the subject's first message).
    std::uint64_t start_stream_seq = 0;
    // The hall sequence already held: messages at or below it are skipped
    // silently, the first delivered must be after + 1.
    core::Seq after = 0;
    // Told of every refusal (e.g. the program's log).
    std::function<void(const std::string&)> on_refused;
  };
  struct Delivered {
    core::Seq seq = 0;
    std::uint64_t stream_seq = 0;
    std::string bytes;  // the event Message, as stored
  };

  HallReader(NatsConnection& conn, std::string hall, Options options);
  ~HallReader();
  HallReader(const HallReader&) = delete;
  HallReader& operator=(const HallReader&) = delete;

  // The next deliverable event, or nullopt when none arrives within `wait`.
  std::optional<Delivered> next(std::chrono::milliseconds wait);

  core::Seq last_seq() const { return last_; }
  const std::vector<std::string>& refusals() const { return refusals_; }

 private:
  void refuse(std::string why);

  NatsConnection& conn_;
  std::string hall_;
  Options options_;
  natsSubscription* sub_ = nullptr;
  core::Seq last_ = 0;
  bool broken_ = false;  // a hole was seen: nothing more fits
  std::vector<std::string> refusals_;
};

}  // namespace hallq::replicate
