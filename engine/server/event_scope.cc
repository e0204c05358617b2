// Topics are prefixes: "hall/town/" ends with '/', so a topic that starts
// with it matches hall town's messages and no other hall's. Private topics
// ("pii/hall/town/") start with a prefix no hall topic starts with, so a
// subscription reaches them only if it starts with "pii/" or is a prefix of
// it ("", "p"...): those are the ones narrowed for roles without access.
#include "engine/server/event_scope.h"

#include <algorithm>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/personal_data.h"

namespace hallq::server {

std::vector<std::string> scoped_topics(const keys::KeyEntry* key, std::string_view topic,
                                       const std::vector<std::string>& engine_halls) {
  if (key == nullptr) return {std::string(topic)};
  const auto in_scope = [&](const std::string& hall) {
    return std::find(key->halls.begin(), key->halls.end(), hall) != key->halls.end();
  };
  const bool personal = keys::role_sees_personal_data(key->role);
  const std::string_view private_prefix = protocol::kPrivateTopicPrefix;
  const bool reaches_private = topic.starts_with(private_prefix) || private_prefix.starts_with(topic);
  if ((personal || !reaches_private) && std::all_of(engine_halls.begin(), engine_halls.end(), in_scope))
    return {std::string(topic)};
  std::vector<std::string> narrowed;
  for (const std::string& hall : key->halls) {
    for (std::string own : {protocol::topic_of(hall), personal ? protocol::private_topic_of(hall) : ""}) {
      if (own.empty()) continue;
      if (topic.starts_with(own)) return {std::string(topic)};
      if (std::string_view(own).starts_with(topic)) narrowed.push_back(std::move(own));
    }
  }
  return narrowed;
}

}  // namespace hallq::server
