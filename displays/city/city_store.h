// The city view's own store (LMDB in --data DIR): per hall the snapshot of
// its replica (config and state, so the hall's last applied sequence too)
// and the bucket revision it was last described from. The consumer loop
// saves the halls a batch of messages changed, in one transaction, before
// it acknowledges those messages: what the stream's consumer no longer
// redelivers is always in here, and a restart resumes from the consumer's
// position without reading the stream again. (A crash between the commit
// and the acknowledgements only means a few redeliveries, skipped as held.)
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
  };

  // Opens (or makes) the store in directory `dir` (created if missing).
  explicit CityStore(const std::string& dir);
  CityStore(const CityStore&) = delete;
  CityStore& operator=(const CityStore&) = delete;

  std::vector<Saved> load() const;  // ascending hall id
  // Replaces these halls' entries, all or none (one durable transaction).
  void save(const std::vector<Saved>& halls);

 private:
  store::lmdb::Env env_;
  store::lmdb::Dbi halls_, revisions_;
};

}  // namespace hallq::city
