// Requests on the engine's command socket: core commands, snapshot requests
// and pings, to and from their wire form.
#pragma once

#include <string>
#include <string_view>

#include "engine/core/command.h"
#include "engine/core/error.h"
#include "engine/protocol/message.h"

namespace hallq::protocol {

enum class RequestKind { kCommand, kSnapshot, kPing };

struct DecodedRequest {
  std::string_view request_id;
  std::string_view hall;
  RequestKind kind = RequestKind::kCommand;
  core::CommandBody command;  // kCommand only
};

// Decodes a buffer that `inspect` classified as kRequest. String views point
// into `bytes`. A request lacking its hall (except a ping), its command or a
// required field of the command is refused with kMalformed naming what is
// missing.
core::Status decode_request(Bytes bytes, DecodedRequest& out);

// Encoders for clients. core::Tick and core::Advise are the engine's own and
// cannot be encoded (std::invalid_argument).
std::string encode_request(std::string_view request_id, std::string_view hall,
                           const core::CommandBody& command);
std::string encode_snapshot_request(std::string_view request_id, std::string_view hall);
std::string encode_ping(std::string_view request_id);

}  // namespace hallq::protocol
