// Batching, durability and recovery around the pure halls.
#include "engine/server/engine.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <random>
#include <stdexcept>

#include "engine/policy/policy_registry.h"
#include "engine/policy/tidal_advisor.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/personal_data.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/server/commit_thread.h"
#include "engine/store/event_store.h"

namespace hallq::server {

using core::ErrorCode;

struct Engine::HallSlot {
  std::shared_ptr<const core::HallConfig> config;
  const core::CallPolicy* policy = nullptr;
  std::unique_ptr<core::Hall> hall;
  std::string topic;
  std::string private_topic;                // protocol::private_topic_of
  core::Seq committed_seq = 0;              // last sequence durable in the store
  core::Seq sealed_seq = 0;                 // last sequence handed to the store (>= committed_seq)
  core::Seq last_snapshot = 0;              // sequence of the latest stored snapshot
  core::TimeUs last_snapshot_at = 0;        // when it was taken (0: not since the engine started)
  std::uint64_t sealed_bytes = 0;           // bytes of the events sealed since the engine started
  std::uint64_t snapshot_sealed_bytes = 0;  // sealed_bytes when the latest snapshot was taken
  std::size_t last_snapshot_bytes = 0;      // its size
  core::TimeUs last_advice = 0;             // when the advisor last looked at this hall
  std::vector<std::string> batch_events;    // encoded, seq sealed_seq + 1 ...
  bool touched = false;                     // changed in the open batch
  bool snapshot_pending = false;            // a snapshot of it is queued for the commit thread
  bool following = false;                   // a standby's: its events come from its owner
  std::string follow_run_id;                // the request whose followed events run now
  core::RequestRecord follow_run;           // and where they start, how many
};

struct Engine::PendingReply {
  enum class Kind { kReady, kEvents, kSnapshot, kAudit } kind = Kind::kReady;
  std::string ready;  // the encoded reply (kEvents, kSnapshot: once sealed); kAudit: the record until sealed
  HallSlot* slot = nullptr;
  std::string request_id;
  core::Seq first_seq = 0;  // kEvents: the command's events
  std::uint32_t count = 0;
  bool duplicate = false;
  protocol::PersonalData personal = protocol::PersonalData::kInclude;  // of the snapshot or events
};

// A batch handed to the commit thread: its replies are encoded and wait
// for the write to end.
struct Engine::Sealed {
  std::vector<PendingReply> replies;
  std::vector<Publication> publications;
  std::vector<std::pair<HallSlot*, core::Seq>> halls;  // the halls it changes, and their last event
  std::shared_ptr<store::EventStore::Batch> batch;
  std::uint64_t job = 0;  // the commit thread's; 0: nothing to write
};

namespace {

std::uint64_t random_epoch() {
  std::random_device rd;
  std::uint64_t e = 0;
  while (e == 0) e = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  return e;
}

std::string error_reply(std::string_view request_id, ErrorCode code, std::string_view message) {
  protocol::ReplySpec spec;
  spec.request_id = request_id;
  spec.code = code;
  spec.message = message;
  return protocol::encode_reply(spec);
}

// What an operator should read in a refusal and in the log. LMDB reports a
// write cut short by a full disk as EIO, so the free space of the data dir
// and the process's file-size limit (ulimit -f) tell a full disk from a
// failing one.
std::string storage_reason(const store::StoreError& e, const std::string& dir) {
  if (e.map_full()) return fmt::format("存储已达上限 --map-limit-mib（{}）", e.what());
  const int code = e.code();
  if (code != ENOSPC && code != EDQUOT && code != EFBIG && code != EIO) return e.what();
  struct statvfs fs {};
  const bool known = ::statvfs(dir.c_str(), &fs) == 0;
  const std::uint64_t free_kib = known ? static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize / 1024 : 0;
  rlimit fsize{};
  const bool limited = ::getrlimit(RLIMIT_FSIZE, &fsize) == 0 && fsize.rlim_cur != RLIM_INFINITY;
  if (code == EFBIG || (code == EIO && limited && !(known && free_kib < 1024)))
    return fmt::format("磁盘空间不足：超过进程的文件大小上限 {} KiB（ulimit -f；{}）",
                       limited ? fsize.rlim_cur / 1024 : 0, e.what());
  if (code != EIO || (known && free_kib < 1024))
    return fmt::format("磁盘空间不足：数据目录剩余 {} KiB（{}）", free_kib, e.what());
  return fmt::format("磁盘写入错误（{}）", e.what());
}

}  // namespace

Engine::Engine(std::vector<std::shared_ptr<const core::HallConfig>> halls, store::EventStore& store,
               EngineOptions options)
    : store_(store), options_(std::move(options)), epoch_(random_epoch()) {
  for (auto& config : halls) {
    if (halls_.count(config->id) != 0)
      throw std::runtime_error(fmt::format("hall \"{}\" is configured twice", config->id));
    auto slot = std::make_unique<HallSlot>();
    slot->policy = policy::find_policy(config->rules.policy);
    if (slot->policy == nullptr) {
      throw std::runtime_error(fmt::format("hall \"{}\": unknown policy \"{}\" (known: {})", config->id,
                                           config->rules.policy, fmt::join(policy::policy_names(), ", ")));
    }
    slot->topic = protocol::topic_of(config->id);
    slot->private_topic = protocol::private_topic_of(config->id);
    slot->config = std::move(config);
    recover(*slot);
    info_.halls.push_back(slot->config->id);
    halls_.emplace(slot->config->id, std::move(slot));
  }
  info_.epoch = epoch_;
  info_.version = options_.version;
  committer_ = std::make_unique<CommitThread>(store_);
}

Engine::~Engine() = default;

Engine::HallSlot* Engine::find(std::string_view id) {
  auto it = halls_.find(id);
  return it == halls_.end() ? nullptr : it->second.get();
}

const core::Hall* Engine::hall(std::string_view id) const {
  auto it = halls_.find(id);
  return it == halls_.end() ? nullptr : it->second->hall.get();
}

std::vector<std::string> Engine::hall_ids() const { return info_.halls; }

void Engine::recover(HallSlot& slot) {
  const std::string& id = slot.config->id;
  slot.hall = std::make_unique<core::Hall>(slot.config, slot.policy, &predict::default_predictor());
  slot.last_snapshot = 0;
  if (auto snap = store_.latest_snapshot(id)) {
    const protocol::Bytes bytes = protocol::as_bytes(snap->bytes);
    std::string why;
    if (protocol::inspect(bytes, &why) != protocol::MessageKind::kSnapshot)
      throw core::CorruptionError(
          fmt::format("hall {}: stored snapshot {} is unreadable: {}", id, snap->seq, why));
    protocol::DecodedSnapshot decoded;
    if (core::Status st = protocol::decode_snapshot(bytes, decoded); !st)
      throw core::CorruptionError(
          fmt::format("hall {}: stored snapshot {}: {}", id, snap->seq, st.message()));
    slot.hall->import_state(protocol::remap_state(decoded, *slot.config));
    slot.last_snapshot = snap->seq;
    slot.last_snapshot_bytes = snap->bytes.size();
  }

  // Replay the events after the snapshot, rebuilding the request-id memory:
  // the events of one command are consecutive and carry its request id.
  std::string run_id;
  core::RequestRecord run;
  auto close_run = [&] {
    if (!run_id.empty()) slot.hall->remember_request(run_id, run);
    run_id.clear();
  };
  protocol::DecodedEvent decoded;
  store_.for_each_event(id, slot.hall->seq() + 1, [&](std::uint64_t seq, std::string_view raw) {
    const std::string copy(raw);  // LMDB memory is not aligned for FlatBuffers
    const protocol::Bytes bytes = protocol::as_bytes(copy);
    std::string why;
    if (protocol::inspect(bytes, &why) != protocol::MessageKind::kEvent)
      throw core::CorruptionError(fmt::format("hall {}: stored event {} is unreadable: {}", id, seq, why));
    if (core::Status st = protocol::decode_event(bytes, *slot.config, decoded); !st)
      throw core::CorruptionError(fmt::format("hall {}: stored event {}: {}", id, seq, st.message()));
    slot.hall->apply_event(decoded.event);
    if (decoded.request_id.empty() || decoded.request_id != run_id || run.first_seq + run.count != seq) {
      close_run();
      if (!decoded.request_id.empty()) {
        run_id = decoded.request_id;
        run = {seq, 0};
      }
    }
    if (!run_id.empty()) ++run.count;
    return true;
  });
  close_run();
  slot.committed_seq = slot.sealed_seq = slot.hall->seq();
  if (store_.last_seq(id) != slot.committed_seq) {
    throw core::CorruptionError(fmt::format("hall {}: store ends at event {} but recovery reached {}", id,
                                            store_.last_seq(id), slot.committed_seq));
  }
  slot.batch_events.clear();
  slot.touched = false;
}

void Engine::set_following(std::string_view hall, bool following) {
  HallSlot* slot = find(hall);
  if (slot == nullptr) return;
  if (!following && !slot->follow_run_id.empty()) {
    slot->hall->remember_request(slot->follow_run_id, slot->follow_run);
    slot->follow_run_id.clear();
  }
  slot->following = following;
}

bool Engine::following(std::string_view hall) const {
  auto it = halls_.find(hall);
  return it != halls_.end() && it->second->following;
}

core::Status Engine::follow(std::string_view hall, std::string bytes) {
  HallSlot* slot = find(hall);
  if (slot == nullptr) return {ErrorCode::kUnknownHall, fmt::format("no hall \"{}\" here", hall)};
  const protocol::Bytes b = protocol::as_bytes(bytes);
  std::string why;
  if (protocol::inspect(b, &why) != protocol::MessageKind::kEvent)
    return {ErrorCode::kMalformed, fmt::format("not an event: {}", why)};
  protocol::DecodedEvent decoded;
  if (core::Status st = protocol::decode_event(b, *slot->config, decoded); !st) return st;
  if (decoded.hall != hall)
    return {ErrorCode::kMalformed, fmt::format("an event of hall \"{}\"", decoded.hall)};
  const core::Seq seq = decoded.event.seq;
  if (seq != slot->hall->seq() + 1)
    return {ErrorCode::kMalformed,
            fmt::format("event seq {} does not follow the hall's seq {}", seq, slot->hall->seq())};
  try {
    slot->hall->apply_event(decoded.event);
  } catch (const core::CorruptionError& e) {
    return {ErrorCode::kMalformed, fmt::format("event seq {} does not fit the hall: {}", seq, e.what())};
  }
  // The request memory, as recovery rebuilds it: a command's events are
  // consecutive and carry its request id.
  std::string& run_id = slot->follow_run_id;
  core::RequestRecord& run = slot->follow_run;
  if (decoded.request_id.empty() || decoded.request_id != run_id || run.first_seq + run.count != seq) {
    if (!run_id.empty()) slot->hall->remember_request(run_id, run);
    run_id.clear();
    if (!decoded.request_id.empty()) {
      run_id = decoded.request_id;
      run = {seq, 0};
    }
  }
  if (!run_id.empty()) ++run.count;
  slot->batch_events.push_back(std::move(bytes));
  slot->touched = true;
  return {};
}

void Engine::add_events(HallSlot& slot, std::size_t first, std::string_view request_id) {
  for (std::size_t i = first; i < scratch_.size(); ++i)
    slot.batch_events.push_back(protocol::encode_event(*slot.hall, scratch_[i], request_id));
  if (first < scratch_.size()) slot.touched = true;
}

core::Status Engine::apply_request(protocol::Bytes bytes, core::TimeUs now, protocol::PersonalData personal) {
  ++counters_.requests;
  latest_now_ = std::max(latest_now_, now);
  PendingReply& reply = pending_.emplace_back();
  reply.personal = personal;
  auto refuse = [&](std::string_view request_id, ErrorCode code, std::string message) {
    reply.ready = error_reply(request_id, code, message);
    return core::Status(code, std::move(message));
  };
  if (bytes.size() > protocol::kMaxRequestBytes) {
    ++counters_.malformed;
    return refuse("", ErrorCode::kTooLarge,
                  fmt::format("请求过大（{} 字节，上限 {}）", bytes.size(), protocol::kMaxRequestBytes));
  }
  std::string why;
  const protocol::MessageKind kind = protocol::inspect(bytes, &why);
  if (kind != protocol::MessageKind::kRequest) {
    ++counters_.malformed;
    return refuse("", ErrorCode::kMalformed,
                  kind == protocol::MessageKind::kInvalid ? fmt::format("无法解析的消息：{}", why)
                                                          : std::string("不是请求消息"));
  }
  protocol::DecodedRequest request;
  if (core::Status st = protocol::decode_request(bytes, request); !st) {
    ++counters_.malformed;
    return refuse(request.request_id, st.code(), st.message());
  }
  if (request.kind == protocol::RequestKind::kPing) {
    protocol::ReplySpec spec;
    spec.request_id = request.request_id;
    spec.engine = &info_;
    reply.ready = protocol::encode_reply(spec);
    return {};
  }
  HallSlot* slot = find(request.hall);
  if (slot == nullptr) {
    ++counters_.refused;
    return refuse(request.request_id, ErrorCode::kUnknownHall,
                  fmt::format("没有大厅“{}”（本引擎：{}）", request.hall, fmt::join(info_.halls, "、")));
  }
  reply.slot = slot;
  reply.request_id = request.request_id;
  if (request.kind == protocol::RequestKind::kSnapshot) {
    reply.kind = PendingReply::Kind::kSnapshot;
    return {};
  }

  core::Hall& hall = *slot->hall;
  if (!request.request_id.empty()) {
    if (const core::RequestRecord* earlier = hall.find_request(request.request_id)) {
      ++counters_.duplicates;
      reply.kind = PendingReply::Kind::kEvents;
      reply.first_seq = earlier->first_seq;
      reply.count = earlier->count;
      reply.duplicate = true;
      return {};
    }
  }
  // Time first (its events belong to no request), then the command.
  scratch_.clear();
  (void)hall.apply(core::Command{{}, core::Tick{}}, now, scratch_);
  add_events(*slot, 0, {});
  scratch_.clear();
  const core::Status status = hall.apply(core::Command{request.request_id, request.command}, now, scratch_);
  add_events(*slot, 0, request.request_id);
  if (!status.ok()) {
    ++counters_.refused;
    return refuse(request.request_id, status.code(), status.message());
  }
  ++counters_.accepted;
  reply.kind = PendingReply::Kind::kEvents;
  reply.first_seq = scratch_.empty() ? 0 : scratch_.front().seq;
  reply.count = static_cast<std::uint32_t>(scratch_.size());
  return {};
}

void Engine::handle(protocol::Bytes bytes, core::TimeUs now, protocol::PersonalData personal) {
  (void)apply_request(bytes, now, personal);
}

void Engine::handle_audited(protocol::Bytes bytes, core::TimeUs now,
                            const std::function<std::string(const core::Status&)>& record) {
  handle_audit(record(apply_request(bytes, now)));
}

void Engine::handle_audit(std::string record) {
  PendingReply& p = pending_.emplace_back();
  p.kind = PendingReply::Kind::kAudit;
  p.ready = std::move(record);
}

void Engine::tick(core::TimeUs now) {
  latest_now_ = std::max(latest_now_, now);
  for (auto& [id, slot] : halls_) {
    if (slot->following) continue;
    scratch_.clear();
    (void)slot->hall->apply(core::Command{{}, core::Tick{}}, now, scratch_);
    add_events(*slot, 0, {});
    if (options_.advise_every > 0 && now - slot->last_advice >= options_.advise_every) {
      slot->last_advice = now;
      advise(*slot, now);
    }
  }
}

void Engine::advise(HallSlot& slot, core::TimeUs now) {
  std::optional<core::Advise> proposal = policy::advise(*slot.hall, now);
  if (!proposal) return;
  // The same proposal is already open: say nothing new.
  for (const core::Advisory& a : slot.hall->advisories()) {
    if (a.service == proposal->service && a.window == proposal->window && a.skills == proposal->skills &&
        now - a.issued_at < core::kAdvisoryLifetime)
      return;
  }
  scratch_.clear();
  if (slot.hall->apply(core::Command{{}, std::move(*proposal)}, now, scratch_).ok()) add_events(slot, 0, {});
}

std::string Engine::event_bytes(const HallSlot& slot, core::Seq seq) const {
  if (seq > slot.sealed_seq) return slot.batch_events[seq - slot.sealed_seq - 1];
  auto stored = store_.read_event(slot.config->id, seq);
  return stored ? std::move(*stored) : std::string();
}

void Engine::handle_ready(std::string reply) { pending_.emplace_back().ready = std::move(reply); }

std::size_t Engine::open_requests() const { return pending_.size(); }

bool Engine::has_open() const {
  if (!pending_.empty()) return true;
  for (const auto& [id, slot] : halls_)
    if (slot->touched) return true;
  return false;
}

void Engine::prepare_reply(PendingReply& p, SnapshotCache& snapshots) {
  if (p.kind == PendingReply::Kind::kReady || p.kind == PendingReply::Kind::kAudit || !p.ready.empty())
    return;
  protocol::ReplySpec spec;
  spec.request_id = p.request_id;
  if (p.kind == PendingReply::Kind::kSnapshot) {
    std::string& snap = snapshots[{p.slot, p.personal}];
    if (snap.empty()) snap = protocol::encode_snapshot(*p.slot->hall, epoch_, false, p.personal);
    spec.snapshot = snap;
    p.ready = protocol::encode_reply(spec);
    return;
  }
  spec.duplicate = p.duplicate;
  std::vector<std::string> bytes;
  bytes.reserve(p.count);
  for (core::Seq s = p.first_seq; s < p.first_seq + p.count; ++s) {
    bytes.push_back(event_bytes(*p.slot, s));
    // A retry of another device's request must not hand it the citizen's data.
    if (p.personal == protocol::PersonalData::kWithhold &&
        protocol::carries_personal_data(protocol::as_bytes(bytes.back())))
      bytes.back() = protocol::withhold_personal_data(protocol::as_bytes(bytes.back()));
  }
  for (const std::string& b : bytes) spec.events.push_back(b);
  p.ready = protocol::encode_reply(spec);
}

void Engine::seal(bool commit_here) {
  auto sealed = std::make_unique<Sealed>();
  sealed->batch = std::make_shared<store::EventStore::Batch>();
  for (auto& [id, slot] : halls_) {
    if (!slot->touched) continue;
    for (std::size_t i = 0; i < slot->batch_events.size(); ++i) {
      sealed->batch->add_event(id, slot->sealed_seq + 1 + i, slot->batch_events[i]);
      slot->sealed_bytes += slot->batch_events[i].size();
    }
    sealed->halls.emplace_back(slot.get(), slot->hall->seq());
  }
  for (PendingReply& p : pending_) {
    if (p.kind != PendingReply::Kind::kAudit) continue;
    sealed->batch->add_audit(p.ready);
    p.ready.clear();  // its reply: durable
  }
  // Replies that read stored events (a retry of an older command) do so
  // before the commit thread gets the store; the others while it writes.
  SnapshotCache snapshots;
  bool reads_store = false;
  for (const PendingReply& p : pending_)
    reads_store = reads_store ||
                  (p.kind == PendingReply::Kind::kEvents && p.count > 0 && p.first_seq <= p.slot->sealed_seq);
  if (reads_store) {
    committer_->wait_idle();
    for (PendingReply& p : pending_)
      if (p.kind == PendingReply::Kind::kEvents && p.first_seq <= p.slot->sealed_seq)
        prepare_reply(p, snapshots);
  }
  commit_here = commit_here && !sealed->batch->empty();
  if (!sealed->batch->empty() && !commit_here) sealed->job = committer_->submit(sealed->batch, false);
  for (PendingReply& p : pending_) prepare_reply(p, snapshots);
  sealed->replies = std::move(pending_);
  pending_.clear();
  for (auto& [slot, seq] : sealed->halls) {
    for (std::string& bytes : slot->batch_events) {
      Publication& pub =
          sealed->publications.emplace_back(Publication{slot->topic, std::move(bytes), {}, {}});
      // A type check per event: the rare ones with personal data go out twice (server.h).
      if (protocol::carries_personal_data(protocol::as_bytes(pub.bytes))) {
        pub.private_topic = slot->private_topic;
        pub.withheld = protocol::withhold_personal_data(protocol::as_bytes(pub.bytes));
      }
    }
    slot->batch_events.clear();
    slot->sealed_seq = seq;
    slot->touched = false;
  }
  if (commit_here) {
    sealed->job = committer_->run_here_if_idle(*sealed->batch);
    if (sealed->job == 0) sealed->job = committer_->submit(sealed->batch, false);
  }
  // Stored snapshots of the sealed state: written after the batch, if it is.
  if (sealed->job != 0) {
    std::vector<SnapshotTaken> halls;
    auto batch = due_snapshots(false, halls);
    if (!batch->empty()) {
      snapshot_jobs_.push_back({committer_->submit(std::move(batch), true), std::move(halls)});
    }
  }
  sealed_ = std::move(sealed);
}

bool Engine::complete() {
  if (!sealed_) return false;
  Sealed& sealed = *sealed_;
  std::exception_ptr error;
  if (sealed.job != 0) {
    std::optional<CommitThread::Outcome> outcome = committer_->outcome(sealed.job);
    if (!outcome) return false;
    error = outcome->error;
  }
  replies_.clear();
  publications_.clear();
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const store::StoreError& e) {
      committer_->wait_idle();
      if (e.map_full() && grow_map()) {
        sealed.job = committer_->submit(sealed.batch, false);
        return false;
      }
      storage_problem_ = storage_reason(e, store_.dir());
    } catch (const std::exception& e) {
      storage_problem_ = e.what();
    }
    fail_batch(storage_problem_);
    return true;
  }
  if (sealed.job != 0) {
    storage_problem_.clear();
    ++counters_.batches;
    counters_.events += sealed.batch->size();
  }
  for (auto& [slot, seq] : sealed.halls) slot->committed_seq = seq;
  replies_.reserve(sealed.replies.size());
  for (PendingReply& p : sealed.replies) replies_.push_back(std::move(p.ready));
  publications_ = std::move(sealed.publications);
  sealed_.reset();
  take_snapshot_outcomes();
  return true;
}

