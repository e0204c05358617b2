// The replicator: start-up catch-up from the store, then a queue drained by
// rounds of fenced publishes, retried with a growing delay while the cluster
// is away; the leases kept on a thread of their own.
#include "engine/server/replicator.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <optional>

#include "engine/protocol/event_codec.h"
#include "engine/replicate/hall_directory.h"
#include "engine/replicate/ownership.h"
#include "engine/replicate/publisher.h"
#include "engine/server/engine.h"

namespace hallq::server {
namespace {

constexpr std::size_t kMaxRound = 4096;  // events handed to one publish()
constexpr auto kFirstRetry = std::chrono::milliseconds(100);
constexpr auto kMaxRetry = std::chrono::milliseconds(2000);
// The shortest wait for an answer of the owners bucket.
constexpr auto kMinOwnersTimeout = std::chrono::milliseconds(100);

void log(const std::string& line) { std::cerr << "hallqd: replication: " << line << std::endl; }

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string owner_text(const replicate::OwnerRecord& r) {
  if (r.engine.empty()) return "another engine";
  return r.endpoint.empty() ? "engine " + r.engine : fmt::format("engine {} at {}", r.engine, r.endpoint);
}

}  // namespace

void Replicator::retry_at_start(const std::string& what, const std::function<void()>& step) {
  auto delay = kFirstRetry;
  for (int attempt = 1;; ++attempt) {
    try {
      step();
      return;
    } catch (const replicate::ReplicateError& e) {
      if (!e.transient()) throw;
      const auto now = std::chrono::steady_clock::now();
      if (now >= start_deadline_)
        throw replicate::ReplicateError(fmt::format(
            "{}: the cluster did not answer within {} ms of the start (--replicate-start-timeout), "
            "{} attempt(s): {}",
            what, options_.startup_limit.count(), attempt, e.what()));
      // The last attempt at the bound itself.
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(start_deadline_ - now);
      const auto wait = std::min(delay, left);
      log(fmt::format("start: {}: {}; attempt {}, retrying in {} ms (giving up in {} ms)", what, e.what(),
                      attempt, wait.count(), left.count()));
      std::this_thread::sleep_for(wait);  // a retry delay, not a synchronisation
      delay = std::min(delay * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxRetry));
    }
  }
}

Replicator::Replicator(ReplicatorOptions options)
    : options_(std::move(options)),
      start_deadline_(std::chrono::steady_clock::now() + options_.startup_limit) {
  retry_at_start("connecting",
                 [&] { conn_ = std::make_unique<replicate::NatsConnection>(options_.connection); });
  retry_at_start("the events stream", [&] { replicate::ensure_stream(*conn_, options_.stream); });
  publisher_ = std::make_unique<replicate::Publisher>(*conn_, options_.stream.name, options_.publish_retry);
}

Replicator::~Replicator() { stop_threads(); }

void Replicator::stop_threads() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  lease_wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (lease_thread_.joinable()) lease_thread_.join();
}

std::vector<std::string> Replicator::put_snapshots(
    const std::vector<std::pair<std::string, std::string>>& snapshots,
    std::chrono::steady_clock::time_point until) {
  std::vector<std::string> failed, errors(snapshots.size());
  std::vector<std::size_t> todo(snapshots.size());
  for (std::size_t i = 0; i < todo.size(); ++i) todo[i] = i;
  auto delay = kFirstRetry;
  for (;;) {
    std::vector<std::size_t> again;
    try {
      replicate::ensure_halls_bucket(*conn_, options_.halls);
      replicate::HallDirectory directory(*conn_, options_.halls.bucket);
      for (const std::size_t i : todo) {
        bool transient = false;
        errors[i] = directory.put(snapshots[i].first, snapshots[i].second, &transient);
        if (errors[i].empty()) continue;
        if (transient)
          again.push_back(i);
        else
          failed.push_back(errors[i]);
      }
    } catch (const replicate::ReplicateError& e) {
      if (!e.transient()) {
        failed.push_back(e.what());
        return failed;
      }
      again = todo;
      for (const std::size_t i : todo) errors[i] = e.what();
    }
    if (again.empty()) return failed;
    if (std::chrono::steady_clock::now() + delay > until) {
      for (const std::size_t i : again) failed.push_back(errors[i]);
      return failed;
    }
    log(fmt::format("hall snapshots: {} of {} not put yet ({}); trying again in {} ms", again.size(),
                    snapshots.size(), errors[again.front()], delay.count()));
    std::this_thread::sleep_for(delay);  // a retry delay, not a synchronisation
    delay = std::min(delay * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxRetry));
    todo = std::move(again);
  }
}

