// The publisher: tails learned from the stream, rounds of asynchronous
// fenced publishes, acknowledgements matched back by message id.
#include "engine/replicate/publisher.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/replicate/stream_setup.h"

namespace hallq::replicate {

const char* to_string(PublishOutcome o) {
  switch (o) {
    case PublishOutcome::kStored:
      return "stored";
    case PublishOutcome::kDuplicate:
      return "duplicate";
    case PublishOutcome::kFenced:
      return "fenced";
    case PublishOutcome::kGap:
      return "gap";
    case PublishOutcome::kUnavailable:
      return "unavailable";
  }
  return "?";
}

// One round's acknowledgements, filled by the client library's thread.
struct Publisher::Round {
  struct Ack {
    bool done = false;
    bool ok = false;
    bool duplicate = false;
    std::uint64_t stream_seq = 0;
    natsStatus status = NATS_OK;  // of a refusal
    int js_error = 0;
    std::string error;
    // Refused in a way a resend may mend (no responders: no leader).
    bool transient() const {
      return done && !ok && transient_status(status, static_cast<jsErrCode>(js_error));
    }
  };
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, Ack, std::less<>> acks;  // by message id
  std::size_t waiting = 0;
};

namespace {

std::string msg_id(std::string_view hall, core::Seq seq) { return fmt::format("{}:{}", hall, seq); }

struct Msg {
  natsMsg* p = nullptr;
  ~Msg() { natsMsg_Destroy(p); }
};

}  // namespace

Publisher::Publisher(NatsConnection& conn, std::string stream, std::chrono::milliseconds attempt_wait)
    : conn_(conn),
      stream_(std::move(stream)),
      attempt_wait_(std::max(attempt_wait, std::chrono::milliseconds(1))),
      round_(std::make_unique<Round>()) {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = conn.options().request_timeout.count();
  jo.PublishAsync.AckHandler = &Publisher::on_ack;
  jo.PublishAsync.AckHandlerClosure = round_.get();
  jo.PublishAsync.MaxPending = 4096;
  const natsStatus s = natsConnection_JetStream(&js_, conn.raw(), &jo);
  if (s != NATS_OK) throw ReplicateError("publisher: " + conn.describe(s));
}

Publisher::~Publisher() {
  // Acknowledgements still pending are dropped with their messages (nats.c
  // 3.4 crashes asking for the pending list of a context that never published).
  natsMsgList pending;
  if (published_ && js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) natsMsgList_Destroy(&pending);
  jsCtx_Destroy(js_);
}

void Publisher::on_ack(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
  auto* round = static_cast<Round*>(closure);
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) {
    std::lock_guard lock(round->mu);
    auto it = round->acks.find(std::string_view(id));
    if (it != round->acks.end() && !it->second.done) {
      Round::Ack& a = it->second;
      a.done = true;
      if (pa != nullptr) {
        a.ok = true;
        a.duplicate = pa->Duplicate;
        a.stream_seq = pa->Sequence;
      } else if (pae != nullptr) {
        a.status = pae->Err;
        a.js_error = static_cast<int>(pae->ErrCode);
        a.error = fmt::format("{}{}{}", natsStatus_GetText(pae->Err), pae->ErrText ? ": " : "",
                              pae->ErrText ? pae->ErrText : "");
      }
      if (--round->waiting == 0) round->cv.notify_all();
    }
  }
  natsMsg_Destroy(msg);
}

std::optional<SubjectTail> read_tail(NatsConnection& conn, const std::string& stream, const std::string& hall,
                                     std::string* error, std::chrono::milliseconds wait, bool* transient) {
  Msg last;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = wait.count();  // 0: the context's (the connection's request timeout)
  const natsStatus s =
      js_GetLastMsg(&last.p, conn.js(), stream.c_str(), subject_of(hall).c_str(), &jo, &jerr);
  if (transient != nullptr) *transient = false;
  SubjectTail t;
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) return t;
  if (s != NATS_OK) {
    if (transient != nullptr) *transient = transient_status(s, jerr);
    if (error) *error = fmt::format("last message of {}: {}", subject_of(hall), conn.describe(s, jerr));
    return std::nullopt;
  }
  const protocol::Bytes bytes(reinterpret_cast<const std::uint8_t*>(natsMsg_GetData(last.p)),
                              static_cast<std::size_t>(natsMsg_GetDataLength(last.p)));
  std::string why;
  if (protocol::inspect(bytes, &why) != protocol::MessageKind::kEvent ||
      protocol::peek_event(bytes).hall != hall) {
    if (error)
      *error = fmt::format("last message of {} (stream seq {}) is not an event of hall {}: {}",
                           subject_of(hall), natsMsg_GetSequence(last.p), hall, why);
    return std::nullopt;
  }
  t.stream_seq = natsMsg_GetSequence(last.p);
  t.hall_seq = protocol::peek_event(bytes).seq;
  return t;
}

