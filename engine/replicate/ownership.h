// Which engine serves a hall: one entry per hall in the owners bucket (key =
// hall id, value = JSON {"engine", "endpoint", "lease_until_ms"}), changed
// only by compare-and-set on the entry's revision. An engine claims a hall
// that has no owner or whose owner's lease lapsed, renews its own lease with
// the revision it last saw, and learns it lost the hall when that
// compare-and-set fails (someone else wrote the entry meanwhile).
//
// A graceful move (hallq move-hall): request_move() adds "move_to" (and the
// engine's endpoint) to the owner's entry, by compare-and-set. The owner's
// next renewal fails on the revision, finds its own entry with the request
// (kMoveRequested), and either hands the hall over — hand_over(): the entry
// then names the new engine, with "moved_from" and "handed_over_seq" (the
// hall's last sequence the stream holds) — or refuses (refuse_move():
// "move_refused" says why). The new engine, a standby following the hall,
// claims the entry that names it at its next look; its own entries keep
// "moved_from" and "handed_over_seq" while it holds the hall.
//
// Time is given by the caller (milliseconds since the Unix epoch), so leases
// can be tested without waiting; engines on different machines need clocks
// within a fraction of the lease (NTP).
//
// A write whose answer did not come (a timeout) may have been stored all the
// same: the entry then holds exactly the value this engine wrote, at a
// revision it never learned. renew() recognises that value (engine,
// endpoint and lease to the millisecond) and continues from its revision
// instead of reporting the lease lost.
//
// Thread: one thread per Ownership. Errors: the constructor throws
// ReplicateError when the bucket cannot be opened; claims report outcomes.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/replicate/nats_connection.h"

namespace hallq::replicate {

struct OwnerRecord {
  std::string engine;
  std::string endpoint;
  std::int64_t lease_until_ms = 0;
  // Asked by hallq move-hall while `engine` serves the hall (empty: none).
  std::string move_to, move_to_endpoint;
  // The last refusal of such a request, by `engine` (empty: none).
  std::string move_refused;
  // Where the hall came from by a move, and the last sequence the stream
  // held of it then (0: not moved).
  std::string moved_from;
  std::uint64_t handed_over_seq = 0;
  friend bool operator==(const OwnerRecord&, const OwnerRecord&) = default;
};
std::string to_json(const OwnerRecord& r);
// nullopt if `text` is not such a JSON object.
std::optional<OwnerRecord> owner_from_json(std::string_view text);

// A standby engine (hallqd --standby) records itself in the same bucket
// under key "standby.<engine>" (hall ids have no dots, so no hall's key):
// its endpoint, the halls it follows, and a lease it renews like an owner's
// (a plain put on its own key); a record whose lease lapsed is a standby
// gone. hallq halls lists them.
inline constexpr std::string_view kStandbyKeyPrefix = "standby.";
std::string standby_key(std::string_view engine);
struct StandbyRecord {
  std::string engine;
  std::string endpoint;
  std::int64_t lease_until_ms = 0;
  std::vector<std::string> halls;
  friend bool operator==(const StandbyRecord&, const StandbyRecord&) = default;
};
std::string to_json(const StandbyRecord& r);
// nullopt if `text` is not such a JSON object.
std::optional<StandbyRecord> standby_from_json(std::string_view text);

enum class ClaimOutcome {
  kOwned,          // this engine holds the lease until record.lease_until_ms
  kOwnedByOther,   // another engine's lease is live: record says whose
  kLost,           // the compare-and-set failed: another engine wrote the entry
  kUnavailable,    // the bucket did not answer
  kMoveRequested,  // renew(): the entry is still this engine's, and record.move_to is asked for
};
const char* to_string(ClaimOutcome o);

struct Claim {
  ClaimOutcome outcome = ClaimOutcome::kUnavailable;
  OwnerRecord record;  // the entry as it now stands (if known)
  std::uint64_t revision = 0;
  std::string detail;
  OwnerRecord was;  // claim(): the entry as it stood before (empty if none)
};

// What request_move() did: `ok`, or `error` (Chinese, for the command line)
// with the entry as it stands.
struct MoveRequest {
  bool ok = false;
  OwnerRecord owner;
  std::uint64_t revision = 0;  // of the entry written (ok) or read
  std::string error;
};

class Ownership {
 public:
  // `timeout`: how long each request to the bucket waits for its answer (0:
  // the connection's request timeout). A lease holder uses a fraction of its
  // lease, so that a bucket without a leader is asked again soon.
  Ownership(NatsConnection& conn, std::string engine, std::string endpoint,
            std::string bucket = "hallq_owners", std::chrono::milliseconds timeout = {});
  ~Ownership();
  Ownership(const Ownership&) = delete;
  Ownership& operator=(const Ownership&) = delete;

