// Ownership entries: JSON values, reads, and the compare-and-set writes.
#include "engine/replicate/ownership.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

namespace hallq::replicate {

std::string to_json(const OwnerRecord& r) {
  nlohmann::json j{{"engine", r.engine}, {"endpoint", r.endpoint}, {"lease_until_ms", r.lease_until_ms}};
  // The move's fields only when set: an entry without them reads as before.
  if (!r.move_to.empty()) {
    j["move_to"] = r.move_to;
    j["move_to_endpoint"] = r.move_to_endpoint;
  }
  if (!r.move_refused.empty()) j["move_refused"] = r.move_refused;
  if (r.handed_over_seq > 0) {
    j["moved_from"] = r.moved_from;
    j["handed_over_seq"] = r.handed_over_seq;
  }
  return j.dump();
}

std::optional<OwnerRecord> owner_from_json(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("engine") || !j["engine"].is_string() || !j.contains("lease_until_ms") ||
      !j["lease_until_ms"].is_number_integer()) {
    return std::nullopt;
  }
  OwnerRecord r;
  r.engine = j["engine"].get<std::string>();
  if (j.contains("endpoint") && j["endpoint"].is_string()) r.endpoint = j["endpoint"].get<std::string>();
  r.lease_until_ms = j["lease_until_ms"].get<std::int64_t>();
  const auto string_at = [&](const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };
  r.move_to = string_at("move_to");
  r.move_to_endpoint = string_at("move_to_endpoint");
  r.move_refused = string_at("move_refused");
  r.moved_from = string_at("moved_from");
  if (j.contains("handed_over_seq") && j["handed_over_seq"].is_number_unsigned())
    r.handed_over_seq = j["handed_over_seq"].get<std::uint64_t>();
  return r;
}

std::string standby_key(std::string_view engine) {
  return std::string(kStandbyKeyPrefix) + std::string(engine);
}

std::string to_json(const StandbyRecord& r) {
  return nlohmann::json{{"engine", r.engine},
                        {"endpoint", r.endpoint},
                        {"lease_until_ms", r.lease_until_ms},
                        {"halls", r.halls}}
      .dump();
}

std::optional<StandbyRecord> standby_from_json(std::string_view text) {
  const std::optional<OwnerRecord> base = owner_from_json(text);
  if (!base) return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  StandbyRecord r{base->engine, base->endpoint, base->lease_until_ms, {}};
  if (j.contains("halls") && j["halls"].is_array())
    for (const nlohmann::json& h : j["halls"])
      if (h.is_string()) r.halls.push_back(h.get<std::string>());
  return r;
}

const char* to_string(ClaimOutcome o) {
  switch (o) {
    case ClaimOutcome::kOwned:
      return "owned";
    case ClaimOutcome::kOwnedByOther:
      return "owned_by_other";
    case ClaimOutcome::kLost:
      return "lost";
    case ClaimOutcome::kUnavailable:
      return "unavailable";
    case ClaimOutcome::kMoveRequested:
      return "move_requested";
  }
  return "?";
}

// renew_all()'s answers, by entry subject, filled by the client library's thread.
struct Ownership::Renewals {
  struct Ack {
    bool done = false;
    std::optional<std::uint64_t> revision;  // stored at; none: refused
  };
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Ack, std::less<>> acks;
  std::size_t waiting = 0;
};

Ownership::Ownership(NatsConnection& conn, std::string engine, std::string endpoint, std::string bucket,
                     std::chrono::milliseconds timeout)
    : conn_(conn),
      engine_(std::move(engine)),
      endpoint_(std::move(endpoint)),
      subject_prefix_(fmt::format("$KV.{}.", bucket)),
      wait_(timeout.count() > 0 ? timeout : conn.options().request_timeout),
      renewals_(std::make_unique<Renewals>()) {
  natsStatus s = NATS_OK;
  if (timeout.count() > 0) {
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = timeout.count();
    s = natsConnection_JetStream(&js_, conn.raw(), &jo);
    if (s != NATS_OK) throw ReplicateError(fmt::format("owners bucket {}: {}", bucket, conn.describe(s)));
  }
  s = js_KeyValue(&kv_, js_ != nullptr ? js_ : conn.js(), bucket.c_str());
  if (s != NATS_OK) {
    jsCtx_Destroy(js_);
    // A permissions violation arrives asynchronously: the request only times out.
    const std::string text = conn.describe(s);
    throw ReplicateError(fmt::format("owners bucket {}: {}", bucket, text),
                         transient_status(s) && text.find("ermissions") == std::string::npos);
  }
}