std::optional<SubjectTail> Publisher::tail(const std::string& hall, std::string* error) {
  if (auto it = tails_.find(hall); it != tails_.end()) return it->second;
  std::optional<SubjectTail> t = read_tail(conn_, stream_, hall, error);
  if (t) tails_[hall] = *t;
  return t;
}

std::optional<SubjectTail> Publisher::tail_until(const std::string& hall,
                                                 std::chrono::steady_clock::time_point until,
                                                 std::string* error) {
  if (auto it = tails_.find(hall); it != tails_.end()) return it->second;
  for (;;) {
    const auto start = std::chrono::steady_clock::now();
    bool transient = false;
    std::optional<SubjectTail> t = read_tail(conn_, stream_, hall, error, attempt_wait_, &transient);
    if (t) {
      tails_[hall] = *t;
      return t;
    }
    const auto next = start + attempt_wait_;
    if (!transient || !conn_.connected() || next >= until) return std::nullopt;
    std::this_thread::sleep_until(next);  // paces a retry (no responders answers at once)
  }
}

void Publisher::forget(const std::string& hall) { tails_.erase(hall); }

bool Publisher::stored_bytes_equal(std::uint64_t stream_seq, std::string_view bytes, std::string& why) {
  Msg stored;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetMsg(&stored.p, conn_.js(), stream_.c_str(), stream_seq, nullptr, &jerr);
  if (s != NATS_OK) {
    why = fmt::format("cannot read back stream seq {}: {}", stream_seq, conn_.describe(s, jerr));
    return false;
  }
  const std::string_view have(natsMsg_GetData(stored.p),
                              static_cast<std::size_t>(natsMsg_GetDataLength(stored.p)));
  if (have != bytes) {
    why = fmt::format("stream seq {} holds another event under the same id", stream_seq);
    return false;
  }
  return true;
}

natsStatus Publisher::wait_for_acks(std::uint64_t reconnects_at_send,
                                    std::chrono::steady_clock::time_point until) {
  // In slices, so that a connection lost meanwhile ends the wait at once:
  // an acknowledgement of a message sent to a server that died never comes,
  // and the round's events are sent again (same ids) to the server the
  // client reconnects to. Waits on the round's own count, not on the
  // context's pending publishes: a copy given up on may stay pending there.
  constexpr auto kSlice = std::chrono::milliseconds(50);
  std::unique_lock lock(round_->mu);
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (round_->cv.wait_until(lock, std::min(until, now + kSlice), [&] { return round_->waiting == 0; }))
      return NATS_OK;
    if (std::chrono::steady_clock::now() >= until) return NATS_TIMEOUT;
    if (!conn_.connected() || conn_.reconnects() != reconnects_at_send) return NATS_CONNECTION_DISCONNECTED;
  }
}