std::map<std::string, replicate::OwnerRecord> Replicator::claim(const std::vector<std::string>& halls,
                                                                const std::string& endpoint) {
  std::map<std::string, replicate::OwnerRecord> others;
  // Once: a second call (a hall claimed late) keeps the revisions written.
  if (!owners_)
    retry_at_start("the owners bucket", [&] {
      replicate::ensure_owners_bucket(*conn_, options_.owners);
      // Each request waits a quarter lease at most: a bucket that lost its
      // leader is asked again soon, the lease's renewal retried in time.
      const auto timeout =
          std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(options_.lease / 4),
                     kMinOwnersTimeout, options_.connection.request_timeout);
      owners_ = std::make_unique<replicate::Ownership>(*conn_, options_.engine_id, endpoint,
                                                       options_.owners.bucket, timeout);
    });
  const auto deadline = start_deadline_;
  for (const std::string& hall : halls) {
    auto delay = kFirstRetry;
    for (;;) {
      const auto asked = std::chrono::steady_clock::now();
      const replicate::Claim c = owners_->claim(hall, wall_ms(), options_.lease.count());
      if (c.outcome == replicate::ClaimOutcome::kOwned) {
        if (c.was.engine == options_.engine_id) reclaimed_.insert(hall);
        std::lock_guard lock(mu_);
        held_.push_back(hall);
        lease_valid_until_[hall] = asked + options_.lease;
        break;
      }
      if (c.outcome == replicate::ClaimOutcome::kOwnedByOther ||
          c.outcome == replicate::ClaimOutcome::kLost) {
        others[hall] = c.record;  // another engine's live lease: the caller decides
        break;
      }
      if (std::chrono::steady_clock::now() + delay > deadline)
        throw replicate::ReplicateError(
            fmt::format("the owners bucket does not answer within {} ms of the start "
                        "(--replicate-start-timeout): {}",
                        options_.startup_limit.count(), c.detail));
      log(fmt::format("start: claiming hall {}: {}; retrying in {} ms", hall, c.detail, delay.count()));
      std::this_thread::sleep_for(delay);  // a retry delay, not a synchronisation
      delay = std::min(delay * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxRetry));
    }
  }
  log(fmt::format("this engine ({}, {}) owns {} hall(s), lease {} ms", options_.engine_id, endpoint,
                  halls.size() - others.size(), options_.lease.count()));
  return others;
}

std::optional<replicate::OwnerRecord> Replicator::live_owner(const std::string& hall) {
  if (!owners_) return std::nullopt;
  std::optional<replicate::OwnerRecord> r = owners_->owner(hall);
  if (!r || r->engine == options_.engine_id || r->lease_until_ms <= wall_ms()) return std::nullopt;
  return r;
}

void Replicator::follow_instead(const std::string& hall) {
  std::lock_guard lock(mu_);
  held_.erase(std::remove(held_.begin(), held_.end(), hall), held_.end());
  lease_valid_until_.erase(hall);
}

void Replicator::refuse_hall(const std::string& hall, const std::string& why,
                             const replicate::OwnerRecord& owner) {
  bool held = false;
  {
    std::lock_guard lock(mu_);
    held = std::find(held_.begin(), held_.end(), hall) != held_.end();
    held_.erase(std::remove(held_.begin(), held_.end(), hall), held_.end());
    lease_valid_until_.erase(hall);
    fenced_halls_[hall] = Fence{why, owner.engine, owner.endpoint, true};
    stale_halls_.insert(hall);
  }
  if (held && owners_) {
    // Ended at once (lease_until = now): a standby may take the hall over.
    const std::vector<replicate::Claim> ended = owners_->renew_all({hall}, wall_ms(), 0);
    if (ended.empty() || ended.front().outcome != replicate::ClaimOutcome::kOwned)
      log(fmt::format("hall {}: lease not ended (it lapses by itself): {}", hall,
                      ended.empty() ? std::string("no answer") : ended.front().detail));
  }
}

namespace {

ReplicationGate::Fence standby_fence(const std::string& hall, const replicate::OwnerRecord& owner,
                                     const std::string& self) {
  // This engine's own entry (a hall it claimed at start and follows until it
  // holds the stream's tail) names nobody clients could go to.
  const replicate::OwnerRecord named = owner.engine == self ? replicate::OwnerRecord{} : owner;
  return {fmt::format("本机为备用引擎，大厅 {} 由 {} 服务", hall, owner_text(named)), named.engine,
          named.endpoint, false};
}

}  // namespace

void Replicator::stand_by(const std::vector<std::string>& halls, TakeOver take_over) {
  take_over_ = std::move(take_over);
  standby_since_ = std::chrono::steady_clock::now();
  for (const std::string& hall : halls) {
    standby_.push_back(hall);
    // The owner as it stands (who, and where its clients go); the lease
    // thread keeps it current.
    const std::optional<replicate::OwnerRecord> owner = owners_ ? owners_->owner(hall) : std::nullopt;
    if (owner) standby_owner_[hall] = *owner;
    std::lock_guard lock(mu_);
    standby_leases_[hall] = owner ? owner->lease_until_ms : 0;
    fenced_halls_[hall] = standby_fence(hall, owner.value_or(replicate::OwnerRecord{}), options_.engine_id);
  }
  {
    std::lock_guard lock(mu_);
    standby_metrics_ = true;
  }
  log(fmt::format("standby for {} hall(s): following the stream, taking over a lapsed lease", halls.size()));
  record_standby();
}

void Replicator::on_follow_back(FollowBack follow_back, TakeOver take_over) {
  follow_back_ = std::move(follow_back);
  if (!take_over_) take_over_ = std::move(take_over);
}