  // Takes `hall` if it has no entry, the entry is this engine's, or its lease
  // lapsed before `now_ms`; the lease then runs to now_ms + lease_ms.
  Claim claim(const std::string& hall, std::int64_t now_ms, std::int64_t lease_ms);
  // Extends this engine's lease with the revision it last wrote; kLost if the
  // entry changed since (without touching it).
  Claim renew(const std::string& hall, std::int64_t now_ms, std::int64_t lease_ms);
  // renew() for each of `halls` (the claims in their order), in about one
  // round trip however many: the renewals are sent at once (asynchronously,
  // each a compare-and-set on the revision last written) and their answers
  // awaited together, up to the request timeout. Unanswered: kUnavailable (a
  // write that may have been stored, recognised later as renew() does);
  // refused or not sent: the hall goes through renew(), whose read of the
  // entry tells a lost entry or a move asked for.
  std::vector<Claim> renew_all(const std::vector<std::string>& halls, std::int64_t now_ms,
                               std::int64_t lease_ms);
  // The entry as it stands (and its revision); nullopt if absent (the bucket
  // did not answer: `detail` set).
  std::optional<OwnerRecord> owner(const std::string& hall, std::string* detail = nullptr,
                                   std::uint64_t* revision = nullptr);

  // --- a graceful move (hallq move-hall)
  // Asks the engine serving `hall` to hand it to `to` (whose clients reach
  // it at `to_endpoint`): adds the request to the owner's entry by
  // compare-and-set, tried again (up to 5 times) when the owner renewed
  // meanwhile. Refused (ok = false, `error` says why) when the hall has no
  // owner, the owner's lease lapsed before `now_ms`, `to` already serves it,
  // or another move is pending.
  MoveRequest request_move(const std::string& hall, const std::string& to, const std::string& to_endpoint,
                           std::int64_t now_ms);
  // The owner: writes the entry naming `to` (lease until now_ms + lease_ms,
  // moved_from = this engine, handed_over_seq = `seq`) on the revision this
  // engine last wrote or saw. kOwnedByOther: done, the hall is no longer
  // this engine's; kLost: another engine wrote the entry meanwhile;
  // kUnavailable: unknown whether it was stored (renew() tells later).
  Claim hand_over(const std::string& hall, const std::string& to, const std::string& to_endpoint,
                  std::uint64_t seq, std::int64_t now_ms, std::int64_t lease_ms);
  // The owner: renews its lease, writing `why` as move_refused (the request
  // removed).
  Claim refuse_move(const std::string& hall, const std::string& why, std::int64_t now_ms,
                    std::int64_t lease_ms);

  // Puts this engine's standby record (its endpoint, `halls`, a lease until
  // `lease_until_ms`; 0 ends it): an error text, empty on success.
  std::string record_standby(const std::vector<std::string>& halls, std::int64_t lease_until_ms);
  // Every standby record in the bucket, live or lapsed; `error` set (and
  // nothing returned) when the bucket did not answer.
  std::vector<StandbyRecord> standbys(std::string* error = nullptr);

  const std::string& engine() const { return engine_; }

 private:
  struct Entry {
    bool found = false;
    bool ok = false;  // the bucket answered
    OwnerRecord record;
    std::uint64_t revision = 0;
    std::string error;
  };
  struct Renewals;  // renew_all()'s answers
  static void on_renewed(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure);
  Entry read(const std::string& hall);
  // The entry this engine writes for `hall` to hold it until now_ms + lease_ms.
  OwnerRecord lease_record(const std::string& hall, std::int64_t now_ms, std::int64_t lease_ms,
                           std::string move_refused = {}) const;
  Claim write(const std::string& hall, std::uint64_t last_revision, bool create, std::int64_t now_ms,
              std::int64_t lease_ms, std::string move_refused = {});

  NatsConnection& conn_;
  std::string engine_, endpoint_;
  std::string subject_prefix_;  // "$KV.<bucket>.": an entry's subject is this and the key
  std::chrono::milliseconds wait_;
  jsCtx* js_ = nullptr;  // this object's context when given its own timeout
  kvStore* kv_ = nullptr;
  jsCtx* async_js_ = nullptr;  // renew_all()'s, made at its first use
  bool async_published_ = false;
  std::unique_ptr<Renewals> renewals_;
  std::map<std::string, std::uint64_t, std::less<>> held_;  // hall -> revision this engine wrote
  // hall -> the writes not answered since the last one that was
  std::map<std::string, std::vector<OwnerRecord>, std::less<>> unanswered_;
  // hall -> how it came to this engine by a move (moved_from, handed_over_seq), kept in its entries
  std::map<std::string, std::pair<std::string, std::uint64_t>, std::less<>> moved_in_;
};

}  // namespace hallq::replicate