Ownership::~Ownership() {
  if (async_js_ != nullptr) {
    // Answers still pending are dropped with their messages (as the publisher does).
    natsMsgList pending;
    if (async_published_ && js_PublishAsyncGetPendingList(&pending, async_js_) == NATS_OK)
      natsMsgList_Destroy(&pending);
    jsCtx_Destroy(async_js_);
  }
  kvStore_Destroy(kv_);
  jsCtx_Destroy(js_);
}

void Ownership::on_renewed(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr*, void* closure) {
  auto* r = static_cast<Renewals*>(closure);
  {
    std::lock_guard lock(r->mu);
    auto it = r->acks.find(std::string_view(natsMsg_GetSubject(msg)));
    if (it != r->acks.end() && !it->second.done) {
      it->second.done = true;
      if (pa != nullptr) it->second.revision = pa->Sequence;
      if (--r->waiting == 0) r->cv.notify_all();
    }
  }
  natsMsg_Destroy(msg);
}

std::vector<Claim> Ownership::renew_all(const std::vector<std::string>& halls, std::int64_t now_ms,
                                        std::int64_t lease_ms) {
  if (async_js_ == nullptr) {
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = wait_.count();
    jo.PublishAsync.AckHandler = &Ownership::on_renewed;
    jo.PublishAsync.AckHandlerClosure = renewals_.get();
    jo.PublishAsync.MaxPending = 4096;
    if (natsConnection_JetStream(&async_js_, conn_.raw(), &jo) != NATS_OK) async_js_ = nullptr;
  }
  std::vector<Claim> out(halls.size());
  std::vector<OwnerRecord> sent(halls.size());
  std::vector<bool> asked(halls.size(), false);
  {
    std::lock_guard lock(renewals_->mu);
    renewals_->acks.clear();
    renewals_->waiting = 0;
  }
  for (std::size_t i = 0; i < halls.size() && async_js_ != nullptr; ++i) {
    const auto held = held_.find(halls[i]);
    if (held == held_.end()) continue;  // renew() says so below
    sent[i] = lease_record(halls[i], now_ms, lease_ms);
    const std::string value = to_json(sent[i]);
    const std::string subject = subject_prefix_ + halls[i];
    {
      std::lock_guard lock(renewals_->mu);
      renewals_->acks[subject] = {};
      ++renewals_->waiting;
    }
    natsMsg* m = nullptr;
    natsStatus s = natsMsg_Create(&m, subject.c_str(), nullptr, value.data(), static_cast<int>(value.size()));
    // The compare-and-set kvStore_Update makes: the entry's last revision.
    if (s == NATS_OK)
      s = natsMsgHeader_Set(m, "Nats-Expected-Last-Subject-Sequence", std::to_string(held->second).c_str());
    if (s == NATS_OK) s = js_PublishMsgAsync(async_js_, &m, nullptr);
    if (s == NATS_OK) async_published_ = true;
    natsMsg_Destroy(m);  // null if the library took it
    std::lock_guard lock(renewals_->mu);
    Renewals::Ack& a = renewals_->acks[subject];
    if (s != NATS_OK && !a.done) {
      a.done = true;
      --renewals_->waiting;
    }
    asked[i] = true;
  }
  {
    std::unique_lock lock(renewals_->mu);
    if (!renewals_->cv.wait_for(lock, wait_, [&] { return renewals_->waiting == 0; })) {
      lock.unlock();
      // Unanswered: given up on, so that no late answer lands in the next call.
      natsMsgList pending;
      if (js_PublishAsyncGetPendingList(&pending, async_js_) == NATS_OK) natsMsgList_Destroy(&pending);
    }
  }
  for (std::size_t i = 0; i < halls.size(); ++i) {
    Renewals::Ack ack;
    if (asked[i]) {
      std::lock_guard lock(renewals_->mu);
      ack = renewals_->acks[subject_prefix_ + halls[i]];
    }
    if (ack.revision) {
      held_[halls[i]] = *ack.revision;
      unanswered_.erase(halls[i]);
      out[i] = {ClaimOutcome::kOwned, sent[i], *ack.revision, {}};
      continue;
    }
    if (asked[i] && !ack.done) {
      // No answer: it may have been stored all the same (the next renewal tells).
      unanswered_[halls[i]].push_back(sent[i]);
      out[i] = {ClaimOutcome::kUnavailable,
                {},
                0,
                fmt::format("the owners bucket did not answer the renewal of {} within {} ms", halls[i],
                            wait_.count())};
      continue;
    }
    out[i] = renew(halls[i], now_ms, lease_ms);  // refused, not sent or not held: the entry tells
  }
  return out;
}

