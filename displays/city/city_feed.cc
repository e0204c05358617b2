// The durable pull consumer over nats.c's js_PullSubscribe / Fetch.
#include "displays/city/city_feed.h"

#include <fmt/format.h>

namespace hallq::city {

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
