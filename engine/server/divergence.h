// Where this engine's store of a hall stands against the events stream's
// history of it, for an engine restarted with the halls it served before
// (issue 19: another engine may have taken them over meanwhile). Four cases:
//   kEqual    the same history;
//   kBehind   the store is a prefix of the stream (another engine served the
//             hall since): this engine can follow on from the stream;
//   kAhead    the stream is a prefix of the store (events committed here and
//             not published yet): an owner republishes them; if another
//             engine serves the hall they are diverged (it extends the stream
//             with events of its own under those sequences);
//   kForked   the two hold different events at some sequence: events
//             committed here that never reached the stream, while another
//             engine extended the hall (--ack local, or a batch in flight at
//             a kill). The stream's history is the one acknowledged by the
//             cluster; the store's events after `common` are diverged.
// Compared by the events' bytes: the store's last event (or the stream's
// last, when the store holds more) against the stream's event at that
// sequence; for a fork, the last sequence both agree at is found by probing
// backwards with doubling steps, then bisecting (a few reads of one event
// each: resume_position plus one message of an ordered consumer).
//
// keep_diverged() writes the store's events after a sequence into a file
// under a directory (they stay in the store too): `HALL-seq-A-B.events`, each
// event as 8 bytes of sequence and 4 of length (big-endian) then its bytes,
// and beside it `HALL-seq-A-B.txt`, one line per event (sequence, time,
// kind, ticket number, request id) for the people who must settle them.
//
// Thread: any. Errors: compare_with_stream() throws replicate::ReplicateError
// when the stream does not answer (or an event cannot be read back) by
// `deadline`; keep_diverged() throws std::runtime_error naming the file when
// it cannot be written.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "engine/replicate/nats_connection.h"

namespace hallq::store {
class EventStore;
}

namespace hallq::server {

enum class Standing { kEqual, kBehind, kAhead, kForked };

struct StoreVsStream {
  Standing standing = Standing::kEqual;
  std::uint64_t store_last = 0;   // the store's last sequence of the hall
  std::uint64_t stream_last = 0;  // the stream's
  std::uint64_t common = 0;       // the last sequence at which both hold the same event (0: none)
};

// The store's last sequence of the hall is `store_last` (from another
// thread than the store's owner, which alone may ask it; the store's reads
// of events are safe from any thread), or store.last_seq(hall).
StoreVsStream compare_with_stream(replicate::NatsConnection& conn, const std::string& stream,
                                  const store::EventStore& store, const std::string& hall,
                                  std::chrono::steady_clock::time_point deadline);
StoreVsStream compare_with_stream(replicate::NatsConnection& conn, const std::string& stream,
                                  const store::EventStore& store, const std::string& hall,
                                  std::chrono::steady_clock::time_point deadline, std::uint64_t store_last);
// The same, but where the caller knows that every event the stream holds of
// the hall is this engine's (the owners entry was its own: nobody else
// claimed the hall since), a stream at or behind the store is taken for a
// prefix without reading an event back (one request instead of a few: an
// engine of hundreds of halls restarts as fast as before).
StoreVsStream compare_with_stream_of_own(replicate::NatsConnection& conn, const std::string& stream,
                                         const store::EventStore& store, const std::string& hall,
                                         std::chrono::steady_clock::time_point deadline);

// Writes the store's events of `hall` after `after`, up to `last`, under
// `dir` (created if missing); returns the path of the .events file.
std::string keep_diverged(const store::EventStore& store, const std::string& hall, std::uint64_t after,
                          std::uint64_t last, const std::string& dir);

}  // namespace hallq::server