Ownership::Entry Ownership::read(const std::string& hall) {
  Entry e;
  kvEntry* entry = nullptr;
  const natsStatus s = kvStore_Get(&entry, kv_, hall.c_str());
  if (s == NATS_NOT_FOUND) {
    e.ok = true;
    return e;
  }
  if (s != NATS_OK) {
    e.error = fmt::format("owner of {}: {}", hall, conn_.describe(s));
    return e;
  }
  e.ok = true;
  e.revision = kvEntry_Revision(entry);
  const std::string_view value(static_cast<const char*>(kvEntry_Value(entry)),
                               static_cast<std::size_t>(kvEntry_ValueLen(entry)));
  if (auto r = owner_from_json(value)) {
    e.found = true;
    e.record = *r;
  } else {
    // An unreadable entry holds no live lease: it may be taken over (by CAS).
    e.found = true;
    e.record = {};
  }
  kvEntry_Destroy(entry);
  return e;
}

OwnerRecord Ownership::lease_record(const std::string& hall, std::int64_t now_ms, std::int64_t lease_ms,
                                    std::string move_refused) const {
  OwnerRecord mine{engine_, endpoint_, now_ms + lease_ms};
  mine.move_refused = std::move(move_refused);
  if (const auto in = moved_in_.find(hall); in != moved_in_.end()) {
    mine.moved_from = in->second.first;
    mine.handed_over_seq = in->second.second;
  }
  return mine;
}

Claim Ownership::write(const std::string& hall, std::uint64_t last_revision, bool create, std::int64_t now_ms,
                       std::int64_t lease_ms, std::string move_refused) {
  const OwnerRecord mine = lease_record(hall, now_ms, lease_ms, std::move(move_refused));
  const std::string value = to_json(mine);
  std::uint64_t rev = 0;
  const natsStatus s =
      create ? kvStore_Create(&rev, kv_, hall.c_str(), value.data(), static_cast<int>(value.size()))
             : kvStore_Update(&rev, kv_, hall.c_str(), value.data(), static_cast<int>(value.size()),
                              last_revision);
  if (s == NATS_OK) {
    held_[hall] = rev;
    unanswered_.erase(hall);
    return {ClaimOutcome::kOwned, mine, rev, {}};
  }
  const std::string why = conn_.describe(s);
  // Lost the compare-and-set, or could not write at all? The entry tells.
  const Entry now = read(hall);
  if (!now.ok) {
    unanswered_[hall].push_back(mine);  // it may have been stored all the same
    return {ClaimOutcome::kUnavailable, {}, 0, why};
  }
  if (now.found && now.record == mine) {
    // This very write, stored though its answer did not come in time (a
    // loaded cluster): the entry is this engine's. (Without this, a renewal
    // answered late read as "written meanwhile by" this engine itself, and
    // the hall was dropped: seen once in a province-sized day.)
    unanswered_.erase(hall);
    held_[hall] = now.revision;
    return {ClaimOutcome::kOwned, mine, now.revision, {}};
  }
  if (now.revision != last_revision) {
    const auto earlier = unanswered_.find(hall);
    if (earlier != unanswered_.end() && now.found &&
        std::find(earlier->second.begin(), earlier->second.end(), now.record) != earlier->second.end()) {
      // Our own earlier write, stored though its answer never came: go on from it.
      unanswered_.erase(earlier);
      held_[hall] = now.revision;
      return write(hall, now.revision, /*create=*/false, now_ms, lease_ms, mine.move_refused);
    }
    if (now.found && now.record.engine == engine_ && now.record.endpoint == endpoint_ &&
        !now.record.move_to.empty()) {
      // Still this engine's entry: hallq move-hall added its request.
      unanswered_.erase(hall);
      held_[hall] = now.revision;
      return {ClaimOutcome::kMoveRequested, now.record, now.revision,
              fmt::format("hallq move-hall asks to hand {} to engine {}", hall, now.record.move_to)};
    }
    unanswered_.erase(hall);
    held_.erase(hall);
    return {ClaimOutcome::kLost, now.record, now.revision,
            fmt::format("{} was written by {} meanwhile (revision {}, expected {})", hall,
                        now.record.engine.empty() ? "another engine" : now.record.engine, now.revision,
                        last_revision)};
  }
  unanswered_[hall].push_back(mine);  // still in flight, perhaps
  return {ClaimOutcome::kUnavailable, now.record, now.revision, why};
}

