// The durable pull consumer: made (or found) through the JetStream API,
// fetched from by replicate::PullFetcher.
#include "displays/city/city_feed.h"

#include <fmt/format.h>

#include <algorithm>

namespace hallq::city {

CityFeed::CityFeed(replicate::NatsConnection& conn, Options options) : options_(std::move(options)) {
  // A consumer that exists keeps its ack policy (the server refuses to change
  // it): one made by an earlier hallq-city acknowledges explicitly.
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_GetConsumerInfo(&ci, conn.js(), options_.stream.c_str(), options_.durable.c_str(), nullptr, &jerr);
  if (s == NATS_OK && ci != nullptr) {
    const bool push = ci->Config != nullptr && ci->Config->DeliverSubject != nullptr;
    if (ci->Config != nullptr) acks_all_ = ci->Config->AckPolicy == js_AckAll;
    jsConsumerInfo_Destroy(ci);
    if (push)
      throw replicate::ReplicateError(
          fmt::format("consumer {} on {} is a push consumer; delete it or choose another --durable",
                      options_.durable, options_.stream));
  } else if (jerr == JSConsumerNotFoundErr) {
    create(conn);
  } else {
    throw replicate::ReplicateError(
        fmt::format("consumer {} on {}: {}", options_.durable, options_.stream, conn.describe(s, jerr)),
        replicate::transient_status(s, jerr));
  }
  fetcher_ = std::make_unique<replicate::PullFetcher>(conn, options_.stream, options_.durable);
}

void CityFeed::create(replicate::NatsConnection& conn) {
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = options_.durable.c_str();
  cc.FilterSubject = "hallq.events.>";
  cc.AckPolicy = js_AckAll;
  cc.DeliverPolicy = js_DeliverAll;
  cc.AckWait = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.ack_wait).count();
  cc.MaxAckPending = options_.max_ack_pending;
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_AddConsumer(&ci, conn.js(), options_.stream.c_str(), &cc, nullptr, &jerr);
  if (ci != nullptr) jsConsumerInfo_Destroy(ci);
  if (s != NATS_OK)
    throw replicate::ReplicateError(fmt::format("consumer {} on {}: create: {}", options_.durable,
                                                options_.stream, conn.describe(s, jerr)),
                                    replicate::transient_status(s, jerr));
  acks_all_ = true;
}

CityFeed::~CityFeed() = default;

std::vector<CityFeed::Message> CityFeed::fetch(int max, std::chrono::milliseconds wait) {
  return fetcher_->fetch(max, wait);
}

void CityFeed::answer(std::vector<Message>& batch, const std::vector<Message*>& refused) {
  for (Message* m : refused) m->term();
  if (!acks_all_) {
    for (Message& m : batch)
      if (std::find(refused.begin(), refused.end(), &m) == refused.end()) m.ack();
    return;
  }
  // Ack-all: the highest stream sequence acknowledges every message before it
  // (a redelivery may come after a later message in one batch). A terminated
  // one counts as acknowledged too; acknowledging it again changes nothing.
  Message* last = nullptr;
  for (Message& m : batch)
    if (last == nullptr || m.stream_seq > last->stream_seq) last = &m;
  if (last != nullptr) last->ack();
}

}  // namespace hallq::city
