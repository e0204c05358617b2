// The durable pull consumer over nats.c's js_PullSubscribe / Fetch.
#include "displays/city/city_feed.h"

#include <fmt/format.h>

#include <algorithm>

namespace hallq::city {

CityFeed::CityFeed(replicate::NatsConnection& conn, Options options) : options_(std::move(options)) {
  // A consumer that exists keeps its ack policy (the server refuses to change
  // it): one made by an earlier hallq-city acknowledges explicitly.
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  if (js_GetConsumerInfo(&ci, conn.js(), options_.stream.c_str(), options_.durable.c_str(), nullptr, &jerr) ==
          NATS_OK &&
      ci != nullptr && ci->Config != nullptr)
    acks_all_ = ci->Config->AckPolicy == js_AckAll;
  jsConsumerInfo_Destroy(ci);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = options_.stream.c_str();
  so.Config.Durable = options_.durable.c_str();
  so.Config.AckPolicy = acks_all_ ? js_AckAll : js_AckExplicit;
  so.Config.DeliverPolicy = js_DeliverAll;
  so.Config.AckWait = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.ack_wait).count();
  so.Config.MaxAckPending = options_.max_ack_pending;
  jerr = static_cast<jsErrCode>(0);
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