void Replicator::follow_back(const std::string& hall, const replicate::OwnerRecord& owner) {
  if (!follow_back_ || !take_over_ || owner.engine.empty() || owner.engine == options_.engine_id) return;
  if (std::find(standby_.begin(), standby_.end(), hall) != standby_.end()) {
    std::lock_guard lock(mu_);
    stale_halls_.erase(hall);  // followed already
    return;
  }
  if (!lease_thread_.joinable()) {
    // Lost at start()'s renewal: the engine's thread does not run yet; the
    // lease thread's first pass follows it.
    deferred_follow_back_.emplace_back(hall, owner);
    return;
  }
  std::string why;
  if (!follow_back_(hall, &why)) {
    log(fmt::format("hall {}: not followed as a standby of {}: {}; its reads are refused here too", hall,
                    owner_text(owner), why));
    std::lock_guard lock(mu_);
    stale_halls_.insert(hall);
    return;
  }
  standby_.push_back(hall);
  standby_owner_[hall] = owner;
  followed_back_.insert(hall);
  {
    std::lock_guard lock(mu_);
    stale_halls_.erase(hall);
    standby_leases_[hall] = owner.lease_until_ms;
    standby_metrics_ = true;
  }
  log(
      fmt::format("hall {}: following it as a standby of {}, ready to take it back (its lease lapsing, or "
                  "hallq move-hall)",
                  hall, owner_text(owner)));
}

void Replicator::record_standby(bool end) {
  if (!owners_) return;
  const bool live = !end && !standby_.empty();
  if (!live && !standby_recorded_) return;
  const std::string error = owners_->record_standby(live ? standby_ : std::vector<std::string>{},
                                                    live ? wall_ms() + options_.lease.count() : wall_ms());
  if (!error.empty()) {
    if (error != standby_record_error_) log("cannot record this standby (hallq halls): " + error);
    standby_record_error_ = error;
    return;
  }
  if (!standby_record_error_.empty()) log("standby recorded again");
  standby_record_error_.clear();
  standby_recorded_ = live;
  std::lock_guard lock(mu_);
  standby_recorded_view_ = live;
}

void Replicator::watch_standby() {
  for (auto it = standby_.begin(); it != standby_.end();) {
    const std::string hall = *it;
    const auto started = std::chrono::steady_clock::now();
    // Never owned so far: its own engine may be starting beside this one; left alone for the grace.
    const auto grace = options_.unowned_grace.count() >= 0 ? options_.unowned_grace : 3 * options_.lease;
    if (!standby_owner_.contains(hall) && started < standby_since_ + grace && !owners_->owner(hall)) {
      if (std::find(unowned_told_.begin(), unowned_told_.end(), hall) == unowned_told_.end()) {
        unowned_told_.push_back(hall);
        log(
            fmt::format("hall {} has no owner yet: taken over {} ms after this standby's start unless its "
                        "engine claims it first",
                        hall, grace.count()));
      }
      ++it;
      continue;
    }
    const std::int64_t now = wall_ms();
    const replicate::Claim c = owners_->claim(hall, now, options_.lease.count());
    if (c.outcome != replicate::ClaimOutcome::kOwned) {
      if (c.outcome == replicate::ClaimOutcome::kOwnedByOther) {
        standby_owner_[hall] = c.record;
        std::lock_guard lock(mu_);
        // A hall this engine served stays "taken over" for its clients (the
        // owner's name kept current); another is a standby's.
        if (followed_back_.contains(hall)) {
          Fence& f = fenced_halls_[hall];
          f.engine = c.record.engine;
          f.endpoint = c.record.endpoint;
        } else {
          fenced_halls_[hall] = standby_fence(hall, c.record, options_.engine_id);
        }
        standby_leases_[hall] = c.record.lease_until_ms;
      }
      ++it;
      continue;
    }
    // The lease is this engine's: catch up to the stream's tail, then serve.
    std::string why, snapshot;
    const std::optional<replicate::SubjectTail> tail =
        replicate::read_tail(*conn_, options_.stream.name, hall, &why);
    const bool caught_up = tail && take_over_(hall, tail->hall_seq, &why, &snapshot);
    if (!caught_up) {
      log(
          fmt::format("hall {}: lease taken but not served yet (tried again at the next look; the lease is "
                      "left to lapse meanwhile): {}",
                      hall, tail ? why : "the stream does not answer: " + why));
      ++it;
      continue;
    }
    const auto asked = std::chrono::steady_clock::now();
    const replicate::Claim renewed = owners_->renew(hall, wall_ms(), options_.lease.count());
    if (renewed.outcome == replicate::ClaimOutcome::kOwnedByOther ||
        renewed.outcome == replicate::ClaimOutcome::kLost) {
      log(fmt::format("hall {}: lost the lease while catching up: {}", hall, renewed.detail));
      ++it;
      continue;
    }
    {
      std::lock_guard lock(mu_);
      held_.push_back(hall);
      // Served only within the lease the claim (or this renewal) bought.
      lease_valid_until_[hall] =
          (renewed.outcome == replicate::ClaimOutcome::kOwned ? asked : started) + options_.lease;
      fenced_halls_.erase(hall);
      standby_leases_.erase(hall);
      stream_seq_[hall] = tail->hall_seq;
      forget_tails_.push_back(hall);  // the publishing thread asks the stream afresh
    }
    it = standby_.erase(it);
    followed_back_.erase(hall);
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    const replicate::OwnerRecord& was = standby_owner_[hall];
    if (c.was.handed_over_seq > 0)
      log(fmt::format(
          "took over hall {} handed over by engine {} at seq {}, caught up to seq {}, serving it {} "
          "ms after the claim",
          hall, c.was.moved_from, c.was.handed_over_seq, tail->hall_seq, took.count()));
    else
      log(fmt::format(
          "took over hall {} from {} (its lease ended {} ms before), caught up to seq {}, serving "
          "it {} ms after the claim",
          hall, owner_text(was), was.lease_until_ms > 0 ? now - was.lease_until_ms : 0, tail->hall_seq,
          took.count()));
    standby_owner_.erase(hall);
    // Readers of the stream (the city view) fold the hall from here now.
    if (!snapshot.empty())
      for (const std::string& error :
           put_snapshots({{hall, snapshot}}, std::chrono::steady_clock::now() + options_.lease / 4))
        log(fmt::format("hall {}: the city view keeps the previous owner's snapshot: {}", hall, error));
  }
}

