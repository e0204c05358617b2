#include "engine/protocol/message.h"

#include "engine/protocol/hallq_generated.h"

namespace hallq::protocol {

MessageKind inspect(Bytes bytes, std::string* why) {
  auto fail = [&](const char* reason) {
    if (why) *why = reason;
    return MessageKind::kInvalid;
  };
  if (bytes.size() < 8) return fail("message too short");
  if (bytes.size() > kMaxMessageBytes) return fail("message too large");
  if (!flatbuffers::BufferHasIdentifier(bytes.data(), wire::MessageIdentifier()))
    return fail("not a hallq v1 message (identifier)");
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 32;
  opts.max_tables = 10'000'000;
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), opts);
  if (!wire::VerifyMessageBuffer(verifier)) return fail("message failed verification");
  const wire::Message* m = wire::GetMessage(bytes.data());
  switch (m->body_type()) {
    case wire::Body::Request: return MessageKind::kRequest;
    case wire::Body::Reply: return MessageKind::kReply;
    case wire::Body::Event: return MessageKind::kEvent;
    case wire::Body::Heartbeat: return MessageKind::kHeartbeat;
    case wire::Body::HallSnapshot: return MessageKind::kSnapshot;
    default: return fail("message has no body");
  }
}

}  // namespace hallq::protocol