void Engine::wait_durable() {
  if (sealed_ && sealed_->job != 0) committer_->wait(sealed_->job);
}

void Engine::wait_idle() { committer_->wait_idle(); }

void Engine::set_on_durable(std::function<void()> fn) { committer_->set_on_done(std::move(fn)); }

void Engine::commit() {
  seal();
  while (!complete()) wait_durable();
  committer_->wait_idle();
  take_snapshot_outcomes();
}

void Engine::fail_batch(const std::string& why) {
  ++counters_.storage_failures;
  committer_->wait_idle();
  take_snapshot_outcomes();
  // The sealed batch and the open one built on it: memory back to the store.
  for (auto& [id, slot] : halls_) {
    if (slot->touched || slot->sealed_seq != slot->committed_seq) recover(*slot);
  }
  std::vector<PendingReply> all = std::move(sealed_->replies);
  sealed_.reset();
  for (PendingReply& p : pending_) all.push_back(std::move(p));
  pending_.clear();
  const std::string message = fmt::format("存储失败，命令未执行：{}", why);
  for (PendingReply& p : all) {
    if (p.kind == PendingReply::Kind::kReady) {
      replies_.push_back(std::move(p.ready));
    } else if (p.kind == PendingReply::Kind::kAudit) {
      replies_.push_back(why.empty() ? std::string("存储失败") : why);
    } else if (p.kind == PendingReply::Kind::kSnapshot) {
      protocol::ReplySpec spec;
      spec.request_id = p.request_id;
      const std::string snap = protocol::encode_snapshot(*p.slot->hall, epoch_, false, p.personal);
      spec.snapshot = snap;
      replies_.push_back(protocol::encode_reply(spec));
    } else {
      replies_.push_back(error_reply(p.request_id, ErrorCode::kStorage, message));
    }
  }
}

