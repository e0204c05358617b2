// The city view's own store (LMDB in --data DIR): per hall a snapshot of its
// replica (config and state, so its sequence too), the bucket revision it was
// last described from, and the events applied since that snapshot. The
// consumer loop appends each batch's applied events, and now and then a
// hall's snapshot in their place, in one transaction, before it
// acknowledges those messages: what the stream's consumer no longer
// redelivers is always in here, and a restart resumes from the consumer's
// position without reading the stream again. (A crash between the commit
// and the acknowledgements only means a few redeliveries, skipped as held.)
//
// Events rather than whole snapshots per batch: a message is a few hundred
// bytes, a district hall's snapshot at the end of a day tens of kilobytes,
// and a batch of a province's stream touches hundreds of halls.
//
// Thread: one thread. Errors: store::StoreError (cannot open, disk full).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/store/lmdb.h"

namespace hallq::city {

class CityStore {
 public:
  struct Saved {
    std::string hall;
    std::string snapshot;
    std::uint64_t revision = 0;
    // load(): the hall's events applied after the snapshot, in order (each a
    // stream message's bytes). Ignored by save().
    std::vector<std::string> events;
  };
  struct Event {
    std::string hall;
    std::uint64_t seq = 0;  // the hall's sequence number of the event
    std::string bytes;      // the stream message as delivered
  };

  // Opens (or makes) the store in directory `dir` (created if missing); a
  // store written before events were kept opens as it is.
  explicit CityStore(const std::string& dir);
  CityStore(const CityStore&) = delete;
  CityStore& operator=(const CityStore&) = delete;

  std::vector<Saved> load() const;  // ascending hall id

  // One durable transaction, all or none: appends `events`, then replaces
  // the snapshots of `snapshots`' halls and drops every event kept for them
  // (a snapshot holds its hall's whole state up to its sequence).
  void save(const std::vector<Event>& events, const std::vector<Saved>& snapshots);

  // Events kept now, of all halls (for tests and the log).
  std::size_t event_count() const;

 private:
  store::lmdb::Env env_;
  store::lmdb::Dbi halls_, revisions_, events_;
};

}  // namespace hallq::city
