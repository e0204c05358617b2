#include "engine/core/command.h"

#include <array>

namespace hallq::core {

std::string_view verb(const CommandBody& body) {
  // One line per addition keeps merges apart.
  // clang-format off
  static constexpr std::array<std::string_view, std::variant_size_v<CommandBody>> kVerbs = {
      "issue",  "open",     "close",  "pause",      "resume",         "call",     "call_ticket",
      "recall", "start",    "skip",   "reactivate", "hold",           "unhold",   "transfer",
      "finish", "evaluate", "cancel", "tick",       "skills",         "advise",   "accept",
      "notice", "move",     "device", "book",       "cancel_booking", "check_in", "issue_remote",
      "callback", "rectify",
      "upload_rejection", "upload_resend",
      "upload_acceptance"};
  // clang-format on
  return kVerbs[body.index()];
}

}  // namespace hallq::core