void Replicator::release(const store::EventStore& store, std::chrono::milliseconds drain) {
  {
    std::unique_lock lock(mu_);
    idle_.wait_for(lock, drain, [&] { return queue_.empty() && work_size_ == 0; });
  }
  stop_threads();
  if (!owners_) return;
  record_standby(/*end=*/true);
  std::vector<std::string> held;
  {
    std::lock_guard lock(mu_);
    held = held_;
  }
  // Each hall's tail is one request; when the cluster does not answer, every
  // one would wait its timeout in turn (minutes for hundreds of halls, past
  // any service manager's patience): the checks stop at the first that gets
  // no answer, or at the time limit, and the rest keep their leases to lapse.
  const auto until = std::chrono::steady_clock::now() + kReleaseLimit;
  std::vector<std::string> ending;
  std::size_t unchecked = 0;
  std::string unanswered;
  for (const std::string& hall : held) {
    if (!unanswered.empty() || !conn_->connected() || std::chrono::steady_clock::now() >= until) {
      ++unchecked;
      continue;
    }
    std::string error;
    const std::optional<replicate::SubjectTail> tail = publisher_->tail(hall, &error);
    const std::uint64_t have = store.last_seq(hall);
    if (!tail) {
      unanswered = fmt::format("hall {}: {}", hall, error);
      ++unchecked;
    } else if (tail->hall_seq != have) {
      log(fmt::format("hall {}: lease kept to lapse, the stream holds only up to seq {} (store up to seq {})",
                      hall, tail->hall_seq, have));
    } else {
      ending.push_back(hall);
    }
  }
  if (unchecked > 0)
    log(fmt::format("the leases of {} hall(s) kept to lapse: {}", unchecked,
                    !unanswered.empty()   ? "the stream does not answer (" + unanswered + ")"
                    : !conn_->connected() ? std::string("no connection to the cluster")
                                          : fmt::format("not checked within {} s", kReleaseLimit.count())));
  // The leases end together, in about one round trip (lease_until = now).
  std::size_t released = 0;
  const std::vector<replicate::Claim> claims = owners_->renew_all(ending, wall_ms(), 0);
  for (std::size_t i = 0; i < claims.size(); ++i) {
    if (claims[i].outcome == replicate::ClaimOutcome::kOwned)
      ++released;
    else
      log(fmt::format("hall {}: lease not released: {}", ending[i], claims[i].detail));
  }
  log(fmt::format("released the leases of {} of {} hall(s)", released, held.size()));
}

void Replicator::renew_leases() {
  std::vector<std::string> halls;
  {
    std::lock_guard lock(mu_);
    halls = held_;
  }
  std::vector<std::string> failing;  // not answered this pass
  std::string first_failure;
  const auto asked = std::chrono::steady_clock::now();
  const std::vector<replicate::Claim> claims = owners_->renew_all(halls, wall_ms(), options_.lease.count());
  for (std::size_t i = 0; i < halls.size(); ++i) {
    const std::string& hall = halls[i];
    const replicate::Claim& c = claims[i];
    std::unique_lock lock(mu_);
    // Dropped meanwhile (a fenced publish): its lease is left to lapse.
    if (std::find(held_.begin(), held_.end(), hall) == held_.end()) continue;
    switch (c.outcome) {
      case replicate::ClaimOutcome::kOwned:
        lease_valid_until_[hall] = asked + options_.lease;
        lock.unlock();
        if (lapsed_.erase(hall) > 0)
          log(fmt::format("hall {}: lease renewed again, commands accepted", hall));
        break;
      case replicate::ClaimOutcome::kUnavailable: {
        ++m_.renewals_failed;
        const auto now = std::chrono::steady_clock::now();
        const auto until = lease_valid_until_[hall];
        lock.unlock();
        if (failing.empty()) first_failure = c.detail;
        failing.push_back(hall);
        if (now >= until && lapsed_.insert(hall).second)
          log(fmt::format("hall {}: lease expired {} ms ago without a renewal: {}: {}", hall,
                          std::chrono::duration_cast<std::chrono::milliseconds>(now - until).count(),
                          options_.lease_strict
                              ? "its commands are refused (replication_unavailable) until a renewal succeeds"
                              : "served on (the stream's expected sequence keeps another engine from "
                                "extending it; --lease-strict would refuse its commands)",
                          c.detail));
        break;
      }
      case replicate::ClaimOutcome::kOwnedByOther:
      case replicate::ClaimOutcome::kLost:
        lock.unlock();
        lapsed_.erase(hall);
        drop_hall(hall, "taken over by " + owner_text(c.record), c.record);
        follow_back(hall, c.record);
        break;
      case replicate::ClaimOutcome::kMoveRequested:
        lock.unlock();
        hand_over(hall, c.record);
        break;
    }
  }
  // One line when renewals start failing (hundreds of halls fail together), one when they succeed again.
  if (!renew_failing_ && !failing.empty()) {
    std::string some;
    for (std::size_t i = 0; i < failing.size() && i < 5; ++i) some += (i > 0 ? ", " : "") + failing[i];
    log(fmt::format("cannot renew the lease of {} of {} hall(s) ({}{}): {}", failing.size(), halls.size(),
                    some, failing.size() > 5 ? ", …" : "", first_failure));
  }
  if (renew_failing_ && failing.empty()) log("leases renewed again");
  renew_failing_ = !failing.empty();
}

