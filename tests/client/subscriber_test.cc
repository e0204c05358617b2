// The subscriber's consistent view (Clone pattern): late join, bursts at the
// high-water mark, engine restarts, gaps and garbage on the event socket.
#include "engine/client/subscriber.h"

#include <gtest/gtest.h>

#include <chrono>
#include <zmq.hpp>

#include "engine/config/config_loader.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "tests/support/engine_process.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

// Polls until `done` holds; the deadline only guards against a hang.
template <class Pred>
bool poll_until(client::Subscriber& sub, Pred done, std::chrono::milliseconds limit = 15s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    sub.poll(50ms);
  }
  return true;
}

core::Seq last_seq(const protocol::DecodedReply& r) {
  return protocol::describe_event(protocol::as_bytes(r.events.back())).seq;
}

// The engine's snapshot of `hall` and the replica's own encoding must match byte for byte.
void expect_same_state(client::Client& c, const core::Hall& replica, std::uint64_t epoch) {
  auto reply = c.snapshot(replica.config().id);
  ASSERT_TRUE(reply && reply->ok());
  EXPECT_EQ(protocol::encode_snapshot(replica, epoch, false), reply->snapshot);
}

class SubscriberTest : public ::testing::Test {
 protected:
  TempDir dir_;
  zmq::context_t ctx_;
};

TEST_F(SubscriberTest, LateJoinerGetsAConsistentReplica) {
  EngineProcess engine({kTown}, dir_.path() + "/data");
  client::Client c(ctx_, engine.cmd());
  ASSERT_TRUE(c.command("town", core::OpenWindow{"w1", ""})->ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(c.command("town", core::IssueTicket{"social"})->ok());

  client::Subscriber sub(ctx_, engine.cmd(), engine.pub(), {"town"});
  ASSERT_TRUE(poll_until(sub, [&] { return sub.synced("town"); }));
  core::Seq seq = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = c.command("town", i % 2 ? core::CommandBody(core::IssueTicket{"civil"})
                                     : core::CommandBody(core::CallNext{"w1"}));
    ASSERT_TRUE(r->ok()) << r->message;
    seq = last_seq(*r);
    if (i % 2 == 0) {
      ASSERT_TRUE(c.command("town", core::StartService{"w1"})->ok());
      seq = last_seq(*c.command("town", core::Finish{"w1"}));
    }
  }
  ASSERT_TRUE(poll_until(sub, [&] { return sub.hall("town")->seq() == seq; }));
  EXPECT_TRUE(sub.online("town"));
  EXPECT_EQ(sub.stats().gaps, 0u);
  expect_same_state(c, *sub.hall("town"), c.ping()->engine->epoch);
}

TEST_F(SubscriberTest, BurstOfABusyHallArrivesWithoutLoss) {
  EngineProcess engine({kTown}, dir_.path() + "/data");
  client::Subscriber sub(ctx_, engine.cmd(), engine.pub(), {"town"});
  ASSERT_TRUE(poll_until(sub, [&] { return sub.synced("town"); }));
  // Pipelined requests: the engine commits them in large batches and
  // publishes thousands of events at once. The client keeps at most 4,096
  // requests unanswered, as a pipelining device must: the engine keeps at
  // most 8,192 unread replies per peer and drops the rest (SECURITY.md).
  client::Client c(ctx_, engine.cmd());
  constexpr int kBurst = 20'000;
  constexpr int kInFlight = 4'096;
  const char* services[] = {"social", "estate", "business", "police", "civil", "consult", "tax"};
  int sent = 0, replies = 0, refused = 0;
  while (replies < kBurst) {
    while (sent < kBurst && sent - replies < kInFlight)
      ASSERT_TRUE(c.send(protocol::encode_request("", "town", core::IssueTicket{services[sent++ % 7]})));
    auto r = c.receive(10s);
    ASSERT_TRUE(r.has_value()) << "after " << replies << " replies";
    if (!r->ok()) ++refused;
    ++replies;
  }
  ASSERT_EQ(refused, 0);
  ASSERT_TRUE(poll_until(sub, [&] { return sub.hall("town")->seq() == kBurst; }));
  EXPECT_EQ(sub.stats().gaps, 0u);
  EXPECT_EQ(sub.stats().snapshots, 1u);
  EXPECT_EQ(sub.hall("town")->waiting_total(), static_cast<std::size_t>(kBurst));
}

