// Which engine serves a hall: one entry per hall in the owners bucket (key =
// hall id, value = JSON {"engine", "endpoint", "lease_until_ms"}), changed
// only by compare-and-set on the entry's revision. An engine claims a hall
// that has no owner or whose owner's lease lapsed, renews its own lease with
// the revision it last saw, and learns it lost the hall when that
// compare-and-set fails (someone else wrote the entry meanwhile).
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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/replicate/nats_connection.h"

namespace hallq::replicate {

struct OwnerRecord {
  std::string engine;
  std::string endpoint;
  std::int64_t lease_until_ms = 0;
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
  kOwned,         // this engine holds the lease until record.lease_until_ms
  kOwnedByOther,  // another engine's lease is live: record says whose
  kLost,          // the compare-and-set failed: another engine wrote the entry
  kUnavailable,   // the bucket did not answer
};
const char* to_string(ClaimOutcome o);

struct Claim {
  ClaimOutcome outcome = ClaimOutcome::kUnavailable;
  OwnerRecord record;  // the entry as it now stands (if known)
  std::uint64_t revision = 0;
  std::string detail;
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
  // The entry as it stands; nullopt if absent (kUnavailable: `detail` set).
  std::optional<OwnerRecord> owner(const std::string& hall, std::string* detail = nullptr);

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
  Entry read(const std::string& hall);
  Claim write(const std::string& hall, std::uint64_t last_revision, bool create, std::int64_t now_ms,
              std::int64_t lease_ms);

  NatsConnection& conn_;
  std::string engine_, endpoint_;
  jsCtx* js_ = nullptr;  // this object's context when given its own timeout
  kvStore* kv_ = nullptr;
  std::map<std::string, std::uint64_t, std::less<>> held_;  // hall -> revision this engine wrote
  // hall -> the writes not answered since the last one that was
  std::map<std::string, std::vector<OwnerRecord>, std::less<>> unanswered_;
};

}  // namespace hallq::replicate
