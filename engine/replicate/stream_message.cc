// A delivered JetStream message over nats.c's natsMsg and its metadata.
#include "engine/replicate/stream_message.h"

#include <string_view>
#include <utility>

namespace hallq::replicate {
namespace {

constexpr std::string_view kSubjectPrefix = "hallq.events.";

}  // namespace

StreamMessage::StreamMessage(natsMsg* m, natsConnection* conn) : msg_(m), conn_(conn) {
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
      msg_(o.msg_),
      conn_(o.conn_) {
  o.msg_ = nullptr;
}

void StreamMessage::answer(const char* body) {
  const char* reply = msg_ != nullptr ? natsMsg_GetReply(msg_) : nullptr;
  if (reply == nullptr || *reply == '\0') return;  // not a JetStream delivery
  natsConnection_PublishString(conn_, reply, body);
}

void StreamMessage::ack() { answer("+ACK"); }
void StreamMessage::term() { answer("+TERM"); }
void StreamMessage::in_progress() { answer("+WPI"); }

}  // namespace hallq::replicate
