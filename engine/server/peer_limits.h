// Per-peer fairness on the command ROUTER (issue 16): ZeroMQ already reads
// the peers in turn; on top of that one connection (routing id) may put at
// most `per_batch` requests into one batch, and ask for at most
// `snapshot_burst` snapshots at once, refilled at `snapshots_per_s` (a
// snapshot reply holds the whole hall: a flood of them would fill memory and
// the batch's time). Beyond either, the request is refused with a short
// reply and never reaches the engine. State is kept only for peers seen
// recently (forget_idle), so it returns once a peer has left.
//
// Pure: times are passed in (a steady clock's microseconds). Thread: one owner.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace hallq::server {

struct PeerLimitOptions {
  // Below ServerOptions::cmd_hwm: a batch's replies to a peer leave in one
  // burst, and ZeroMQ learns of the peer's reads only between bursts.
  std::uint32_t per_batch = 256;
  double snapshots_per_s = 4;
  double snapshot_burst = 8;
};

class PeerLimits {
 public:
  enum class Verdict { kOk, kBusy, kSnapshots };

  explicit PeerLimits(PeerLimitOptions options = {}) : options_(options) {}

  // Whether a request from `peer` (a snapshot request or not) may enter the
  // open batch at `now_us`; counts it if so.
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