bool Engine::grow_map() {
  const std::size_t size = store_.stats().map_size;
  if (size >= options_.max_map_size) return false;
  try {
    store_.grow_map(std::min(size * 2, options_.max_map_size));
  } catch (const std::exception&) {
    return false;
  }
  ++counters_.map_growths;
  return true;
}

std::vector<Publication> Engine::heartbeats(core::TimeUs now) const {
  std::vector<Publication> out;
  out.reserve(halls_.size());
  for (const auto& [id, slot] : halls_) {
    out.push_back({slot->topic, protocol::encode_heartbeat({id, slot->committed_seq, epoch_, now})});
  }
  return out;
}

std::shared_ptr<store::EventStore::Batch> Engine::due_snapshots(bool all, std::vector<SnapshotTaken>& halls) {
  auto batch = std::make_shared<store::EventStore::Batch>();
  for (auto& [id, slot] : halls_) {
    // Only what is sealed: memory and the store (once the batch is written) agree.
    const core::Seq seq = slot->hall->seq();
    if (seq != slot->sealed_seq || slot->touched || seq == slot->last_snapshot || slot->snapshot_pending)
      continue;
    // The clock of the time trigger starts with the engine (or the first snapshot).
    if (slot->last_snapshot_at == 0) slot->last_snapshot_at = latest_now_;
    const std::uint64_t due = std::max<std::uint64_t>(
        options_.snapshot_every, options_.snapshot_per_ticket * slot->hall->tickets().size());
    const bool by_count = seq - slot->last_snapshot >= due;
    const bool by_time =
        options_.snapshot_interval > 0 && latest_now_ - slot->last_snapshot_at >= options_.snapshot_interval;
    const std::uint64_t bytes_since = slot->sealed_bytes - slot->snapshot_sealed_bytes;
    const bool by_size =
        options_.snapshot_bytes > 0 &&
        bytes_since >= std::max<std::uint64_t>(options_.snapshot_bytes, slot->last_snapshot_bytes);
    if (!all && !by_count && !by_time && !by_size) continue;
    std::string bytes = protocol::encode_snapshot(*slot->hall, epoch_, true);
    halls.push_back({slot.get(), seq, latest_now_, slot->sealed_bytes, bytes.size()});
    batch->put_snapshot(id, seq, bytes);
    slot->snapshot_pending = true;
  }
  return batch;
}

