#include "engine/server/peer_limits.h"

#include <algorithm>

namespace hallq::server {

void PeerLimits::refill(Peer& p, std::int64_t now_us) const {
  const double elapsed_s = static_cast<double>(std::max<std::int64_t>(0, now_us - p.refilled_us)) / 1e6;
  p.tokens = std::min(options_.snapshot_burst, p.tokens + elapsed_s * options_.snapshots_per_s);
  p.refilled_us = now_us;
}

PeerLimits::Verdict PeerLimits::admit(std::string_view peer, bool snapshot, std::int64_t now_us) {
  auto it = peers_.find(peer);
  if (it == peers_.end())
    it = peers_.emplace(std::string(peer), Peer{0, options_.snapshot_burst, now_us}).first;
  Peer& p = it->second;
  if (snapshot) {
    refill(p, now_us);
    if (p.tokens < 1) return Verdict::kSnapshots;
    p.tokens -= 1;
  }
  ++p.in_batch;
  return Verdict::kOk;
}

void PeerLimits::batch_sealed() {
  for (auto& [id, p] : peers_) p.in_batch = 0;
}

void PeerLimits::forget_idle(std::int64_t now_us) {
  for (auto it = peers_.begin(); it != peers_.end();) {
    refill(it->second, now_us);
    if (it->second.in_batch == 0 && it->second.tokens >= options_.snapshot_burst)
      it = peers_.erase(it);
    else
      ++it;
  }
}

}  // namespace hallq::server
