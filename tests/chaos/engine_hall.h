// The engine's current state of one hall, read the way a display reads it: a
// snapshot request over the client's socket, decoded into a core::Hall run by
// the snapshot's own config and policy. Chaos and storage tests compare it
// with what they expect after kills, refusals and restores.
//
// Errors: null if the engine did not answer, refused, or sent a snapshot that
// does not decode. Thread: the client's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/client/client.h"
#include "engine/core/hall.h"

namespace hallq::chaos {

// `epoch`, if given, receives the snapshot's store epoch and `bytes` the
// snapshot as the engine sent it.
std::unique_ptr<core::Hall> engine_hall(client::Client& c, const std::string& hall,
                                        std::uint64_t* epoch = nullptr, std::string* bytes = nullptr);

}  // namespace hallq::chaos
