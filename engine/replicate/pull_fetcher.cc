// The pull protocol over a plain nats.c subscription (pull_fetcher.h).
#include "engine/replicate/pull_fetcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace hallq::replicate {
namespace {

// A request's expiry as the server counts it starts when the server reads it;
// this side waits that much longer before it gives the request up.
constexpr auto kExpiryMargin = std::chrono::milliseconds(50);

// A status message: no data, a header block "NATS/1.0 <code> ...".
int status_code(natsMsg* m) {
  if (natsMsg_GetDataLength(m) > 0) return 0;
  const char* status = nullptr;
  if (natsMsgHeader_Get(m, "Status", &status) != NATS_OK || status == nullptr) return 0;
  return std::atoi(status);
}

}  // namespace

PullFetcher::PullFetcher(NatsConnection& conn, const std::string& stream, const std::string& consumer)
    : nc_(conn.raw()), next_subject_(fmt::format("$JS.API.CONSUMER.MSG.NEXT.{}.{}", stream, consumer)) {
  natsInbox* inbox = nullptr;
  natsStatus s = natsInbox_Create(&inbox);
  if (s == NATS_OK) {
    inbox_ = std::string(inbox) + ".";
    natsInbox_Destroy(inbox);
    s = natsConnection_SubscribeSync(&sub_, nc_, (inbox_ + "*").c_str());
  }
  if (s == NATS_OK) {
    // A fetch's messages wait here between fetches: no limit the server's
    // MaxAckPending does not already set (the default drops messages past
    // 65,536 queued, and they would then come again only after the ack wait).
    s = natsSubscription_SetPendingLimits(sub_, -1, -1);
  }
  if (s != NATS_OK)
    throw ReplicateError(fmt::format("consumer {} on {}: subscribe: {}", consumer, stream, conn.describe(s)),
                         transient_status(s));
}

PullFetcher::~PullFetcher() { natsSubscription_Destroy(sub_); }

int PullFetcher::queued() const {
  int msgs = 0, bytes = 0;
  return natsSubscription_GetPending(sub_, &msgs, &bytes) == NATS_OK ? msgs : 0;
}

void PullFetcher::send(int batch, std::chrono::milliseconds expires, bool no_wait) {
  ++request_id_;
  const std::string reply = inbox_ + std::to_string(request_id_);
  const std::string body =
      no_wait ? fmt::format(R"({{"batch":{},"no_wait":true}})", batch)
              : fmt::format(R"({{"batch":{},"expires":{}}})", batch,
                            std::chrono::duration_cast<std::chrono::nanoseconds>(expires).count());
  live_ =
      natsConnection_PublishRequestString(nc_, next_subject_.c_str(), reply.c_str(), body.c_str()) == NATS_OK;
  live_no_wait_ = no_wait;
  live_left_ = batch;
  // A no_wait request is answered at once; the margin covers the round trip.
  live_until_ = Clock::now() + (no_wait ? std::chrono::milliseconds(0) : expires) + kExpiryMargin;
}

std::uint64_t PullFetcher::request_of(const char* subject) const {
  if (subject == nullptr || std::strncmp(subject, inbox_.data(), inbox_.size()) != 0) return 0;
  return std::strtoull(subject + inbox_.size(), nullptr, 10);
}

PullFetcher::Ended PullFetcher::take(natsMsg* m, std::vector<StreamMessage>& out) {
  const int code = status_code(m);
  if (code == 0) {
    // A delivery keeps its stream subject, so it does not say which request
    // it answers; one from a request given up counts against the live one,
    // which may then end early: its rest stays queued for the next fetch.
    out.emplace_back(m, nc_);  // owns m now
    if (live_ && --live_left_ <= 0) {
      live_ = false;
      return Ended::kDone;
    }
    return Ended::kNo;
  }
  const bool current = live_ && request_of(natsMsg_GetSubject(m)) == request_id_;
  natsMsg_Destroy(m);
  // A status comes on the request's reply subject. 100: an idle heartbeat (not asked for); a status of an
  // older request: it ended before (this side gave it up), nothing to do.
  if (code == 100 || !current) return Ended::kNo;
  const bool no_wait = live_no_wait_;
  live_ = false;
  // 404 to the first request (no_wait): nothing to deliver now, ask again
  // waiting. 408: the request expired, the fetch's wait is over.
  if (code == 404 && no_wait) return Ended::kNothing;
  if (code == 408) return Ended::kDone;
  // 404 to a waiting request, 409 (the consumer deleted, a limit, a
  // leadership change), 503 (no responders: no leader, JetStream away):
  // asking again at once would only spin; what came is returned, else the
  // fetch waits out its wait.
  return Ended::kUnavailable;
}

std::vector<StreamMessage> PullFetcher::fetch(int max, std::chrono::milliseconds wait) {
  std::vector<StreamMessage> out;
  max = std::max(max, 1);
  const auto deadline = Clock::now() + wait;
  // What came after earlier fetches gave up (and any status) first.
  natsMsg* m = nullptr;
  while (static_cast<int>(out.size()) < max && natsSubscription_NextMsg(&m, sub_, 0) == NATS_OK) take(m, out);
  if (!out.empty()) return out;
  if (live_ && Clock::now() > live_until_) live_ = false;  // its end never came
  if (!live_) send(max, wait, /*no_wait=*/true);
  bool ask = live_;  // false: not connected, or no one answers; wait out the fetch
  while (static_cast<int>(out.size()) < max) {
    const auto now = Clock::now();
    if (now >= deadline) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (!live_ && ask) {
      // The last request ended with nothing to deliver: wait for the rest.
      if (left.count() < 1) break;
      send(max - static_cast<int>(out.size()), left, /*no_wait=*/false);
      ask = live_;
    }
    // Once something came from a waiting request, return with what is queued.
    const bool got = !out.empty() && !live_no_wait_;
    m = nullptr;
    const natsStatus s =
        natsSubscription_NextMsg(&m, sub_, got ? 0 : std::max<std::int64_t>(left.count(), 1));
    if (s == NATS_TIMEOUT && !got) continue;  // the deadline check ends the loop
    if (s != NATS_OK) break;                  // nothing more queued, or the subscription closed
    switch (take(m, out)) {
      case Ended::kNo:
        break;
      case Ended::kNothing:
        if (!out.empty()) return out;
        break;
      case Ended::kUnavailable:
        if (!out.empty()) return out;
        ask = false;
        break;
      case Ended::kDone:
        return out;
    }
  }
  return out;
}

}  // namespace hallq::replicate
