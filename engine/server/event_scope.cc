// Topics are prefixes: "hall/town/" ends with '/', so a topic that starts
// with it matches hall town's messages and no other hall's.
#include "engine/server/event_scope.h"

#include <algorithm>

#include "engine/protocol/event_codec.h"

namespace hallq::server {

std::vector<std::string> scoped_topics(const keys::KeyEntry* key, std::string_view topic,
                                       const std::vector<std::string>& engine_halls) {
  const auto in_scope = [&](const std::string& hall) {
    return std::find(key->halls.begin(), key->halls.end(), hall) != key->halls.end();
  };
  if (key == nullptr || std::all_of(engine_halls.begin(), engine_halls.end(), in_scope))
    return {std::string(topic)};
  std::vector<std::string> narrowed;
  for (const std::string& hall : key->halls) {
    std::string own = protocol::topic_of(hall);
    if (topic.starts_with(own)) return {std::string(topic)};
    if (std::string_view(own).starts_with(topic)) narrowed.push_back(std::move(own));
  }
  return narrowed;
}

}  // namespace hallq::server