void Replicator::hand_over(const std::string& hall, const replicate::OwnerRecord& asked) {
  const auto seen = std::chrono::steady_clock::now();
  const replicate::OwnerRecord to{asked.move_to, asked.move_to_endpoint, 0};
  const auto refuse = [&](const std::string& why) {
    {
      std::lock_guard lock(mu_);
      moving_.erase(hall);
    }
    if (hand_over_) (void)hand_over_(hall, false);  // its ticks again
    log(fmt::format("hall {}: not handed over to {} (hallq move-hall): {}; serving it on", hall,
                    owner_text(to), why));
    const auto sent = std::chrono::steady_clock::now();
    const replicate::Claim c = owners_->refuse_move(hall, why, wall_ms(), options_.lease.count());
    if (c.outcome == replicate::ClaimOutcome::kOwned) {
      std::lock_guard lock(mu_);
      lease_valid_until_[hall] = sent + options_.lease;
    } else if (c.outcome == replicate::ClaimOutcome::kLost ||
               c.outcome == replicate::ClaimOutcome::kOwnedByOther) {
      drop_hall(hall, "taken over by " + owner_text(c.record), c.record);
    }  // else: the next renewal tries again
  };
  if (!hand_over_) return refuse("this engine cannot hand halls over");
  log(fmt::format("hall {}: handing it over to {} (hallq move-hall): its commands are refused from now on",
                  hall, owner_text(to)));
  {
    std::lock_guard lock(mu_);
    moving_[hall] = Fence{fmt::format("正在移交给引擎 {}", to.engine), to.engine, to.endpoint, true};
  }
  const std::optional<std::uint64_t> last = hand_over_(hall, true);
  if (!last) return refuse("the engine's thread did not stop the hall in time");
  // Everything the engine applied before it stopped the hall reaches the
  // stream (committed, enqueued, published); the lease must not lapse meanwhile.
  const auto deadline = seen + options_.lease / 2;
  {
    std::unique_lock lock(mu_);
    const bool held = idle_.wait_until(lock, deadline, [&] {
      const auto it = stream_seq_.find(hall);
      return stopping_ || (it != stream_seq_.end() && it->second >= *last);
    });
    if (!held || stopping_) {
      const auto it = stream_seq_.find(hall);
      const std::uint64_t have = it != stream_seq_.end() ? it->second : 0;
      lock.unlock();
      return refuse(
          fmt::format("the stream holds the hall up to seq {} of {} after {} ms", have, *last,
                      std::chrono::duration_cast<std::chrono::milliseconds>(options_.lease / 2).count()));
    }
  }
  const auto stopped_for = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - seen)
        .count();
  };
  for (;;) {
    const replicate::Claim c =
        owners_->hand_over(hall, to.engine, to.endpoint, *last, wall_ms(), options_.lease.count());
    if (c.outcome == replicate::ClaimOutcome::kOwnedByOther) {
      drop_hall(hall, fmt::format("handed over to {} at seq {} (hallq move-hall)", owner_text(to), *last), to,
                *last);
      {
        std::lock_guard lock(mu_);
        moving_.erase(hall);
      }
      log(fmt::format("hall {}: handed over to {} at seq {}, {} ms after the request was seen", hall,
                      owner_text(to), *last, stopped_for()));
      follow_back(hall, to);
      return;
    }
    if (c.outcome != replicate::ClaimOutcome::kUnavailable) {
      drop_hall(hall, "taken over by " + owner_text(c.record), c.record);
      std::lock_guard lock(mu_);
      moving_.erase(hall);
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return refuse("the owners bucket did not answer the handover: " + c.detail);
    // An answer that came at once (no responders: the bucket has no leader)
    // is asked again after a pause, as the publisher does, not in a busy loop.
    std::unique_lock lock(mu_);
    if (lease_wake_.wait_until(lock,
                               std::min(deadline, std::chrono::steady_clock::now() + options_.publish_retry),
                               [&] { return stopping_; }))
      return;  // stopping: the hall stays fenced, its lease lapses
  }
}