class Connection : public client::Subscriber::Listener {
 public:
  void on_connection(std::string_view, bool online) override { (online ? ups : downs)++; }
  int ups = 0, downs = 0;
};

TEST_F(SubscriberTest, EngineRestartIsNoticedAndTheReplicaResyncs) {
  EngineProcess engine({kTown}, dir_.path() + "/data");
  Connection conn;
  client::SubscriberOptions opts;
  opts.heartbeat_timeout = 1500ms;
  opts.snapshot_retry = 200ms;
  client::Subscriber sub(ctx_, engine.cmd(), engine.pub(), {"town"}, &conn, opts);
  {
    client::Client c(ctx_, engine.cmd());
    ASSERT_TRUE(c.command("town", core::IssueTicket{"tax"})->ok());
  }
  ASSERT_TRUE(poll_until(sub, [&] { return sub.synced("town") && sub.hall("town")->seq() == 1; }));
  engine.kill9();
  ASSERT_TRUE(poll_until(sub, [&] { return !sub.online("town"); }));
  EXPECT_EQ(conn.downs, 1);
  engine.restart();
  client::Client c(ctx_, engine.cmd());
  auto r = c.command("town", core::IssueTicket{"tax"});
  ASSERT_TRUE(r && r->ok());
  EXPECT_EQ(protocol::describe_event(protocol::as_bytes(r->events[0])).number, "G002");
  ASSERT_TRUE(poll_until(
      sub, [&] { return sub.online("town") && sub.synced("town") && sub.hall("town")->seq() == 2; }));
  EXPECT_EQ(conn.ups, 2);
  expect_same_state(c, *sub.hall("town"), c.ping()->engine->epoch);
}

// A stand-in engine in the test: an XPUB (to see the subscription arrive) and
// a ROUTER answering snapshot requests from a core hall it drives itself.
class FakeEngine {
 public:
  explicit FakeEngine(zmq::context_t& ctx)
      : router_(ctx, zmq::socket_type::router), pub_(ctx, zmq::socket_type::xpub) {
    router_.set(zmq::sockopt::linger, 0);
    pub_.set(zmq::sockopt::linger, 0);
    router_.bind("tcp://127.0.0.1:*");
    pub_.bind("tcp://127.0.0.1:*");
    config_ = config::load_hall_config(kTown);
    hall_ =
        std::make_unique<core::Hall>(config_, policy::find_policy("balanced"), &predict::default_predictor());
  }
  std::string cmd() { return router_.get(zmq::sockopt::last_endpoint); }
  std::string pub() { return pub_.get(zmq::sockopt::last_endpoint); }

  // Applies a command and returns its events' encodings.
  std::vector<std::string> apply(const core::CommandBody& cmd) {
    std::vector<core::Event> events;
    EXPECT_TRUE(hall_->apply({"", cmd}, now_ += core::kUsPerSecond, events).ok());
    std::vector<std::string> out;
    for (const core::Event& e : events) out.push_back(protocol::encode_event(*hall_, e, ""));
    return out;
  }
  void publish(const std::string& bytes) {
    pub_.send(zmq::buffer(protocol::topic_of("town")), zmq::send_flags::sndmore);
    pub_.send(zmq::buffer(bytes), zmq::send_flags::none);
  }
  void wait_subscribed() {
    zmq::message_t m;
    ASSERT_TRUE(pub_.recv(m, zmq::recv_flags::none));  // the subscription message
  }
  // Answers snapshot requests waiting on the ROUTER; returns how many.
  int serve(std::chrono::milliseconds wait) {
    int served = 0;
    zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
    while (zmq::poll(&item, 1, served ? 0ms : wait) > 0) {
      zmq::message_t id, body;
      (void)router_.recv(id);
      (void)router_.recv(body);
      protocol::DecodedRequest req;
      const protocol::Bytes b{static_cast<const std::uint8_t*>(body.data()), body.size()};
      if (protocol::inspect(b) != protocol::MessageKind::kRequest || !protocol::decode_request(b, req).ok())
        continue;
      const std::string snap = protocol::encode_snapshot(*hall_, 42, false);
      protocol::ReplySpec spec;
      spec.request_id = req.request_id;
      spec.snapshot = snap;
      const std::string reply = protocol::encode_reply(spec);
      router_.send(id, zmq::send_flags::sndmore);
      router_.send(zmq::buffer(reply), zmq::send_flags::none);
      ++served;
    }
    return served;
  }
  const core::Hall& hall() const { return *hall_; }

