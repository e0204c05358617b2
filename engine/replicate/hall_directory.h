// The bucket of hall snapshots (kHallsBucket, "hallq_halls"): each engine
// puts there, as it starts serving a hall, the hall's snapshot (config and
// state, protocol/snapshot_codec.h, without the request-id memory) at the
// sequence it starts from. Readers of the events stream that were not there
// from the hall's first event (the city view) fold from it: the config it
// carries is how they decode the hall's events, so a new hall, or a hall
// whose config changed at its engine's restart, is followed without any
// file on the reader's machine.
//
// Thread: one thread per object (nats.c's handles are thread-safe, the
// watcher is not shared). Errors: the constructor throws ReplicateError
// (no bucket, no permission); put/get report outcomes as values.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/replicate/nats_connection.h"

namespace hallq::replicate {

class HallDirectory {
 public:
  struct Entry {
    std::string hall;
    std::string snapshot;  // the encoded Message (a Snapshot)
    std::uint64_t revision = 0;
  };

  HallDirectory(NatsConnection& conn, const std::string& bucket);
  ~HallDirectory();
  HallDirectory(const HallDirectory&) = delete;
  HallDirectory& operator=(const HallDirectory&) = delete;

  // Stores `snapshot` as `hall`'s entry; an error text (naming the hall and
  // the NATS status) or empty on success. `transient` (if given) says whether
  // asking again may succeed (no responders: the bucket has no leader yet).
  std::string put(const std::string& hall, const std::string& snapshot, bool* transient = nullptr);
  // The hall's entry; nullopt if there is none. `error` (if given) is set
  // when the bucket did not answer.
  std::optional<Entry> get(const std::string& hall, std::string* error = nullptr);

  // Follows the bucket: every entry there now, then each new one as it is
  // put. next() waits up to `wait`; nullopt when nothing came.
  void watch();
  std::optional<Entry> next(std::chrono::milliseconds wait);

 private:
  NatsConnection& conn_;
  std::string bucket_;
  kvStore* kv_ = nullptr;
  kvWatcher* watcher_ = nullptr;
};

}  // namespace hallq::replicate