void Replicator::keep_leases() {
  const auto every = options_.lease / 4;
  std::unique_lock lock(mu_);
  auto next = std::chrono::steady_clock::now() + every;
  for (;;) {
    lease_wake_.wait_until(lock, next, [&] { return stopping_; });
    if (stopping_) return;
    // Counted from the start of this pass: while the bucket does not answer,
    // each pass takes up to a request's timeout and the next follows at once.
    next = std::chrono::steady_clock::now() + every;
    lock.unlock();
    for (const auto& [hall, owner] : std::exchange(deferred_follow_back_, {})) follow_back(hall, owner);
    renew_leases();
    if (!standby_.empty()) watch_standby();
    record_standby();
    lock.lock();
  }
}

void Replicator::catch_up(const store::EventStore& store, const std::vector<std::string>& halls) {
  const auto deadline = start_deadline_;
  std::lock_guard lock(mu_);
  for (const std::string& hall : halls) {
    std::optional<replicate::SubjectTail> tail;
    std::string error;
    auto delay = kFirstRetry;
    while (!(tail = publisher_->tail(hall, &error))) {
      if (std::chrono::steady_clock::now() + delay > deadline) {
        throw replicate::ReplicateError(
            fmt::format("the events stream does not answer within {} ms of the start "
                        "(--replicate-start-timeout): {}",
                        options_.startup_limit.count(), error));
      }
      log(fmt::format("start: hall {}'s last sequence in the stream: {}; retrying in {} ms", hall, error,
                      delay.count()));
      std::this_thread::sleep_for(delay);  // a retry delay, not a synchronisation
      delay = std::min(delay * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxRetry));
    }
    stream_seq_[hall] = tail->hall_seq;
    const std::uint64_t have = store.last_seq(hall);
    if (tail->hall_seq > have) {
      throw replicate::ReplicateError(fmt::format(
          "the events stream holds hall {} up to seq {}, this store only up to {}: another engine served "
          "it; start from a copy of that engine's store or let that engine serve it",
          hall, tail->hall_seq, have));
    }
    std::size_t queued = 0;
    const auto now = std::chrono::steady_clock::now();
    store.for_each_event(hall, tail->hall_seq + 1, [&](std::uint64_t seq, std::string_view bytes) {
      queue_.push_back({hall, seq, std::string(bytes), 0, now});
      ++queued;
      return true;
    });
    if (queued > 0)
      log(fmt::format("hall {}: the stream lacks seq {}-{}, republishing", hall, tail->hall_seq + 1, have));
  }
  if (!queue_.empty()) ++batches_enqueued_;
}

void Replicator::set_on_progress(std::function<void()> on_progress) {
  std::lock_guard lock(mu_);
  on_progress_ = std::move(on_progress);
}

void Replicator::start() {
  // The start since the claims (the stream's tails, the snapshots, a cluster
  // still electing) may have taken much of the lease: renewed before serving.
  if (owners_) renew_leases();
  thread_ = std::thread([this] { run(); });
  if (owners_) lease_thread_ = std::thread([this] { keep_leases(); });
}

std::uint64_t Replicator::enqueue(const std::vector<Publication>& pubs) {
  const auto now = std::chrono::steady_clock::now();
  bool any = false;
  std::uint64_t number = 0;
  {
    std::lock_guard lock(mu_);
    const std::uint64_t batch = next_batch_++;
    number = batch;
    for (const Publication& p : pubs) {
      // The engine's own encodings: peeked without verifying again.
      const protocol::EventHeader h = protocol::peek_event(protocol::as_bytes(p.bytes));
      if (h.hall.empty() || h.seq == 0) continue;  // a heartbeat
      if (fenced_halls_.find(h.hall) != fenced_halls_.end()) continue;
      queue_.push_back({std::string(h.hall), h.seq, p.bytes, batch, now});
      any = true;
    }
    if (any) ++batches_enqueued_;
    // A batch without events to publish is settled once those before it are.
    if (!any && queue_.empty() && work_size_ == 0 && confirmed_through_ + 1 == batch)
      confirmed_through_ = batch;
  }
  if (any) wake_.notify_one();
  return number;
}

Replicator::Progress Replicator::progress() const {
  std::lock_guard lock(mu_);
  return {confirmed_through_, next_batch_ - 1, available_};
}

bool Replicator::lease_lapsed(std::string_view hall) const {
  std::lock_guard lock(mu_);
  const auto it = lease_valid_until_.find(hall);
  return it != lease_valid_until_.end() && std::chrono::steady_clock::now() >= it->second;
}

bool Replicator::fenced(std::string_view hall, Fence* fence) const {
  std::lock_guard lock(mu_);
  const auto it = fenced_halls_.find(hall);
  if (it == fenced_halls_.end()) return false;
  if (fence != nullptr) *fence = it->second;
  return true;
}

bool Replicator::stale(std::string_view hall, Fence* fence) const {
  std::lock_guard lock(mu_);
  if (!stale_halls_.contains(hall)) return false;
  const auto it = fenced_halls_.find(hall);
  if (fence != nullptr && it != fenced_halls_.end()) *fence = it->second;
  return true;
}

bool Replicator::handing_over(std::string_view hall, Fence* fence) const {
  std::lock_guard lock(mu_);
  const auto it = moving_.find(hall);
  if (it == moving_.end()) return false;
  if (fence != nullptr) *fence = it->second;
  return true;
}