Claim Ownership::claim(const std::string& hall, std::int64_t now_ms, std::int64_t lease_ms) {
  const Entry e = read(hall);
  if (!e.ok) return {ClaimOutcome::kUnavailable, {}, 0, e.error};
  // A hall handed to this engine keeps saying where it came from.
  if (e.found && e.record.engine == engine_ && e.record.handed_over_seq > 0)
    moved_in_[hall] = {e.record.moved_from, e.record.handed_over_seq};
  else
    moved_in_.erase(hall);
  if (!e.found) return write(hall, e.revision, /*create=*/e.revision == 0, now_ms, lease_ms);
  if (e.record.engine != engine_ && e.record.lease_until_ms > now_ms) {
    return {ClaimOutcome::kOwnedByOther, e.record, e.revision,
            fmt::format("{} is served by {} ({}) until {}", hall, e.record.engine, e.record.endpoint,
                        e.record.lease_until_ms),
            e.record};
  }
  Claim c = write(hall, e.revision, /*create=*/false, now_ms, lease_ms);
  c.was = e.record;
  return c;
}

Claim Ownership::renew(const std::string& hall, std::int64_t now_ms, std::int64_t lease_ms) {
  const auto it = held_.find(hall);
  if (it == held_.end())
    return {ClaimOutcome::kLost, {}, 0, fmt::format("{} is not held by {}", hall, engine_)};
  return write(hall, it->second, /*create=*/false, now_ms, lease_ms);
}

Claim Ownership::hand_over(const std::string& hall, const std::string& to, const std::string& to_endpoint,
                           std::uint64_t seq, std::int64_t now_ms, std::int64_t lease_ms) {
  const auto it = held_.find(hall);
  if (it == held_.end())
    return {ClaimOutcome::kLost, {}, 0, fmt::format("{} is not held by {}", hall, engine_)};
  OwnerRecord next{to, to_endpoint, now_ms + lease_ms};
  next.moved_from = engine_;
  next.handed_over_seq = seq;
  const std::string value = to_json(next);
  std::uint64_t rev = 0;
  const natsStatus s =
      kvStore_Update(&rev, kv_, hall.c_str(), value.data(), static_cast<int>(value.size()), it->second);
  const auto gone = [&] {
    held_.erase(hall);
    unanswered_.erase(hall);
    moved_in_.erase(hall);
  };
  if (s == NATS_OK) {
    gone();
    return {ClaimOutcome::kOwnedByOther, next, rev, {}};
  }
  const std::string why = conn_.describe(s);
  const Entry now = read(hall);
  if (now.ok && now.found && now.record == next) {  // stored, its answer lost
    gone();
    return {ClaimOutcome::kOwnedByOther, next, now.revision, {}};
  }
  if (!now.ok || now.revision == it->second)
    return {ClaimOutcome::kUnavailable, now.record, now.revision, why};
  gone();
  return {ClaimOutcome::kLost, now.record, now.revision,
          fmt::format("{} was written by {} meanwhile (revision {})", hall,
                      now.record.engine.empty() ? "another engine" : now.record.engine, now.revision)};
}

Claim Ownership::refuse_move(const std::string& hall, const std::string& why, std::int64_t now_ms,
                             std::int64_t lease_ms) {
  const auto it = held_.find(hall);
  if (it == held_.end())
    return {ClaimOutcome::kLost, {}, 0, fmt::format("{} is not held by {}", hall, engine_)};
  return write(hall, it->second, /*create=*/false, now_ms, lease_ms, why);
}

