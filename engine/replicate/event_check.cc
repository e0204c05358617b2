// The verification of one stream message: verifier, hall, sequence.
#include "engine/replicate/event_check.h"

#include <fmt/format.h>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"

namespace hallq::replicate {

EventCheck check_event(std::string_view bytes, std::string_view hall, core::Seq last,
                       std::string_view where) {
  EventCheck c;
  std::string why;
  const protocol::Bytes b{reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
  if (protocol::inspect(b, &why) != protocol::MessageKind::kEvent) {
    c.why =
        fmt::format("{}: refused: not a hallq event ({})", where, why.empty() ? "another message kind" : why);
    return c;
  }
  const protocol::EventHeader h = protocol::peek_event(b);
  if (h.hall != hall) {
    c.why = fmt::format("{}: refused: an event of hall \"{}\"", where, h.hall);
    return c;
  }
  c.seq = h.seq;
  if (h.seq <= last) {
    c.verdict = EventCheck::Verdict::kHeld;
  } else if (h.seq != last + 1) {
    c.verdict = EventCheck::Verdict::kGap;
    c.why = fmt::format("{}: refused: hall seq {} does not follow {}", where, h.seq, last);
  } else {
    c.verdict = EventCheck::Verdict::kNext;
  }
  return c;
}

}  // namespace hallq::replicate
