// What a subscription to the events socket becomes for each kind of key,
// without sockets (event_scope.h).
#include "engine/server/event_scope.h"

#include <gtest/gtest.h>

namespace hallq::server {
namespace {

using keys::DeviceRole;
using keys::KeyEntry;
using Topics = std::vector<std::string>;

const std::vector<std::string> kHalls = {"town", "district", "bank"};

KeyEntry key(DeviceRole role, std::vector<std::string> halls) {
  return {.name = "d1", .public_key = {}, .role = role, .halls = std::move(halls), .window = {}};
}

TEST(EventScope, WithoutKeysEveryTopicAsAsked) {
  EXPECT_EQ(scoped_topics(nullptr, "", kHalls), Topics{""});
  EXPECT_EQ(scoped_topics(nullptr, "hall/district/", kHalls), Topics{"hall/district/"});
  EXPECT_EQ(scoped_topics(nullptr, "anything", kHalls), Topics{"anything"});
}

TEST(EventScope, AScopedKeyGetsItsHallsOnly) {
  const KeyEntry d = key(DeviceRole::kDisplay, {"town"});
  EXPECT_EQ(scoped_topics(&d, "", kHalls), Topics{"hall/town/"});
  EXPECT_EQ(scoped_topics(&d, "hall/", kHalls), Topics{"hall/town/"});
  EXPECT_EQ(scoped_topics(&d, "hall/to", kHalls), Topics{"hall/town/"});
  EXPECT_EQ(scoped_topics(&d, "hall/town/", kHalls), Topics{"hall/town/"});
  EXPECT_EQ(scoped_topics(&d, "hall/town/x", kHalls), Topics{"hall/town/x"});  // matches town only
  EXPECT_EQ(scoped_topics(&d, "hall/district/", kHalls), Topics{});
  EXPECT_EQ(scoped_topics(&d, "hall/dist", kHalls), Topics{});
  EXPECT_EQ(scoped_topics(&d, "hall/townhall/", kHalls), Topics{});
  EXPECT_EQ(scoped_topics(&d, "garbage", kHalls), Topics{});
  const KeyEntry gw = key(DeviceRole::kCitizen, {"town", "bank"});
  EXPECT_EQ(scoped_topics(&gw, "", kHalls), (Topics{"hall/town/", "hall/bank/"}));
  EXPECT_EQ(scoped_topics(&gw, "hall/b", kHalls), Topics{"hall/bank/"});
  EXPECT_EQ(scoped_topics(&gw, "hall/district/", kHalls), Topics{});
}

// A key of every hall the engine serves (a manager of them all) subscribes
// as it likes, as every subscriber did before scoping.
TEST(EventScope, AKeyOfEveryHallGetsWhatItAsks) {
  const KeyEntry m = key(DeviceRole::kManager, {"bank", "town", "district"});
  EXPECT_EQ(scoped_topics(&m, "", kHalls), Topics{""});
  EXPECT_EQ(scoped_topics(&m, "hall/", kHalls), Topics{"hall/"});
  const KeyEntry some = key(DeviceRole::kManager, {"town", "district"});
  EXPECT_EQ(scoped_topics(&some, "", kHalls),
            (Topics{"hall/town/", "pii/hall/town/", "hall/district/", "pii/hall/district/"}));
}

// The private topics (events in full, with phones and ID hashes) are for
// managers and notifiers only; "" and other prefixes of "pii/" are narrowed
// for every other role, even one of every hall.
TEST(EventScope, OnlyManagersAndNotifiersReachThePrivateTopics) {
  for (DeviceRole role :
       {DeviceRole::kDisplay, DeviceRole::kKiosk, DeviceRole::kCitizen, DeviceRole::kSpeaker}) {
    const KeyEntry all = key(role, {"town", "district", "bank"});
    EXPECT_EQ(scoped_topics(&all, "", kHalls), (Topics{"hall/town/", "hall/district/", "hall/bank/"}));
    EXPECT_EQ(scoped_topics(&all, "hall/", kHalls), Topics{"hall/"});
    EXPECT_EQ(scoped_topics(&all, "pii/", kHalls), Topics{});
    EXPECT_EQ(scoped_topics(&all, "pii/hall/town/", kHalls), Topics{});
    EXPECT_EQ(scoped_topics(&all, "p", kHalls), Topics{});
    const KeyEntry one = key(role, {"town"});
    EXPECT_EQ(scoped_topics(&one, "pii/hall/town/", kHalls), Topics{});
    EXPECT_EQ(scoped_topics(&one, "pii/", kHalls), Topics{});
  }
  const KeyEntry n = key(DeviceRole::kNotifier, {"town"});
  EXPECT_EQ(scoped_topics(&n, "", kHalls), (Topics{"hall/town/", "pii/hall/town/"}));
  EXPECT_EQ(scoped_topics(&n, "pii/", kHalls), Topics{"pii/hall/town/"});
  EXPECT_EQ(scoped_topics(&n, "pii/hall/town/", kHalls), Topics{"pii/hall/town/"});
  EXPECT_EQ(scoped_topics(&n, "pii/hall/bank/", kHalls), Topics{});
  EXPECT_EQ(scoped_topics(&n, "hall/town/", kHalls), Topics{"hall/town/"});
  const KeyEntry all = key(DeviceRole::kNotifier, {"town", "district", "bank"});
  EXPECT_EQ(scoped_topics(&all, "", kHalls), Topics{""});
  EXPECT_EQ(scoped_topics(&all, "pii/", kHalls), Topics{"pii/"});
  EXPECT_EQ(scoped_topics(nullptr, "pii/", kHalls), Topics{"pii/"});  // no keys: loopback only
}

}  // namespace
}  // namespace hallq::server
