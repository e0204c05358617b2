// Who receives citizens' phones and ID hashes (issue 20; SECURITY.md, "Who
// sees what"): the real hallqd with --keys, real CURVE keys of each role,
// real ZeroMQ on loopback. A booking and a remote ticket carry a phone and a
// person hash chosen here; the raw bytes each key receives (event frames on
// the events socket, snapshot replies) are searched for them as plain
// strings, not through the codecs: a display, kiosk or citizen gateway must
// get the events (their sequence numbers arrive) without them, a notifier
// and a manager in full. A display cannot subscribe to the private topics.
// Replicas fold the withheld form (many bookings with an empty person).
//
// The engine runs on a simulated clock started at a Monday 10:00 (hall
// time), so the hall is open and remote tickets are taken whatever the time
// of day the test runs at.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/core/calendar.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "tests/support/secure_engine.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
// conf/town.toml: social has no appointments there; estate takes remote
// tickets 08:30-16:30. The test's copy adds social appointments all day.
constexpr const char* kStart = "2026-11-23 10:00";  // a Monday, hall time

const std::string kPhone1 = "13957024681";
const std::string kPhone2 = "18635790246";
const std::string kPerson1 = [] {
  std::string s;
  for (int i = 0; i < 16; ++i) s += "5eed";
  return s;
}();
const std::string kPerson2 = [] {
  std::string s;
  for (int i = 0; i < 16; ++i) s += "c0de";
  return s;
}();

std::string bookable_town(const SecureEngine& secure) {
  std::ifstream in(kTown);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string marker = "expected_handle_min = 6\n";
  const std::size_t at = text.find(marker);
  EXPECT_NE(at, std::string::npos);
  text.insert(at + marker.size(),
              "\n[service.appointments]\ncapacity = 8\nslot_min = 30\nhours = [\"00:00-24:00\"]\n"
              "check_in_before_min = 30\ncheck_in_after_min = 15\nbook_ahead_days = 7\n");
  const std::string path = secure.dir() + "/town.toml";
  std::ofstream(path) << text;
  return path;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// What one raw SUB socket received: each message's topic and body.
struct Received {
  std::vector<std::pair<std::string, std::string>> messages;
  std::string all_bytes() const {
    std::string all;
    for (const auto& [topic, body] : messages) all += topic + body;
    return all;
  }
  // The highest event sequence received under topics starting with `prefix`.
  std::uint64_t last_seq(std::string_view prefix) const {
    std::uint64_t seq = 0;
    for (const auto& [topic, body] : messages) {
      const protocol::Bytes b = protocol::as_bytes(body);
      if (topic.starts_with(prefix) && protocol::inspect(b) == protocol::MessageKind::kEvent)
        seq = std::max<std::uint64_t>(seq, protocol::describe_event(b).seq);
    }
    return seq;
  }
  bool any_topic(std::string_view prefix) const {
    for (const auto& [topic, body] : messages)
      if (topic.starts_with(prefix)) return true;
    return false;
  }
};

class PersonalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{
             {"d1", "display"}, {"k1", "kiosk"}, {"gw", "citizen"}, {"n1", "notifier"}, {"m1", "manager"}})
      secure_.add_device(name, role, "town");
    secure_.start({bookable_town(secure_)},
                  {"--time-scale", "1", "--time-start", kStart, "--advise-every", "0"});
    client::ClientOptions o;
    o.timeout = 3s;
    o.curve = secure_.curve("m1");
    manager_ = std::make_unique<client::Client>(ctx_, secure_.engine().cmd(), o);
  }

  // A raw SUB socket with `who`'s key, subscribed to `topics` in order.
  zmq::socket_t subscribe(const std::string& who, const std::vector<std::string>& topics) {
    zmq::socket_t s(ctx_, zmq::socket_type::sub);
    s.set(zmq::sockopt::linger, 0);
    client::apply_curve(s, secure_.curve(who));
    for (const std::string& t : topics) s.set(zmq::sockopt::subscribe, t);
    s.connect(secure_.engine().pub());
    return s;
  }

  // Reads `s` into `into` until `done` holds or 10 s pass.
  template <typename Done>
  bool read_until(zmq::socket_t& s, Received& into, Done done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done(into)) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, left);
      zmq::message_t topic, body;
      while (s.recv(topic, zmq::recv_flags::dontwait)) {
        if (!topic.more() || !s.recv(body, zmq::recv_flags::none)) break;
        into.messages.emplace_back(topic.to_string(), body.to_string());
      }
    }
    return true;
  }

  // Waits for a first message (a heartbeat within a second): the
  // subscriptions sent before it are applied.
  void wait_subscribed(zmq::socket_t& s, Received& r) {
    ASSERT_TRUE(read_until(s, r, [](const Received& x) { return !x.messages.empty(); }));
  }

  // A booking of social at 10:30 on the start day, and a remote estate
  // ticket, each with its phone; the last event's sequence.
  std::uint64_t book_and_take_remote(const std::string& person1 = kPerson1) {
    const std::int64_t day = *core::parse_day(std::string_view(kStart).substr(0, 10));
    auto r = manager_->command("town", core::Book{"social", day, 10 * 60 + 30, person1, kPhone1, 1});
    EXPECT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
    r = manager_->command("town", core::IssueRemote{"estate", kPerson2, kPhone2, 2});
    EXPECT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
    if (!r || r->events.empty()) return 0;
    return protocol::describe_event(protocol::as_bytes(r->events.back())).seq;
  }

  std::string snapshot_as(const std::string& who) {
    client::ClientOptions o;
    o.timeout = 3s;
    o.curve = secure_.curve(who);
    client::Client c(ctx_, secure_.engine().cmd(), o);
    auto r = c.snapshot("town");
    EXPECT_TRUE(r && r->ok()) << who << ": " << (r ? r->message : "no answer");
    return r ? r->snapshot : std::string();
  }

  SecureEngine secure_{"hallq-personal"};
  zmq::context_t ctx_;
  std::unique_ptr<client::Client> manager_;
};

