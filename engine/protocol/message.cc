#include "engine/protocol/message.h"

#include "engine/protocol/hallq_generated.h"

namespace hallq::protocol {
namespace {

// Verifies `bytes` as one Message, without the buffers nested in it (a reply's
// blobs): FlatBuffers would verify those recursively, with fresh limits at each
// level, so replies nested in replies could exhaust the stack. Sets `reason`
// and returns null if it fails.
const wire::Message* verify(Bytes bytes, const char*& reason) {
  if (bytes.size() < 8) {
    reason = "message too short";
    return nullptr;
  }
  if (bytes.size() > kMaxMessageBytes) {
    reason = "message too large";
    return nullptr;
  }
  if (!flatbuffers::BufferHasIdentifier(bytes.data(), wire::MessageIdentifier())) {
    reason = "not a hallq v1 message (identifier)";
    return nullptr;
  }
  flatbuffers::Verifier::Options opts;
  opts.max_depth = 32;
  opts.max_tables = 10'000'000;
  opts.check_nested_flatbuffers = false;
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), opts);
  if (!wire::VerifyMessageBuffer(verifier)) {
    reason = "message failed verification";
    return nullptr;
  }
  return wire::GetMessage(bytes.data());
}

// A reply's blob holds a whole Message of kind `want` (an event or a snapshot,
// never another reply, so this goes one level deep only).
bool blob_holds(const wire::Blob* blob, wire::Body want) {
  if (blob->data() == nullptr) return false;
  const char* reason = nullptr;
  const wire::Message* m = verify(Bytes(blob->data()->data(), blob->data()->size()), reason);
  return m != nullptr && m->body_type() == want;
}

}  // namespace

MessageKind inspect(Bytes bytes, std::string* why) {
  auto fail = [&](const char* reason) {
    if (why) *why = reason;
    return MessageKind::kInvalid;
  };
  const char* reason = nullptr;
  const wire::Message* m = verify(bytes, reason);
  if (m == nullptr) return fail(reason);
  switch (m->body_type()) {
    case wire::Body::Request:
      return MessageKind::kRequest;
    case wire::Body::Reply:
      if (const wire::Reply* r = m->body_as_Reply()) {
        if (r->events()) {
          for (const wire::Blob* b : *r->events())
            if (!blob_holds(b, wire::Body::Event)) return fail("reply carries an invalid event");
        }
        const wire::Blob* snap = r->snapshot();
        if (snap && snap->data() && !blob_holds(snap, wire::Body::HallSnapshot))
          return fail("reply carries an invalid snapshot");
      }
      return MessageKind::kReply;
    case wire::Body::Event:
      return MessageKind::kEvent;
    case wire::Body::Heartbeat:
      return MessageKind::kHeartbeat;
    case wire::Body::HallSnapshot:
      return MessageKind::kSnapshot;
    default:
      return fail("message has no body");
  }
}

}  // namespace hallq::protocol
