// The per-hall durable consumer over nats.c: consumer info, delete and add
// (JetStream API requests), then replicate::PullFetcher on it.
#include "adapters/feed/hall_consumer.h"

#include <fmt/format.h>

namespace hallq::feed {

HallConsumer::HallConsumer(replicate::NatsConnection& conn, Options options)
    : options_(std::move(options)),
      name_(options_.durable + "-" + options_.hall),
      subject_("hallq.events." + options_.hall) {
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_GetConsumerInfo(&ci, conn.js(), options_.stream.c_str(), name_.c_str(), nullptr, &jerr);
  if (s == NATS_OK) {
    const bool other_subject = ci->Config == nullptr || ci->Config->FilterSubject == nullptr ||
                               subject_ != ci->Config->FilterSubject;
    const std::int64_t awaiting = ci->NumAckPending;
    const std::uint64_t floor = ci->AckFloor.Stream;
    jsConsumerInfo_Destroy(ci);
    if (other_subject)
      throw replicate::ReplicateError(fmt::format(
          "consumer {} on {} exists for another subject than {}; delete it or choose another durable", name_,
          options_.stream, subject_));
    if (awaiting > 0) {
      // Messages handed out to a feed that died: start again at the first one not acknowledged.
      jerr = static_cast<jsErrCode>(0);
      const natsStatus d =
          js_DeleteConsumer(conn.js(), options_.stream.c_str(), name_.c_str(), nullptr, &jerr);
      if (d != NATS_OK)
        throw replicate::ReplicateError(
            fmt::format("consumer {} on {}: delete: {}", name_, options_.stream, conn.describe(d, jerr)),
            replicate::transient_status(d, jerr));
      repositioned_from_ = floor + 1;
      create(conn, floor + 1);
    }
  } else if (jerr == JSConsumerNotFoundErr) {
    create(conn, 0);
  } else {
    throw replicate::ReplicateError(
        fmt::format("consumer {} on {}: {}", name_, options_.stream, conn.describe(s, jerr)),
        replicate::transient_status(s, jerr));
  }
  fetcher_ = std::make_unique<replicate::PullFetcher>(conn, options_.stream, name_);
}

void HallConsumer::create(replicate::NatsConnection& conn, std::uint64_t start_seq) {
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = name_.c_str();
  cc.FilterSubject = subject_.c_str();
  cc.AckPolicy = js_AckExplicit;
  cc.AckWait = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.ack_wait).count();
  cc.MaxAckPending = options_.max_ack_pending;
  if (start_seq > 1) {
    cc.DeliverPolicy = js_DeliverByStartSequence;
    cc.OptStartSeq = start_seq;
  } else {
    cc.DeliverPolicy = js_DeliverAll;
  }
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_AddConsumer(&ci, conn.js(), options_.stream.c_str(), &cc, nullptr, &jerr);
  if (ci != nullptr) jsConsumerInfo_Destroy(ci);
  if (s != NATS_OK)
    throw replicate::ReplicateError(
        fmt::format("consumer {} on {}: create: {}", name_, options_.stream, conn.describe(s, jerr)),
        replicate::transient_status(s, jerr));
}

HallConsumer::~HallConsumer() = default;

std::vector<replicate::StreamMessage> HallConsumer::fetch(int max, std::chrono::milliseconds wait) {
  return fetcher_->fetch(max, wait);
}

}  // namespace hallq::feed
