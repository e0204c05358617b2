// Which events a connection of the events socket may receive (issue 20): a
// subscription (a topic prefix; a hall's events and heartbeats go out under
// protocol::topic_of(hall), and the events that carry personal data once
// more, in full, under protocol::private_topic_of(hall), "pii/hall/town/")
// is turned into the topics the peer's key is allowed, before the server
// applies it to the XPUB (server.h). A key's own topics are its halls'
// topics, and their private topics if its role sees personal data
// (keys::role_sees_personal_data: manager, notifier):
//
//   no key (no --keys: plaintext, loopback only)    the topic as asked
//   a key whose halls are all the engine's halls,    the topic as asked
//     if the topic cannot reach a private topic or
//     the role sees personal data
//   a topic that starts with one of its own topics   the topic as asked (it
//     ("hall/town/", "pii/hall/town/")                 matches that hall only)
//   a shorter prefix of some of its own topics       those topics
//     ("" = everything, "hall/", "pii/")
//   anything else ("hall/district/", "garbage",      nothing: refused
//     "pii/..." for a display)
//
// The same mapping undoes an unsubscription. Pure; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/keys/key_registry.h"

namespace hallq::server {

// The topics to (un)subscribe the peer to; empty: refused. `key` null means
// no keys (dev mode); `engine_halls` are the ids of the halls the engine serves.
std::vector<std::string> scoped_topics(const keys::KeyEntry* key, std::string_view topic,
                                       const std::vector<std::string>& engine_halls);

}  // namespace hallq::server