 private:
  zmq::socket_t router_, pub_;
  std::shared_ptr<core::HallConfig> config_;
  std::unique_ptr<core::Hall> hall_;
  core::TimeUs now_ = 1'772'413'200LL * core::kUsPerSecond;
};

TEST_F(SubscriberTest, AGapTriggersAFreshSnapshotAndGarbageIsIgnored) {
  FakeEngine fake(ctx_);
  fake.apply(core::OpenWindow{"w1", ""});
  client::Subscriber sub(ctx_, fake.cmd(), fake.pub(), {"town"});
  fake.wait_subscribed();
  // Single-threaded: alternate between the subscriber and the fake engine.
  auto sync = [&] {
    return poll_until(sub, [&] {
      fake.serve(5ms);
      return sub.synced("town");
    });
  };
  ASSERT_TRUE(sync());
  EXPECT_EQ(sub.hall("town")->seq(), 1u);

  // Seq 2 and 3 arrive; 4 is lost; 5 arrives: a gap.
  fake.publish(fake.apply(core::IssueTicket{"social"})[0]);
  fake.publish(fake.apply(core::IssueTicket{"social"})[0]);
  fake.apply(core::IssueTicket{"tax"});
  fake.publish("garbage that is no message");
  fake.publish(fake.apply(core::CallNext{"w1"})[0]);
  ASSERT_TRUE(poll_until(sub, [&] { return sub.stats().gaps >= 1; }));
  EXPECT_FALSE(sub.synced("town"));
  EXPECT_EQ(sub.hall("town")->seq(), 3u);  // applied up to the gap
  EXPECT_GE(sub.stats().invalid, 1u);
  ASSERT_TRUE(sync());
  EXPECT_EQ(sub.hall("town")->seq(), 5u);
  EXPECT_EQ(sub.stats().snapshots, 2u);
  EXPECT_EQ(protocol::encode_snapshot(*sub.hall("town"), 42, false),
            protocol::encode_snapshot(fake.hall(), 42, false));
}

// Engines given as lists must pair up: each engine's command endpoint with
// its event endpoint, in one order.
TEST(SubscriberLists, EventEndpointsThatDoNotPairWithTheEnginesAreRefused) {
  zmq::context_t ctx;
  try {
    client::Subscriber s(ctx, "tcp://127.0.0.1:1", "tcp://127.0.0.1:2,tcp://127.0.0.1:3", {"town"});
    ADD_FAILURE() << "two event endpoints for one engine were taken";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("2 event endpoints"), std::string::npos) << e.what();
  }
  EXPECT_THROW(client::Subscriber(ctx, "tcp://127.0.0.1:1,", "tcp://127.0.0.1:2", {"town"}),
               std::invalid_argument);
  client::Subscriber paired(ctx, "tcp://127.0.0.1:1,tcp://127.0.0.1:3", "tcp://127.0.0.1:2,tcp://127.0.0.1:4",
                            {"town"});
  EXPECT_EQ(paired.pub_endpoint(), "tcp://127.0.0.1:2");
}

}  // namespace
}  // namespace hallq::testing