TEST_F(PersonalDataTest, OnlyNotifierAndManagerKeysReceiveThePhonesAndHashes) {
  const std::vector<std::string> withheld = {"d1", "k1", "gw"}, in_full = {"n1", "m1"};
  std::map<std::string, zmq::socket_t> sockets;
  std::map<std::string, Received> got;
  // "": everything the key may have.
  for (const auto& who : {"d1", "k1", "gw", "n1", "m1"}) {
    sockets.emplace(who, subscribe(who, {""}));
    wait_subscribed(sockets.at(who), got[who]);
  }
  const std::uint64_t last = book_and_take_remote();
  ASSERT_GT(last, 0u);

  for (const std::string& who : withheld) {
    Received& r = got[who];
    ASSERT_TRUE(
        read_until(sockets.at(who), r, [&](const Received& x) { return x.last_seq("hall/") >= last; }))
        << who << " did not receive the booking's and remote ticket's events";
    const std::string bytes = r.all_bytes();
    for (const std::string& secret :
         {kPhone1, kPhone2, kPerson1, kPerson2, kPhone1.substr(7), std::string("****")})
      EXPECT_FALSE(contains(bytes, secret)) << who << " received " << secret;
    EXPECT_FALSE(r.any_topic("pii/")) << who;
    const std::string snapshot = snapshot_as(who);
    ASSERT_FALSE(snapshot.empty());
    for (const std::string& secret : {kPhone1, kPhone2, kPerson1, kPerson2})
      EXPECT_FALSE(contains(snapshot, secret)) << who << "'s snapshot holds " << secret;
  }
  for (const std::string& who : in_full) {
    Received& r = got[who];
    ASSERT_TRUE(read_until(sockets.at(who), r, [&](const Received& x) { return x.last_seq("pii/") >= last; }))
        << who << " did not receive the full events";
    const std::string bytes = r.all_bytes();
    for (const std::string& secret : {kPhone1, kPhone2, kPerson1, kPerson2})
      EXPECT_TRUE(contains(bytes, secret)) << who << " lacks " << secret;
    const std::string snapshot = snapshot_as(who);
    for (const std::string& secret : {kPhone1, kPhone2, kPerson1, kPerson2})
      EXPECT_TRUE(contains(snapshot, secret)) << who << "'s snapshot lacks " << secret;
  }
}