std::vector<PublishResult> Publisher::publish(std::span<const OutEvent> batch) {
  std::vector<PublishResult> results(batch.size());
  // Each hall's events, in batch order, and the next one to send.
  struct HallQueue {
    std::string hall;
    std::vector<std::size_t> idx;
    std::size_t next = 0;
    bool done = false;
  };
  std::vector<HallQueue> halls;
  std::map<std::string_view, std::size_t, std::less<>> by_hall;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto [it, fresh] = by_hall.try_emplace(batch[i].hall, halls.size());
    if (fresh) halls.push_back({std::string(batch[i].hall), {}, 0, false});
    halls[it->second].idx.push_back(i);
  }
  // Refused for a stale expected sequence: is the subject's tail one of this
  // hall's events of this batch, with the same bytes? Then the events up to it
  // were stored before (a retry whose acknowledgement was lost; the server
  // checks the expected sequence before the duplicate id) and the rest goes on.
  auto own_run_stored = [&](HallQueue& q, std::span<const OutEvent> events, std::vector<PublishResult>& out) {
    const std::optional<SubjectTail> t = tail(q.hall);
    if (!t || t->hall_seq < events[q.idx[q.next]].seq) return false;
    std::size_t k = q.next;
    while (k < q.idx.size() && events[q.idx[k]].seq < t->hall_seq) ++k;
    if (k == q.idx.size() || events[q.idx[k]].seq != t->hall_seq) return false;
    std::string why;
    if (!stored_bytes_equal(t->stream_seq, events[q.idx[k]].bytes, why)) return false;
    for (std::size_t j = q.next; j <= k; ++j) {
      out[q.idx[j]] = {PublishOutcome::kDuplicate, j == k ? t->stream_seq : 0, "stored before"};
    }
    q.next = k + 1;
    if (q.next == q.idx.size()) q.done = true;
    return true;
  };
  // A hall's events from position `from` on all get `o` (unsent).
  auto finish = [&](HallQueue& q, std::size_t from, PublishOutcome o, const std::string& detail) {
    for (std::size_t k = from; k < q.idx.size(); ++k) results[q.idx[k]] = {o, 0, detail};
    q.done = true;
  };

  const auto tails_until = std::chrono::steady_clock::now() + conn_.options().request_timeout;
  for (HallQueue& q : halls) {
    std::string error;
    const std::optional<SubjectTail> t = tail_until(q.hall, tails_until, &error);
    if (!t) {
      finish(q, 0, PublishOutcome::kUnavailable, error);
      continue;
    }
    while (q.next < q.idx.size() && batch[q.idx[q.next]].seq <= t->hall_seq) {
      results[q.idx[q.next]] = {PublishOutcome::kDuplicate, 0,
                                fmt::format("the stream already holds {} up to seq {}", q.hall, t->hall_seq)};
      ++q.next;
    }
    if (q.next == q.idx.size()) q.done = true;
  }

  for (;;) {
    // This round: the next event of every hall still going.
    std::vector<std::pair<HallQueue*, std::size_t>> sent;  // queue, batch index
    {
      std::lock_guard lock(round_->mu);
      round_->acks.clear();
      round_->waiting = 0;
    }
    for (HallQueue& q : halls) {
      if (q.done) continue;
      const std::size_t i = q.idx[q.next];
      const OutEvent& e = batch[i];
      const SubjectTail& t = tails_[q.hall];
      if (e.seq != t.hall_seq + 1) {
        finish(q, q.next, PublishOutcome::kGap,
               fmt::format("{} seq {} does not follow the stream's seq {}", q.hall, e.seq, t.hall_seq));
        continue;
      }
      sent.emplace_back(&q, i);
    }
    if (sent.empty()) break;
    ++rounds_;

    // Sends event sent[k], or again the identical message (same id and
    // expected sequence); a failure to send is recorded as its answer.
    const auto send = [&](std::size_t k) {
      const auto [q, i] = sent[k];
      const OutEvent& e = batch[i];
      const std::string id = msg_id(e.hall, e.seq);
      {
        std::lock_guard lock(round_->mu);
        auto [it, fresh] = round_->acks.try_emplace(id);
        if (fresh || it->second.done) {
          it->second = Round::Ack{};
          ++round_->waiting;
        }
      }
      natsMsg* m = nullptr;
      natsStatus s = natsMsg_Create(&m, subject_of(q->hall).c_str(), nullptr, e.bytes.data(),
                                    static_cast<int>(e.bytes.size()));
      // Set by hand: nats.c omits the expectation when it is 0, and a hall's
      // first event must fence too (nothing may precede it).
      if (s == NATS_OK)
        s = natsMsgHeader_Set(m, "Nats-Expected-Last-Subject-Sequence",
                              std::to_string(tails_[q->hall].stream_seq).c_str());
      if (s == NATS_OK) s = natsMsgHeader_Set(m, "Nats-Msg-Id", id.c_str());
      if (s == NATS_OK) s = js_PublishMsgAsync(js_, &m, nullptr);
      if (s == NATS_OK) published_ = true;
      natsMsg_Destroy(m);  // null if the library took it
      if (s != NATS_OK) {
        std::lock_guard lock(round_->mu);
        Round::Ack& a = round_->acks[id];
        if (!a.done) {
          a = {.done = true, .status = s, .error = conn_.describe(s)};
          --round_->waiting;
        }
      }
    };
    // Until every event is answered for good, or the request timeout has
    // passed: each attempt waits attempt_wait_, then sends again what is
    // unanswered or refused transiently (at most once per attempt_wait_).
    const auto round_end = std::chrono::steady_clock::now() + conn_.options().request_timeout;
    std::vector<std::size_t> to_send(sent.size());
    for (std::size_t k = 0; k < sent.size(); ++k) to_send[k] = k;
    natsStatus wait = NATS_OK;
    for (bool first = true;; first = false) {
      const auto attempt_start = std::chrono::steady_clock::now();
      const std::uint64_t reconnects = conn_.reconnects();
      if (!first) {
        // The copies still pending are given up on (an answer to one of them
        // would be as good, but the context's pending list must not grow).
        natsMsgList pending;
        if (published_ && js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK)
          natsMsgList_Destroy(&pending);
        resends_ += to_send.size();
      }
      for (std::size_t k : to_send) send(k);
      wait = wait_for_acks(reconnects, std::min(attempt_start + attempt_wait_, round_end));
      to_send.clear();
      {
        std::lock_guard lock(round_->mu);
        for (std::size_t k = 0; k < sent.size(); ++k) {
          const OutEvent& e = batch[sent[k].second];
          const Round::Ack& a = round_->acks[msg_id(e.hall, e.seq)];
          if (!a.done || a.transient()) to_send.push_back(k);
        }
      }
      const auto next = attempt_start + attempt_wait_;
      // Not connected: the client would only buffer the copies; the caller
      // retries once it is back (NatsConnection reconnects by itself).
      if (to_send.empty() || !conn_.connected() || next >= round_end) break;
      std::this_thread::sleep_until(next);  // paces a resend (no responders answers at once)
    }
    if (wait != NATS_OK && published_) {
      // Take back what was not acknowledged: its outcome is unknown.
      natsMsgList pending;
      if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) natsMsgList_Destroy(&pending);
    }
    std::map<std::string, Round::Ack, std::less<>> acks;
    {
      std::lock_guard lock(round_->mu);
      acks.swap(round_->acks);
      round_->waiting = 0;
    }
    for (auto [q, i] : sent) {
      const OutEvent& e = batch[i];
      const Round::Ack& a = acks[msg_id(e.hall, e.seq)];
      if (!a.done) {
        forget(q->hall);
        finish(*q, q->next, PublishOutcome::kUnavailable,
               fmt::format("no acknowledgement for {}:{} ({})", e.hall, e.seq, natsStatus_GetText(wait)));
        continue;
      }
      if (!a.ok) {
        const bool fenced = a.js_error == JSStreamWrongLastSequenceErr;
        forget(q->hall);
        if (fenced && own_run_stored(*q, batch, results)) continue;
        finish(*q, q->next, fenced ? PublishOutcome::kFenced : PublishOutcome::kUnavailable,
               fmt::format("{}:{}: {}", e.hall, e.seq, a.error));
        continue;
      }
      std::string why;
      if (a.duplicate && !stored_bytes_equal(a.stream_seq, e.bytes, why)) {
        forget(q->hall);
        finish(*q, q->next, PublishOutcome::kFenced, fmt::format("{}:{}: {}", e.hall, e.seq, why));
        continue;
      }
      results[i] = {a.duplicate ? PublishOutcome::kDuplicate : PublishOutcome::kStored, a.stream_seq, {}};
      tails_[q->hall] = {a.stream_seq, e.seq};
      if (++q->next == q->idx.size()) q->done = true;
    }
  }
  return results;
}

}  // namespace hallq::replicate
