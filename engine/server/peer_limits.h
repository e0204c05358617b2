// Per-peer fairness on the command ROUTER (issue 16): ZeroMQ already reads
// the peers in turn (one message each); on top of that one connection
// (routing id) may ask for at most `snapshot_burst` snapshots at once,
// refilled at `snapshots_per_s` (a snapshot reply holds the whole hall: a
// flood of them would fill memory and the batch's time). Beyond, the request
// is refused with a short reply and never reaches the engine. Other requests
// are not limited here: a pipelining client may put thousands into one batch.
// State is kept only for peers seen recently (forget_idle), so it returns
// once a peer has left.
//
// Pure: times are passed in (a steady clock's microseconds). Thread: one owner.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace hallq::server {

struct PeerLimitOptions {
  // A checker or a display asks for a few dozen at once at most.
  double snapshots_per_s = 16;
  double snapshot_burst = 32;
};

class PeerLimits {
 public:
  enum class Verdict { kOk, kSnapshots };

  explicit PeerLimits(PeerLimitOptions options = {}) : options_(options) {}

  // Whether a request from `peer` (a snapshot request or not) may enter the
  // open batch at `now_us`; counts it if so (until batch_sealed()).
  Verdict admit(std::string_view peer, bool snapshot, std::int64_t now_us);
  // A batch was sealed: the per-batch counts start again.
  void batch_sealed();
  // Forgets peers with nothing in the open batch and a full snapshot bucket.
  void forget_idle(std::int64_t now_us);
  std::size_t peers() const { return peers_.size(); }
  const PeerLimitOptions& options() const { return options_; }

 private:
  struct Peer {
    std::uint32_t in_batch = 0;
    double tokens = 0;
    std::int64_t refilled_us = 0;
  };
  void refill(Peer& p, std::int64_t now_us) const;

  PeerLimitOptions options_;
  std::map<std::string, Peer, std::less<>> peers_;
};

}  // namespace hallq::server
