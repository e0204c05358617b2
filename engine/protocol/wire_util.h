// Small helpers shared by the codecs (private to engine/protocol): string
// views of FlatBuffers strings and the bytes of a finished buffer.
#pragma once

#include <string>
#include <string_view>

#include "engine/protocol/hallq_generated.h"

namespace hallq::protocol::detail {

inline std::string_view view(const flatbuffers::String* s) {
  return s ? std::string_view(s->data(), s->size()) : std::string_view();
}

inline std::string copy(const flatbuffers::String* s) { return std::string(view(s)); }

// The bytes of a buffer finished with wire::FinishMessageBuffer.
inline std::string bytes_of(const flatbuffers::FlatBufferBuilder& fbb) {
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

}  // namespace hallq::protocol::detail
