// The acknowledged history of a chaos run: every request the clients sent with
// its request id, and for each one the engine answered, the answer (its
// events' bytes, as the engine stored and published them). Client threads
// record into it; the checking thread compares a recovered engine against it:
//   - every acknowledged event is in the store, byte for byte, at its sequence
//     number (nothing acknowledged lost or rewritten);
//   - every stored event that carries a request id belongs to an
//     acknowledged request with that id (nothing applied behind a client's back);
//   - every acknowledged ticket exists under its number, with the state its
//     last acknowledged event gave it, and no number is held twice;
//   - the engine's state equals the fold of its stored history.
//
// Thread: record_*() from any thread (a mutex); the checks on one thread while
// no client runs. Errors: checks return a list of problems (empty: fine).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/hall.h"
#include "engine/core/hall_config.h"
#include "engine/protocol/reply_codec.h"

namespace hallq::chaos {

struct Sent {
  std::string hall;
  std::string bytes;  // the encoded request, resent as is on a retry
};

struct Answer {
  std::string hall;
  core::ErrorCode code = core::ErrorCode::kOk;
  std::vector<std::string> events;  // encoded events (empty when refused)
  bool duplicate = false;
};

class Ledger {
 public:
  // The halls' configs, to decode events (by hall id).
  explicit Ledger(std::map<std::string, std::shared_ptr<const core::HallConfig>> configs);

  void record_sent(const std::string& request_id, Sent sent);
  void record_answer(const std::string& request_id, const protocol::DecodedReply& reply);

  // Requests sent and never answered (removed from the ledger's pending set).
  std::map<std::string, Sent> take_unanswered();
  // Accepted requests (with events) of `hall`, to probe idempotency with.
  std::vector<std::pair<std::string, Answer>> accepted(const std::string& hall) const;
  const Sent* sent(const std::string& request_id) const;

  std::uint64_t answered() const;
  std::uint64_t accepted_count() const;
  std::uint64_t acknowledged_events() const;
  std::uint64_t acknowledged_tickets() const;

  // Compares hall `hall`'s stored events (a read-only look at the store in
  // `data_dir`) and `engine_state` (the engine's snapshot of the hall, decoded
  // into a hall) with the history. Returns the problems found.
  std::vector<std::string> check(const std::string& hall, const std::string& data_dir,
                                 const core::Hall& engine_state) const;

 private:
  std::map<std::string, std::shared_ptr<const core::HallConfig>> configs_;
  mutable std::mutex mu_;
  std::map<std::string, Sent> sent_;
  std::map<std::string, Sent> unanswered_;
  std::map<std::string, Answer> answers_;
};

}  // namespace hallq::chaos
