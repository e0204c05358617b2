// Fuzz target "request": a buffer as the engine receives it on its command
// socket, through what the engine does with it (engine/server/engine.cc,
// Engine::handle): the size limit, FlatBuffers verification (inspect), the
// request decoder, and the decoded command applied to a hall in mid-day.
// Buffers of the other kinds go through the client-side decoders (replies,
// events, heartbeats) as a subscriber would. Properties checked besides "no
// crash, no sanitizer report": a decoded request re-encodes to a request that
// decodes to the same thing, a refused command changes nothing, and the
// hall's snapshot (as the engine stores it) keeps its request-id memory.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "fuzz/fuzz_halls.h"

namespace {

using namespace hallq;

void check(bool ok) {
  if (!ok) std::abort();  // a property failed: libFuzzer records the input
}

void fuzz_command(const protocol::DecodedRequest& request) {
  // The hall named in the request if it is a sample one, else the town.
  std::size_t which = 0;
  for (std::size_t i = 0; i < fuzz::kSampleHalls; ++i)
    if (fuzz::sample_config(i).id == request.hall) which = i;
  auto hall = fuzz::mid_day_hall(which);
  const core::Seq before = hall->seq();
  const std::size_t tickets_before = hall->tickets().size();
  std::vector<core::Event> out;
  const core::TimeUs now = fuzz::mid_day_now();
  (void)hall->apply(core::Command{{}, core::Tick{}}, now, out);
  const std::size_t after_tick = out.size();
  const core::Status st = hall->apply(core::Command{request.request_id, request.command}, now, out);
  if (!st.ok()) {
    check(out.size() == after_tick);
    check(hall->seq() == before + after_tick);
    check(hall->tickets().size() == tickets_before);
  }
  // The engine's stored snapshot keeps the request-id memory exactly, or a
  // retry after recovery would be applied twice.
  {
    const std::string snap = protocol::encode_snapshot(*hall, 1, true);
    protocol::DecodedSnapshot decoded;
    check(protocol::inspect(protocol::as_bytes(snap)) == protocol::MessageKind::kSnapshot);
    check(protocol::decode_snapshot(protocol::as_bytes(snap), decoded).ok());
    check(decoded.state.requests == hall->export_state(true).requests);
  }
  // Every event the core emitted encodes, verifies and decodes as a replica would.
  for (const core::Event& e : out) {
    const std::string bytes = protocol::encode_event(*hall, e, request.request_id);
    check(protocol::inspect(protocol::as_bytes(bytes)) == protocol::MessageKind::kEvent);
    protocol::DecodedEvent decoded;
    check(protocol::decode_event(protocol::as_bytes(bytes), hall->config(), decoded).ok());
  }
}

void fuzz_request(protocol::Bytes bytes) {
  protocol::DecodedRequest request;
  if (!protocol::decode_request(bytes, request).ok()) return;
  if (request.kind != protocol::RequestKind::kCommand) return;
  // Round trip: what the decoder accepted, the encoder writes back the same.
  const std::string again = protocol::encode_request(request.request_id, request.hall, request.command);
  check(protocol::inspect(protocol::as_bytes(again)) == protocol::MessageKind::kRequest);
  protocol::DecodedRequest second;
  check(protocol::decode_request(protocol::as_bytes(again), second).ok());
  check(second.request_id == request.request_id && second.hall == request.hall);
  check(second.command == request.command);
  check(protocol::encode_request(second.request_id, second.hall, second.command) == again);
  fuzz_command(request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const protocol::Bytes bytes(data, size);
  if (size > protocol::kMaxRequestBytes) return 0;  // refused unread by the engine
  switch (protocol::inspect(bytes)) {
    case protocol::MessageKind::kRequest:
      fuzz_request(bytes);
      break;
    case protocol::MessageKind::kReply:
      (void)protocol::decode_reply(bytes);
      break;
    case protocol::MessageKind::kEvent: {
      (void)protocol::describe_event(bytes);
      (void)protocol::peek_event(bytes);
      protocol::DecodedEvent decoded;
      (void)protocol::decode_event(bytes, fuzz::sample_config(0), decoded);
      break;
    }
    case protocol::MessageKind::kHeartbeat:
      (void)protocol::decode_heartbeat(bytes);
      break;
    case protocol::MessageKind::kSnapshot:  // the snapshot target's business
    case protocol::MessageKind::kInvalid:
      break;
  }
  return 0;
}