void Replicator::drop_hall(const std::string& hall, const std::string& why,
                           const replicate::OwnerRecord& owner, std::uint64_t handed_over_seq) {
  log(fmt::format("hall {} is no longer replicated by this engine: {}", hall, why));
  {
    std::lock_guard lock(mu_);
    held_.erase(std::remove(held_.begin(), held_.end(), hall), held_.end());  // its lease is left to lapse
    lease_valid_until_.erase(hall);
    fenced_halls_.emplace(hall, Fence{why, owner.engine, owner.endpoint, true, handed_over_seq});
    stale_halls_.insert(hall);  // until it is followed back (follow_back())
    queue_.erase(std::remove_if(queue_.begin(), queue_.end(), [&](const Item& i) { return i.hall == hall; }),
                 queue_.end());
    ++fences_;  // the publishing thread drops the hall's events it holds
  }
  wake_.notify_all();
}

void Replicator::drop_fenced(std::deque<Item>& work) const {
  work.erase(std::remove_if(work.begin(), work.end(),
                            [&](const Item& i) { return fenced_halls_.find(i.hall) != fenced_halls_.end(); }),
             work.end());
}

bool Replicator::publish_some(std::deque<Item>& work) {
  const std::size_t n = std::min(work.size(), kMaxRound);
  std::vector<replicate::OutEvent> batch;
  batch.reserve(n);
  for (std::size_t i = 0; i < n; ++i) batch.push_back({work[i].hall, work[i].seq, work[i].bytes});
  const std::vector<replicate::PublishResult> results = publisher_->publish(batch);

  bool available = true;
  std::uint64_t stored = 0, dup = 0, fenced = 0;
  std::map<std::string, std::string> stop;  // hall -> why
  std::vector<bool> done(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    switch (results[i].outcome) {
      case replicate::PublishOutcome::kStored:
        ++stored;
        done[i] = true;
        break;
      case replicate::PublishOutcome::kDuplicate:
        ++dup;
        done[i] = true;
        break;
      case replicate::PublishOutcome::kFenced:
        ++fenced;
        stop.emplace(work[i].hall, "fenced: " + results[i].detail);
        break;
      case replicate::PublishOutcome::kGap:
        stop.emplace(work[i].hall, "the stream does not hold its earlier events: " + results[i].detail);
        break;
      case replicate::PublishOutcome::kUnavailable:
        if (available) log("cluster unavailable, keeping events queued: " + results[i].detail);
        available = false;
        break;
    }
  }
  std::map<std::string, std::uint64_t> held;  // hall -> its highest event the stream now holds
  for (std::size_t i = 0; i < n; ++i)
    if (done[i]) held[work[i].hall] = std::max(held[work[i].hall], work[i].seq);
  std::deque<Item> rest;
  for (std::size_t i = 0; i < work.size(); ++i) {
    if (i < n && done[i]) continue;
    rest.push_back(std::move(work[i]));
  }
  work.swap(rest);
  for (const auto& [hall, why] : stop) drop_hall(hall, why);
  std::lock_guard lock(mu_);
  if (!stop.empty()) drop_fenced(work);
  for (const auto& [hall, seq] : held) {
    std::uint64_t& known = stream_seq_[hall];
    known = std::max(known, seq);
  }
  m_.published += stored;
  m_.duplicates += dup;
  m_.fenced += fenced;
  m_.rounds = publisher_->rounds();
  m_.resends = publisher_->resends();
  if (!available) ++m_.unavailable;
  return available;
}

void Replicator::run() {
  std::deque<Item> work;
  auto delay = kFirstRetry;
  bool was_unavailable = false;
  std::uint64_t fences_seen = 0;
  std::unique_lock lock(mu_);
  // After a round, or after halls were dropped: what is settled, and who waits on it.
  const auto settle = [&](std::optional<bool> ok) {
    work_size_ = work.size();
    if (!work.empty()) {
      work_since_ = work.front().since;
      work_batch_ = work.front().batch;
    }
    batches_done_ = work.empty() && queue_.empty() ? batches_enqueued_ : batches_done_;
    // Items are in batch order: everything before the first one left is settled.
    const std::uint64_t first_left = !work.empty()     ? work.front().batch
                                     : !queue_.empty() ? queue_.front().batch
                                                       : next_batch_;
    confirmed_through_ = std::max(confirmed_through_, first_left == 0 ? 0 : first_left - 1);
    if (ok) available_ = *ok;
    idle_.notify_all();
    if (on_progress_) {
      const std::function<void()> call = on_progress_;
      lock.unlock();
      call();
      lock.lock();
    }
  };
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || !work.empty() || fences_ != fences_seen; });
    if (stopping_) return;
    const bool dropped = fences_ != fences_seen;
    if (dropped) {
      // Halls the lease thread found taken over: their events are not published.
      fences_seen = fences_;
      drop_fenced(work);
    }
    for (const std::string& hall : forget_tails_) publisher_->forget(hall);
    forget_tails_.clear();
    // Merge whatever queued meanwhile behind what is still unpublished.
    while (!queue_.empty()) {
      work.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    if (work.empty()) {
      if (dropped) settle(std::nullopt);
      continue;
    }
    work_size_ = work.size();
    work_since_ = work.front().since;
    work_batch_ = work.front().batch;
    lock.unlock();
    const bool ok = publish_some(work);
    lock.lock();
    settle(ok);
    if (ok) {
      if (was_unavailable) log("cluster available again, catching up");
      was_unavailable = false;
      delay = kFirstRetry;
      continue;
    }
    was_unavailable = true;
    // Retry later (woken early to stop, or to drop a hall taken over).
    wake_.wait_until(lock, std::chrono::steady_clock::now() + delay,
                     [&] { return stopping_ || fences_ != fences_seen; });
    delay = std::min(delay * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxRetry));
  }
}

