// Snapshots: a hall's whole state with the config it was built with. The
// engine stores them (with its request-id memory) to recover quickly, and
// sends them (without it) to subscribers joining late or after a gap.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/core/error.h"
#include "engine/core/hall.h"
#include "engine/protocol/message.h"
#include "engine/protocol/personal_data.h"

namespace hallq::protocol {

// Encodes `hall` as it is now. `with_requests` includes the request-id memory
// (for the engine's own store only), packed: one struct per id and the ids'
// bytes in one vector. decode_snapshot reads that form and the one written
// before it (a table per id); a snapshot with both, or whose records and
// bytes disagree, is refused as malformed. kWithhold empties every booking's
// and remote ticket's person and phone (personal_data.h): the form for
// devices without access to personal data.
std::string encode_snapshot(const core::Hall& hall, std::uint64_t epoch, bool with_requests,
                            PersonalData personal = PersonalData::kInclude);

struct DecodedSnapshot {
  std::string hall;
  core::Seq seq = 0;
  std::uint64_t epoch = 0;
  std::shared_ptr<core::HallConfig> config;  // validated and indexed
  core::HallState state;                     // indices refer to `config`
};

// Decodes an inspected snapshot; kMalformed if its config or state is
// inconsistent (bad indices, invalid config). `bytes` may start at any
// address (ZeroMQ hands out frames inside its receive buffer): a snapshot
// that does not start on an 8-byte boundary is copied before it is read.
core::Status decode_snapshot(Bytes bytes, DecodedSnapshot& out);

// Re-expresses a snapshot's state for `target`, the config the hall runs with
// now (services and windows matched by id; new ones start empty and closed).
// A window whose `serves` the operator changed in the config takes the new
// skills; otherwise its live skills are kept. Throws core::CorruptionError if
// the state refers to a service or window that `target` no longer has.
core::HallState remap_state(const DecodedSnapshot& snapshot, const core::HallConfig& target);

}  // namespace hallq::protocol