MoveRequest Ownership::request_move(const std::string& hall, const std::string& to,
                                    const std::string& to_endpoint, std::int64_t now_ms) {
  MoveRequest r;
  for (int attempt = 1;; ++attempt) {
    const Entry e = read(hall);
    r.owner = e.record;
    r.revision = e.revision;
    if (!e.ok) {
      r.error = fmt::format("无法读取大厅 {} 的服务引擎：{}", hall, e.error);
      return r;
    }
    if (!e.found || e.record.engine.empty()) {
      r.error = fmt::format("大厅 {} 没有服务引擎（所属引擎记录中没有它）", hall);
      return r;
    }
    if (e.record.lease_until_ms <= now_ms) {
      r.error = fmt::format("大厅 {} 的服务引擎 {} 的租约已于 {} 毫秒前过期：备用引擎会自动接管，无需移交",
                            hall, e.record.engine, now_ms - e.record.lease_until_ms);
      return r;
    }
    if (e.record.engine == to) {
      r.error = fmt::format("大厅 {} 已由引擎 {} 服务，无需移交", hall, to);
      return r;
    }
    if (!e.record.move_to.empty() && e.record.move_to != to) {
      r.error = fmt::format("大厅 {} 已有一个移交请求（移交给引擎 {}），请等它完成或被拒绝", hall,
                            e.record.move_to);
      return r;
    }
    OwnerRecord asked = e.record;
    asked.move_to = to;
    asked.move_to_endpoint = to_endpoint;
    asked.move_refused.clear();
    const std::string value = to_json(asked);
    std::uint64_t rev = 0;
    const natsStatus s =
        kvStore_Update(&rev, kv_, hall.c_str(), value.data(), static_cast<int>(value.size()), e.revision);
    if (s == NATS_OK) {
      r.ok = true;
      r.owner = asked;
      r.revision = rev;
      return r;
    }
    // The owner renewed between the read and the write: read again.
    if (attempt == 5) {
      r.error = fmt::format("无法写入大厅 {} 的移交请求（试了 {} 次）：{}", hall, attempt, conn_.describe(s));
      return r;
    }
  }
}

std::optional<OwnerRecord> Ownership::owner(const std::string& hall, std::string* detail,
                                            std::uint64_t* revision) {
  const Entry e = read(hall);
  if (!e.ok) {
    if (detail) *detail = e.error;
    return std::nullopt;
  }
  if (!e.found) return std::nullopt;
  if (revision) *revision = e.revision;
  return e.record;
}

std::string Ownership::record_standby(const std::vector<std::string>& halls, std::int64_t lease_until_ms) {
  const std::string value = to_json(StandbyRecord{engine_, endpoint_, lease_until_ms, halls});
  std::uint64_t rev = 0;
  const natsStatus s =
      kvStore_Put(&rev, kv_, standby_key(engine_).c_str(), value.data(), static_cast<int>(value.size()));
  return s == NATS_OK ? std::string() : fmt::format("standby record of {}: {}", engine_, conn_.describe(s));
}

std::vector<StandbyRecord> Ownership::standbys(std::string* error) {
  std::vector<StandbyRecord> out;
  kvKeysList keys{};
  const natsStatus s = kvStore_Keys(&keys, kv_, nullptr);
  if (s == NATS_NOT_FOUND) return out;  // an empty bucket
  if (s != NATS_OK) {
    if (error) *error = fmt::format("standby records: {}", conn_.describe(s));
    return out;
  }
  for (int i = 0; i < keys.Count; ++i) {
    const std::string_view key = keys.Keys[i];
    if (key.substr(0, kStandbyKeyPrefix.size()) != kStandbyKeyPrefix) continue;
    kvEntry* entry = nullptr;
    const natsStatus g = kvStore_Get(&entry, kv_, keys.Keys[i]);
    if (g == NATS_NOT_FOUND) continue;
    if (g != NATS_OK) {
      if (error) *error = fmt::format("standby record {}: {}", key, conn_.describe(g));
      out.clear();
      break;
    }
    const std::string_view value(static_cast<const char*>(kvEntry_Value(entry)),
                                 static_cast<std::size_t>(kvEntry_ValueLen(entry)));
    if (auto r = standby_from_json(value)) out.push_back(std::move(*r));
    kvEntry_Destroy(entry);
  }
  kvKeysList_Destroy(&keys);
  return out;
}

}  // namespace hallq::replicate