TEST_F(PersonalDataTest, ADisplayCannotSubscribeToThePrivateTopics) {
  // In order: the refusal is decided before the hall's topic is applied, so
  // the first heartbeat proves both were read.
  zmq::socket_t s = subscribe("d1", {"pii/", "pii/hall/town/", "hall/town/"});
  Received r;
  wait_subscribed(s, r);
  const std::uint64_t last = book_and_take_remote();
  ASSERT_TRUE(read_until(s, r, [&](const Received& x) { return x.last_seq("hall/") >= last; }));
  EXPECT_FALSE(r.any_topic("pii/"));
  EXPECT_FALSE(contains(r.all_bytes(), kPhone1));
  EXPECT_TRUE(secure_.wait_stderr("refused a subscription of display d1 to \"pii/\""))
      << secure_.engine_stderr();
}

TEST_F(PersonalDataTest, ReplicasFoldTheWithheldFormAndTheNotifiersHoldsThePhones) {
  client::SubscriberOptions display_options;
  display_options.curve = secure_.curve("d1");
  client::SubscriberOptions notifier_options;
  notifier_options.curve = secure_.curve("n1");
  notifier_options.personal_data = true;
  client::Subscriber display(ctx_, secure_.engine().cmd(), secure_.engine().pub(), {"town"}, nullptr,
                             display_options);
  client::Subscriber notifier(ctx_, secure_.engine().cmd(), secure_.engine().pub(), {"town"}, nullptr,
                              notifier_options);
  auto poll_until = [&](auto done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      display.poll(20ms);
      notifier.poll(20ms);
    }
    return true;
  };
  ASSERT_TRUE(poll_until([&] { return display.synced("town") && notifier.synced("town"); }));
  // Three bookings of three people and a remote ticket, through events.
  std::uint64_t last = book_and_take_remote();
  const std::int64_t day = *core::parse_day(std::string_view(kStart).substr(0, 10));
  for (std::uint32_t n = 3; n <= 4; ++n) {
    auto r = manager_->command(
        "town", core::Book{"social", day, 11 * 60, std::string(63, 'a') + std::to_string(n), "", n});
    ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
    last = protocol::describe_event(protocol::as_bytes(r->events.back())).seq;
  }
  ASSERT_TRUE(poll_until(
      [&] { return display.hall("town")->seq() >= last && notifier.hall("town")->seq() >= last; }));
  const core::Hall& shown = *display.hall("town");
  ASSERT_EQ(shown.bookings().size(), 3u);
  for (const core::Booking& b : shown.bookings()) {
    EXPECT_EQ(b.person, "");
    EXPECT_EQ(b.phone, "");
  }
  ASSERT_EQ(shown.remotes().size(), 1u);
  EXPECT_EQ(shown.remotes()[0].phone, "");
  const core::Hall& full = *notifier.hall("town");
  ASSERT_EQ(full.bookings().size(), 3u);
  EXPECT_EQ(full.bookings()[0].phone + full.bookings()[1].phone + full.bookings()[2].phone, kPhone1);
  ASSERT_EQ(full.remotes().size(), 1u);
  EXPECT_EQ(full.remotes()[0].phone, kPhone2);
  EXPECT_EQ(full.remotes()[0].person, kPerson2);
  EXPECT_EQ(notifier.stats().gaps, 0u);
  EXPECT_EQ(display.stats().invalid + notifier.stats().invalid, 0u);

  // A replica that joins now starts from the withheld snapshot.
  client::Subscriber late(ctx_, secure_.engine().cmd(), secure_.engine().pub(), {"town"}, nullptr,
                          display_options);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!late.synced("town") && std::chrono::steady_clock::now() < deadline) late.poll(20ms);
  ASSERT_TRUE(late.synced("town"));
  EXPECT_EQ(late.hall("town")->bookings().size(), 3u);
  EXPECT_EQ(late.hall("town")->remotes().size(), 1u);
  EXPECT_EQ(late.stats().invalid, 0u);
}

}  // namespace
}  // namespace hallq::testing
