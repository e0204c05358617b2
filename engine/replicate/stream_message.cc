// A delivered JetStream message over nats.c's natsMsg and its metadata.
#include "engine/replicate/stream_message.h"

#include <string_view>
#include <utility>

namespace hallq::replicate {
namespace {

constexpr std::string_view kSubjectPrefix = "hallq.events.";

}  // namespace

StreamMessage::StreamMessage(natsMsg* m) : msg_(m) {
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

StreamMessage::~StreamMessage() { natsMsg_Destroy(msg_); }

StreamMessage::StreamMessage(StreamMessage&& o) noexcept
    : hall(std::move(o.hall)),
      subject(std::move(o.subject)),
      bytes(std::move(o.bytes)),
      stream_seq(o.stream_seq),
      delivered(o.delivered),
      pending(o.pending),
      msg_(o.msg_) {
  o.msg_ = nullptr;
}

void StreamMessage::ack() { natsMsg_Ack(msg_, nullptr); }
void StreamMessage::term() { natsMsg_Term(msg_, nullptr); }
void StreamMessage::in_progress() { natsMsg_InProgress(msg_, nullptr); }

}  // namespace hallq::replicate