Replicator::Metrics Replicator::metrics() const {
  std::lock_guard lock(mu_);
  Metrics m = m_;
  m.pending_events = work_size_ + queue_.size();
  if (m.pending_events > 0) {
    const auto oldest = work_size_ > 0 ? work_since_ : queue_.front().since;
    const std::uint64_t first_batch = work_size_ > 0 ? work_batch_ : queue_.front().batch;
    m.lag_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - oldest).count();
    m.pending_batches = next_batch_ > first_batch ? next_batch_ - first_batch : 1;
  }
  m.connected = conn_->connected();
  m.halls_owned = held_.size();
  const auto now = std::chrono::steady_clock::now();
  for (const std::string& hall : held_) {
    const auto it = lease_valid_until_.find(hall);
    if (it == lease_valid_until_.end()) continue;
    if (now >= it->second) ++m.leases_lapsed;
    m.lease_age_seconds = std::max(
        m.lease_age_seconds, std::chrono::duration<double>(now - (it->second - options_.lease)).count());
  }
  return m;
}

std::string Replicator::metrics_text() const {
  const Metrics m = metrics();
  std::map<std::string, std::int64_t> standby_leases;
  bool standby_recorded = false, standby_metrics = false;
  {
    std::lock_guard lock(mu_);
    standby_leases = standby_leases_;
    standby_recorded = standby_recorded_view_;
    standby_metrics = standby_metrics_;
  }
  std::string out;
  auto add = [&](const char* name, const char* type, const char* help, double v) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, v);
  };
  add("hallq_replication_published_total", "counter", "Events stored in the NATS events stream.",
      static_cast<double>(m.published));
  add("hallq_replication_duplicates_total", "counter", "Events the stream already held (retries).",
      static_cast<double>(m.duplicates));
  add("hallq_replication_fenced_total", "counter", "Events refused: another engine extends the hall.",
      static_cast<double>(m.fenced));
  add("hallq_replication_rounds_total", "counter", "Rounds of publishes.", static_cast<double>(m.rounds));
  add("hallq_replication_resends_total", "counter",
      "Events sent again within a round: not acknowledged within --publish-retry, or refused for no leader.",
      static_cast<double>(m.resends));
  add("hallq_replication_unavailable_total", "counter",
      "Publish attempts that found the cluster unavailable.", static_cast<double>(m.unavailable));
  add("hallq_replication_pending_events", "gauge", "Committed events not yet in the stream.",
      static_cast<double>(m.pending_events));
  add("hallq_replication_pending_batches", "gauge", "Committed batches not yet fully in the stream.",
      static_cast<double>(m.pending_batches));
  add("hallq_replication_lag_seconds", "gauge", "Age of the oldest committed event not yet in the stream.",
      m.lag_seconds);
  add("hallq_replication_connected", "gauge", "1 while connected to the NATS cluster.", m.connected ? 1 : 0);
  add("hallq_replication_halls_owned", "gauge", "Halls whose lease this engine holds (not lost).",
      static_cast<double>(m.halls_owned));
  add("hallq_replication_leases_lapsed", "gauge",
      "Owned halls whose lease expired without a renewal (commands refused until one succeeds).",
      static_cast<double>(m.leases_lapsed));
  add("hallq_replication_lease_age_seconds", "gauge",
      "Time since the least recently renewed lease was last renewed (sent).", m.lease_age_seconds);
  add("hallq_replication_lease_renewals_failed_total", "counter",
      "Lease renewals the owners bucket did not answer.", static_cast<double>(m.renewals_failed));
  if (!standby_metrics) return out;  // not a standby (yet)
  // A standby's view (hallqd --standby): the owners' leases it waits on.
  add("hallq_replication_standby_halls", "gauge", "Halls this standby follows and does not serve (yet).",
      static_cast<double>(standby_leases.size()));
  add("hallq_replication_standby_recorded", "gauge",
      "1 while this standby's record (hallq halls) is live in the owners bucket.", standby_recorded ? 1 : 0);
  out +=
      "# HELP hallq_replication_owner_lease_remaining_seconds Time left of the serving engine's lease, as "
      "this standby last read it (negative: lapsed, to be taken over).\n"
      "# TYPE hallq_replication_owner_lease_remaining_seconds gauge\n";
  const std::int64_t now = wall_ms();
  for (const auto& [hall, until] : standby_leases)
    out += fmt::format("hallq_replication_owner_lease_remaining_seconds{{hall=\"{}\"}} {}\n", hall,
                       until == 0 ? 0.0 : static_cast<double>(until - now) / 1000.0);
  return out;
}

}  // namespace hallq::server