void Engine::snapshot_done(const SnapshotTaken& taken, bool stored) {
  HallSlot& slot = *taken.slot;
  slot.snapshot_pending = false;
  if (!stored) return;
  slot.last_snapshot = taken.seq;
  slot.last_snapshot_at = taken.at;
  slot.snapshot_sealed_bytes = taken.sealed_bytes;
  slot.last_snapshot_bytes = taken.bytes;
}

void Engine::take_snapshot_outcomes() {
  for (auto it = snapshot_jobs_.begin(); it != snapshot_jobs_.end();) {
    std::optional<CommitThread::Outcome> outcome = committer_->outcome(it->job);
    if (!outcome) {
      ++it;
      continue;
    }
    const bool ok = !outcome->skipped && outcome->error == nullptr;
    for (const SnapshotTaken& taken : it->halls) snapshot_done(taken, ok);
    if (ok)
      counters_.snapshots += it->halls.size();
    else
      ++counters_.snapshot_failures;
    it = snapshot_jobs_.erase(it);
  }
}

void Engine::write_snapshots(bool all) {
  committer_->wait_idle();
  take_snapshot_outcomes();
  std::vector<SnapshotTaken> halls;
  auto batch = due_snapshots(all, halls);
  if (batch->empty()) return;
  const std::uint64_t job = committer_->submit(std::move(batch), false);
  committer_->wait(job);
  const std::exception_ptr error = committer_->outcome(job)->error;
  for (const SnapshotTaken& taken : halls) snapshot_done(taken, !error);
  if (error) std::rethrow_exception(error);
  counters_.snapshots += halls.size();
}

void Engine::maintain() {
  try {
    write_snapshots(false);
  } catch (const std::exception&) {
    ++counters_.snapshot_failures;
  }
}

void Engine::checkpoint() {
  // What is in flight or gathered is committed first (nobody gets its replies).
  while (sealed_ && !complete()) wait_durable();
  if (has_open()) {
    seal();
    while (!complete()) wait_durable();
  }
  write_snapshots(true);
}

}  // namespace hallq::server
