// What the server asks of replication (hallqd --replicate): numbered batches
// handed over after their durable commit, how far the stream has taken them,
// and which halls another engine has fenced off. engine/server/replicator.h
// implements it over NATS JetStream; the server library itself links no
// NATS client.
//
// Thread: every member from any thread; the on_progress callback runs on the
// replication's own thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hallq::server {

struct Publication;

class ReplicationGate {
 public:
  struct Progress {
    std::uint64_t confirmed_through = 0;  // every batch up to this number is settled
    std::uint64_t last_enqueued = 0;      // the number enqueue() returned last
    bool available = true;                // the last attempt reached the cluster
  };

  virtual ~ReplicationGate() = default;
  // Queues a durable batch's publications; returns the batch's number (from
  // 1, in order).
  virtual std::uint64_t enqueue(const std::vector<Publication>& pubs) = 0;
  // A batch is settled when the stream holds its events, or they were
  // dropped with a fenced hall (fenced() tells).
  virtual Progress progress() const = 0;
  // Why a hall's commands are refused not_owner here, and who serves it.
  struct Fence {
    std::string why;          // how it came to be, for people (part of the refusal)
    std::string engine;       // the engine that serves the hall (empty: unknown)
    std::string endpoint;     // the command endpoint its clients reach it at (empty: unknown)
    bool taken_over = false;  // this engine served the hall and lost it; false: a standby's hall
    // Handed over (hallq move-hall) after the stream took every event this
    // engine applied to the hall, up to this sequence (0: not a move).
    std::uint64_t handed_over_seq = 0;
  };
  // Whether another engine extends `hall`'s history (then `fence` says how
  // and, where known, who).
  virtual bool fenced(std::string_view hall, Fence* fence = nullptr) const = 0;
  // Whether this engine neither serves nor follows the fenced `hall` (its
  // store diverged from the stream, or following a hall it lost failed):
  // what it holds of the hall stopped when the hall was fenced, so its reads
  // (snapshots, the HTTP API's views) are refused not_owner like its
  // commands, naming who serves it (`fence`), rather than shown stale.
  virtual bool stale(std::string_view /*hall*/, Fence* /*fence*/ = nullptr) const { return false; }
  // Whether `hall` is being handed to another engine (hallq move-hall): its
  // new commands are refused not_owner naming that engine (`fence`), while
  // those applied before are still published and answered as usual.
  virtual bool handing_over(std::string_view /*hall*/, Fence* /*fence*/ = nullptr) const { return false; }
  // Whether this engine's lease on `hall` expired without a renewal (the
  // owners bucket did not answer for a whole lease): then its commands must
  // not be applied until a renewal succeeds, or another engine may already
  // serve the hall.
  virtual bool lease_lapsed(std::string_view hall) const = 0;
  // Called after every attempt to publish (null: nothing is called).
  virtual void set_on_progress(std::function<void()> on_progress) = 0;
};

}  // namespace hallq::server
