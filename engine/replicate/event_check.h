// The checks a message of a hall's subject passes before a reader of the
// stream applies it (HallReader, the city view): it must verify as a hallq
// event (FlatBuffers verifier), belong to the subject's hall and carry the
// hall sequence that follows the one already held. One definition, so that
// every reader refuses the same messages with the same words.
//
// Pure; thread: any.
#pragma once

#include <string>
#include <string_view>

#include "engine/core/types.h"

namespace hallq::replicate {

struct EventCheck {
  enum class Verdict {
    kNext,     // seq == last + 1: apply it
    kHeld,     // seq <= last: already applied (a redelivery), skip it
    kGap,      // seq > last + 1: does not fit (yet); `why` says so
    kRefused,  // not a hallq event, or another hall's: never applicable; `why` says so
  };
  Verdict verdict = Verdict::kRefused;
  core::Seq seq = 0;  // the event's hall sequence (0 when refused)
  std::string why;    // for kGap and kRefused: "<where>: refused: <reason>"
};

// `where` names the message in `why` (e.g. "hallq.events.town stream seq 12").
EventCheck check_event(std::string_view bytes, std::string_view hall, core::Seq last, std::string_view where);

}  // namespace hallq::replicate
