// The durable pull consumer over nats.c's js_PullSubscribe / Fetch.
#include "displays/city/city_feed.h"

#include <fmt/format.h>

#include <string_view>

namespace hallq::city {
namespace {

constexpr std::string_view kSubjectPrefix = "hallq.events.";

}  // namespace

CityFeed::Message::Message(natsMsg* m) : msg_(m) {
  subject = natsMsg_GetSubject(m);
  if (subject.starts_with(kSubjectPrefix)) hall = subject.substr(kSubjectPrefix.size());
  bytes.assign(natsMsg_GetData(m), static_cast<std::size_t>(natsMsg_GetDataLength(m)));
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
    stream_seq = meta->Sequence.Stream;
    delivered = meta->NumDelivered;
    pending = meta->NumPending;
    jsMsgMetaData_Destroy(meta);
  }
}

CityFeed::Message::~Message() { natsMsg_Destroy(msg_); }

CityFeed::Message::Message(Message&& o) noexcept
    : hall(std::move(o.hall)),
      subject(std::move(o.subject)),
      bytes(std::move(o.bytes)),
      stream_seq(o.stream_seq),
      delivered(o.delivered),
      pending(o.pending),
      msg_(o.msg_) {
  o.msg_ = nullptr;
}

// Acknowledgements are fire-and-forget: a lost one means a redelivery, which
// the replicas skip as held.
void CityFeed::Message::ack() { natsMsg_Ack(msg_, nullptr); }
void CityFeed::Message::term() { natsMsg_Term(msg_, nullptr); }

CityFeed::CityFeed(replicate::NatsConnection& conn, Options options) : options_(std::move(options)) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = options_.stream.c_str();
  so.Config.Durable = options_.durable.c_str();
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.DeliverPolicy = js_DeliverAll;
  so.Config.AckWait = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.ack_wait).count();
  so.Config.MaxAckPending = options_.max_ack_pending;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s =
      js_PullSubscribe(&sub_, conn.js(), "hallq.events.>", options_.durable.c_str(), nullptr, &so, &jerr);
  if (s != NATS_OK) {
    throw replicate::ReplicateError(
        fmt::format("consumer {} on {}: {}", options_.durable, options_.stream, conn.describe(s, jerr)));
  }
}

CityFeed::~CityFeed() { natsSubscription_Destroy(sub_); }

std::vector<CityFeed::Message> CityFeed::fetch(int max, std::chrono::milliseconds wait) {
  std::vector<Message> out;
  natsMsgList list{};
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = natsSubscription_Fetch(&list, sub_, max, wait.count(), &jerr);
  if (s != NATS_OK) return out;
  out.reserve(static_cast<std::size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    out.emplace_back(list.Msgs[i]);
    list.Msgs[i] = nullptr;  // the Message owns it now
  }
  natsMsgList_Destroy(&list);
  return out;
}

}  // namespace hallq::city
