// The events of a command the engine accepted, sent through the client
// library to hall "town" (the upload tests' hall); a refusal or no answer is
// a test failure (with the engine's message) and yields no events.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"

namespace hallq::testing {

inline std::vector<protocol::EventSummary> accepted_events(client::Client& client,
                                                           const core::CommandBody& body) {
  std::vector<protocol::EventSummary> out;
  auto r = client.command("town", body);
  EXPECT_TRUE(r && r->ok()) << (r ? r->message : std::string("no answer"));
  if (!r) return out;
  for (const std::string& e : r->events) out.push_back(protocol::describe_event(protocol::as_bytes(e)));
  return out;
}

}  // namespace hallq::testing
