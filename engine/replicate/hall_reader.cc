// The reader: an ordered consumer on the hall's subject, and the checks each
// message passes before it is handed out.
#include "engine/replicate/hall_reader.h"

#include <fmt/format.h>

#include "engine/replicate/event_check.h"
#include "engine/replicate/stream_setup.h"

namespace hallq::replicate {

HallReader::HallReader(NatsConnection& conn, std::string hall, Options options)
    : conn_(conn), hall_(std::move(hall)), options_(std::move(options)), last_(options_.after) {
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = options_.stream.c_str();
  so.Ordered = true;
  if (options_.start_stream_seq > 0) {
    so.Config.DeliverPolicy = js_DeliverByStartSequence;
    so.Config.OptStartSeq = options_.start_stream_seq;
  } else {
    so.Config.DeliverPolicy = js_DeliverAll;
  }
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_SubscribeSync(&sub_, conn.js(), subject_of(hall_).c_str(), nullptr, &so, &jerr);
  if (s != NATS_OK) {
    throw ReplicateError(
        fmt::format("reading {} from {}: {}", subject_of(hall_), options_.stream, conn.describe(s, jerr)));
  }
}

HallReader::~HallReader() {
  natsSubscription_Unsubscribe(sub_);
  natsSubscription_Destroy(sub_);
}

void HallReader::refuse(std::string why) {
  if (options_.on_refused) options_.on_refused(why);
  refusals_.push_back(std::move(why));
}

std::optional<HallReader::Delivered> HallReader::next(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    natsMsg* m = nullptr;
    if (natsSubscription_NextMsg(&m, sub_, left.count()) != NATS_OK || m == nullptr) return std::nullopt;
    std::uint64_t stream_seq = 0;
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
      stream_seq = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
    }
    std::string bytes(natsMsg_GetData(m), static_cast<std::size_t>(natsMsg_GetDataLength(m)));
    natsMsg_Destroy(m);

    const std::string where = fmt::format("{} stream seq {}", subject_of(hall_), stream_seq);
    const EventCheck c = check_event(bytes, hall_, last_, where);
    if (c.verdict == EventCheck::Verdict::kRefused) {
      refuse(c.why);
      continue;
    }
    if (c.verdict == EventCheck::Verdict::kHeld && !broken_) continue;  // already held
    if (broken_ || c.verdict != EventCheck::Verdict::kNext) {
      refuse(c.verdict == EventCheck::Verdict::kGap
                 ? c.why
                 : fmt::format("{}: refused: hall seq {} does not follow {}", where, c.seq, last_));
      broken_ = true;
      continue;
    }
    last_ = c.seq;
    return Delivered{c.seq, stream_seq, std::move(bytes)};
  }
}

}  // namespace hallq::replicate
