// The city view's replicas: one core::Hall per hall of the city, folded from
// the hall's snapshot (the hall snapshots bucket, or the city view's own
// store after a restart) and the events the stream delivers after it.
//
// describe() takes a snapshot: a hall not held yet starts from it; a hall
// held at or below the snapshot's sequence is replaced by it (its events
// up to there are then skipped as held); a hall held beyond it keeps its
// state, re-expressed for the snapshot's config (protocol::remap_state), so
// a config changed at an engine's restart is followed either way.
//
// offer() checks a stream message (engine/replicate/event_check.h: verifier,
// hall, seq = held + 1), decodes it against the hall's config and applies
// it; anything else is an outcome with the reason, and changes nothing.
//
// Thread: one thread (the city view's consumer loop).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall.h"

namespace hallq::city {

class CityReplicas {
 public:
  struct Outcome {
    enum class Kind {
      kApplied,      // the hall's next event: applied
      kHeld,         // at or below what the hall holds: skipped
      kGap,          // after a hole: not applied (it may fit once the hole is filled)
      kRefused,      // not a hallq event, another hall's, or does not fit the hall: never applied
      kUndecodable,  // verifies but does not decode against (or apply to) the hall's config
      kUnknownHall,  // no snapshot of the hall yet
    };
    Kind kind = Kind::kRefused;
    std::string why;  // for everything but kApplied and kHeld
  };

  // `revision` is the bucket entry's (0 for one from the city's own store).
  // Returns an error text (the snapshot does not decode, is another hall's,
  // or the state does not fit its config), empty when taken; on an error
  // nothing changes.
  std::string describe(const std::string& hall, const std::string& snapshot, std::uint64_t revision);

  // `hall`: the hall of the message's subject; `where` names the message in reasons.
  Outcome offer(const std::string& hall, const std::string& bytes, std::string_view where);

  const core::Hall* hall(std::string_view id) const;
  // The bucket revision the hall's replica was last described from (0: none, or the store's).
  std::uint64_t revision(std::string_view id) const;
  std::vector<std::string> ids() const;  // ascending
  // When the hall's last event applied by this process happened (the engine's
  // clock, core time); 0 if none was applied since it started.
  core::TimeUs last_event_us(std::string_view id) const;
  // The hall's snapshot as the city store keeps it (config and state).
  std::string snapshot(std::string_view id) const;

 private:
  struct Replica {
    std::unique_ptr<core::Hall> hall;
    std::uint64_t revision = 0;
    core::TimeUs last_event_us = 0;
  };
  std::map<std::string, Replica, std::less<>> halls_;
};

}  // namespace hallq::city
