#include "engine/protocol/reply_codec.h"

#include "engine/protocol/hallq_generated.h"
#include "engine/protocol/wire_util.h"

namespace hallq::protocol {
namespace {

using detail::bytes_of;
using detail::copy;

namespace w = wire;

// The numbers are the wire's: the schema lists every core code (and the unused 23) in order.
static_assert(static_cast<int>(w::ErrorCode::MAX) == static_cast<int>(core::kLastErrorCode),
              "wire and core error codes must match");

flatbuffers::Offset<w::Blob> blob(flatbuffers::FlatBufferBuilder& fbb, std::string_view bytes) {
  // Keep the nested buffer 8-aligned so its scalars are read aligned.
  fbb.ForceVectorAlignment(bytes.size(), 1, 8);
  auto data = fbb.CreateVector(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return w::CreateBlob(fbb, data);
}

std::string bytes_of(const w::Blob* b) {
  if (b == nullptr || b->data() == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(b->data()->data()), b->data()->size());
}

}  // namespace

std::string encode_reply(const ReplySpec& r) {
  std::size_t size = 128 + r.snapshot.size() + r.message.size();
  for (std::string_view e : r.events) size += e.size() + 16;
  flatbuffers::FlatBufferBuilder fbb(size);
  std::vector<flatbuffers::Offset<w::Blob>> events;
  events.reserve(r.events.size());
  for (std::string_view e : r.events) events.push_back(blob(fbb, e));
  auto events_vec = fbb.CreateVector(events);
  flatbuffers::Offset<w::Blob> snapshot;
  if (!r.snapshot.empty()) snapshot = blob(fbb, r.snapshot);
  flatbuffers::Offset<w::EngineInfo> engine;
  if (r.engine) {
    std::vector<flatbuffers::Offset<flatbuffers::String>> halls;
    for (const std::string& h : r.engine->halls) halls.push_back(fbb.CreateString(h));
    engine = w::CreateEngineInfoDirect(fbb, r.engine->epoch, r.engine->version.c_str(), &halls);
  }
  auto rid = fbb.CreateString(r.request_id.data(), r.request_id.size());
  auto msg = fbb.CreateString(r.message.data(), r.message.size());
  flatbuffers::Offset<flatbuffers::String> owner_engine, owner_endpoint;
  if (!r.owner_engine.empty()) owner_engine = fbb.CreateString(r.owner_engine.data(), r.owner_engine.size());
  if (!r.owner_endpoint.empty())
    owner_endpoint = fbb.CreateString(r.owner_endpoint.data(), r.owner_endpoint.size());
  auto reply = w::CreateReply(fbb, rid, static_cast<w::ErrorCode>(r.code), msg, events_vec, snapshot, engine,
                              r.duplicate, owner_engine, owner_endpoint);
  w::FinishMessageBuffer(fbb, w::CreateMessage(fbb, w::Body::Reply, reply.Union()));
  return bytes_of(fbb);
}

DecodedReply decode_reply(Bytes bytes) {
  DecodedReply out;
  const w::Reply* r = w::GetMessage(bytes.data())->body_as_Reply();
  if (r == nullptr) {
    out.code = core::ErrorCode::kMalformed;
    out.message = "not a reply";
    return out;
  }
  out.request_id = copy(r->request_id());
  out.code = core::error_code_from_number(static_cast<int>(r->code()));
  out.message = copy(r->message());
  if (r->events())
    for (const w::Blob* b : *r->events()) out.events.push_back(bytes_of(b));
  out.snapshot = bytes_of(r->snapshot());
  if (const w::EngineInfo* e = r->engine()) {
    EngineInfo info{e->epoch(), copy(e->version()), {}};
    if (e->halls())
      for (const flatbuffers::String* h : *e->halls()) info.halls.push_back(copy(h));
    out.engine = std::move(info);
  }
  out.duplicate = r->duplicate();
  out.owner_engine = copy(r->owner_engine());
  out.owner_endpoint = copy(r->owner_endpoint());
  return out;
}

}  // namespace hallq::protocol
