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
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/store/event_store.h"

namespace hallq::server {

using core::ErrorCode;

struct Engine::HallSlot {
  std::shared_ptr<const core::HallConfig> config;
  const core::CallPolicy* policy = nullptr;
  std::unique_ptr<core::Hall> hall;
  std::string topic;
  core::Seq committed_seq = 0;            // last sequence durable in the store
  core::Seq last_snapshot = 0;            // sequence of the latest stored snapshot
  core::TimeUs last_advice = 0;           // when the advisor last looked at this hall
  std::vector<std::string> batch_events;  // encoded, seq committed_seq + 1 ...
  bool touched = false;                   // changed in the current batch
};

struct Engine::PendingReply {
  enum class Kind { kReady, kEvents, kSnapshot } kind = Kind::kReady;
  std::string ready;  // kReady: the encoded reply
  HallSlot* slot = nullptr;
  std::string request_id;
  core::Seq first_seq = 0;  // kEvents: the command's events
  std::uint32_t count = 0;
  bool duplicate = false;
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
    slot->config = std::move(config);
    recover(*slot);
    info_.halls.push_back(slot->config->id);
    halls_.emplace(slot->config->id, std::move(slot));
  }
  info_.epoch = epoch_;
  info_.version = options_.version;
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
  slot.committed_seq = slot.hall->seq();
  if (store_.last_seq(id) != slot.committed_seq) {
    throw core::CorruptionError(fmt::format("hall {}: store ends at event {} but recovery reached {}", id,
                                            store_.last_seq(id), slot.committed_seq));
  }
  slot.batch_events.clear();
  slot.touched = false;
}

void Engine::add_events(HallSlot& slot, std::size_t first, std::string_view request_id) {
  for (std::size_t i = first; i < scratch_.size(); ++i)
    slot.batch_events.push_back(protocol::encode_event(*slot.hall, scratch_[i], request_id));
  if (first < scratch_.size()) slot.touched = true;
}

void Engine::handle(protocol::Bytes bytes, core::TimeUs now) {
  ++counters_.requests;
  PendingReply& reply = pending_.emplace_back();
  auto refuse = [&](std::string_view request_id, ErrorCode code, std::string_view message) {
    reply.ready = error_reply(request_id, code, message);
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
    return;
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
    return;
  }

  core::Hall& hall = *slot->hall;
  if (!request.request_id.empty()) {
    if (const core::RequestRecord* earlier = hall.find_request(request.request_id)) {
      ++counters_.duplicates;
      reply.kind = PendingReply::Kind::kEvents;
      reply.first_seq = earlier->first_seq;
      reply.count = earlier->count;
      reply.duplicate = true;
      return;
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
}

void Engine::tick(core::TimeUs now) {
  for (auto& [id, slot] : halls_) {
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
  if (seq > slot.committed_seq) return slot.batch_events[seq - slot.committed_seq - 1];
  auto stored = store_.read_event(slot.config->id, seq);
  return stored ? std::move(*stored) : std::string();
}

void Engine::commit() {
  replies_.clear();
  publications_.clear();
  store::EventStore::Batch batch;
  for (auto& [id, slot] : halls_) {
    if (!slot->touched) continue;
    for (std::size_t i = 0; i < slot->batch_events.size(); ++i)
      batch.add_event(id, slot->committed_seq + 1 + i, slot->batch_events[i]);
  }
  if (!batch.empty()) {
    for (;;) {
      try {
        store_.commit(batch);
        break;
      } catch (const store::StoreError& e) {
        if (e.map_full() && grow_map()) continue;
        storage_problem_ = storage_reason(e, store_.dir());
        fail_batch(storage_problem_);
        return;
      } catch (const std::exception& e) {
        storage_problem_ = e.what();
        fail_batch(storage_problem_);
        return;
      }
    }
    storage_problem_.clear();
    ++counters_.batches;
    counters_.events += batch.size();
  }

  // Replies, then publications (which take the event bytes over).
  std::map<HallSlot*, std::string> snapshot_cache;
  std::vector<std::string> dup_bytes;
  for (PendingReply& p : pending_) {
    switch (p.kind) {
      case PendingReply::Kind::kReady:
        replies_.push_back(std::move(p.ready));
        break;
      case PendingReply::Kind::kSnapshot: {
        std::string& snap = snapshot_cache[p.slot];
        if (snap.empty()) snap = protocol::encode_snapshot(*p.slot->hall, epoch_, false);
        protocol::ReplySpec spec;
        spec.request_id = p.request_id;
        spec.snapshot = snap;
        replies_.push_back(protocol::encode_reply(spec));
        break;
      }
      case PendingReply::Kind::kEvents: {
        protocol::ReplySpec spec;
        spec.request_id = p.request_id;
        spec.duplicate = p.duplicate;
        dup_bytes.clear();
        for (core::Seq s = p.first_seq; s < p.first_seq + p.count; ++s)
          dup_bytes.push_back(event_bytes(*p.slot, s));
        for (const std::string& b : dup_bytes) spec.events.push_back(b);
        replies_.push_back(protocol::encode_reply(spec));
        break;
      }
    }
  }
  pending_.clear();
  for (auto& [id, slot] : halls_) {
    if (!slot->touched) continue;
    for (std::string& bytes : slot->batch_events) publications_.push_back({slot->topic, std::move(bytes)});
    slot->batch_events.clear();
    slot->committed_seq = slot->hall->seq();
    slot->touched = false;
  }
}

void Engine::fail_batch(const std::string& why) {
  ++counters_.storage_failures;
  for (auto& [id, slot] : halls_) {
    if (slot->touched) recover(*slot);
  }
  const std::string message = fmt::format("存储失败，命令未执行：{}", why);
  for (PendingReply& p : pending_) {
    if (p.kind == PendingReply::Kind::kReady) {
      replies_.push_back(std::move(p.ready));
    } else if (p.kind == PendingReply::Kind::kSnapshot) {
      protocol::ReplySpec spec;
      spec.request_id = p.request_id;
      const std::string snap = protocol::encode_snapshot(*p.slot->hall, epoch_, false);
      spec.snapshot = snap;
      replies_.push_back(protocol::encode_reply(spec));
    } else {
      replies_.push_back(error_reply(p.request_id, ErrorCode::kStorage, message));
    }
  }
  pending_.clear();
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

void Engine::write_snapshots(bool all) {
  store::EventStore::Batch batch;
  std::vector<HallSlot*> written;
  for (auto& [id, slot] : halls_) {
    // Only committed state: between batches memory and store agree.
    const core::Seq seq = slot->hall->seq();
    if (seq != slot->committed_seq || seq == slot->last_snapshot) continue;
    const std::uint64_t due = std::max<std::uint64_t>(
        options_.snapshot_every, options_.snapshot_per_ticket * slot->hall->tickets().size());
    if (!all && seq - slot->last_snapshot < due) continue;
    batch.put_snapshot(id, seq, protocol::encode_snapshot(*slot->hall, epoch_, true));
    written.push_back(slot.get());
  }
  if (batch.empty()) return;
  store_.commit(batch);
  for (HallSlot* slot : written) slot->last_snapshot = slot->committed_seq;
  counters_.snapshots += written.size();
}

void Engine::maintain() {
  try {
    write_snapshots(false);
  } catch (const std::exception&) {
    ++counters_.snapshot_failures;
  }
}

void Engine::checkpoint() { write_snapshots(true); }

}  // namespace hallq::server
