// Replies on the engine's command socket.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/error.h"
#include "engine/protocol/message.h"

namespace hallq::protocol {

struct EngineInfo {
  std::uint64_t epoch = 0;  // random per engine start
  std::string version;
  std::vector<std::string> halls;
};

// What the engine answers. `events` and `snapshot` are encoded Messages (as
// stored and published); they are copied into the reply.
struct ReplySpec {
  std::string_view request_id;
  core::ErrorCode code = core::ErrorCode::kOk;
  std::string_view message;
  std::vector<std::string_view> events;
  std::string_view snapshot;
  const EngineInfo* engine = nullptr;
  bool duplicate = false;
  // not_owner: the engine that serves the hall and its command endpoint
  // (empty: unknown, or another code).
  std::string_view owner_engine;
  std::string_view owner_endpoint;
};
std::string encode_reply(const ReplySpec& reply);

struct DecodedReply {
  std::string request_id;
  core::ErrorCode code = core::ErrorCode::kOk;
  std::string message;
  std::vector<std::string> events;  // each an encoded, verified Message (Event)
  std::string snapshot;             // an encoded, verified Message (HallSnapshot), or empty
  std::optional<EngineInfo> engine;
  bool duplicate = false;
  std::string owner_engine;    // not_owner: who serves the hall (empty: unknown)
  std::string owner_endpoint;  // not_owner: where its clients reach it (empty: unknown)
  bool ok() const { return code == core::ErrorCode::kOk; }
};
// Decodes an inspected reply (the verifier has checked the nested buffers).
DecodedReply decode_reply(Bytes bytes);

}  // namespace hallq::protocol
