// Framing of the wire protocol (schema: hallq.fbs): every buffer is a Message
// whose body is one of a few kinds. `inspect` verifies a received buffer with
// the FlatBuffers Verifier before anything reads it; the codecs below assume
// an inspected buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace hallq::protocol {

using Bytes = std::span<const std::uint8_t>;

// Requests larger than this are refused unread; other messages (snapshots of
// large halls) may be larger.
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;
inline constexpr std::size_t kMaxMessageBytes = 64 * 1024 * 1024;

enum class MessageKind { kInvalid, kRequest, kReply, kEvent, kHeartbeat, kSnapshot };

// Verifies `bytes` as a Message of protocol version 1 and tells its kind;
// kInvalid (with `why` set, if given) for anything that fails verification.
MessageKind inspect(Bytes bytes, std::string* why = nullptr);

inline Bytes as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace hallq::protocol
