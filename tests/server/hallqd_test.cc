// The real hallqd process over real ZeroMQ sockets on loopback and a real
// LMDB store in a temporary directory.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/request_codec.h"
#include "tests/support/engine_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

using core::ErrorCode;
using namespace std::chrono_literals;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
const std::string kDistrict = std::string(HALLQ_SOURCE_DIR) + "/conf/district.toml";

class HallqdTest : public ::testing::Test {
 protected:
  TempDir dir_;
  zmq::context_t ctx_;
};

TEST_F(HallqdTest, ServesSeveralHallsEachIsolated) {
  EngineProcess engine({kTown, kDistrict}, dir_.path() + "/data");
  client::Client c(ctx_, engine.cmd());
  auto ping = c.ping();
  ASSERT_TRUE(ping && ping->engine);
  EXPECT_EQ(ping->engine->halls, (std::vector<std::string>{"town", "district"}));

  auto a = c.command("town", core::IssueTicket{"social"});
  auto b = c.command("district", core::IssueTicket{"social"});
  ASSERT_TRUE(a && a->ok() && b && b->ok()) << (a ? a->message : "") << (b ? b->message : "");
  EXPECT_EQ(protocol::describe_event(protocol::as_bytes(a->events[0])).number, "A001");
  EXPECT_EQ(protocol::describe_event(protocol::as_bytes(b->events[0])).number, "A001");
  // The district lists its staff: opening needs a known staff id; the town does not.
  auto refused = c.command("district", core::OpenWindow{"w1", "nobody"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, ErrorCode::kUnknownStaff);
  auto opened = c.command("town", core::OpenWindow{"w1", ""});
  ASSERT_TRUE(opened && opened->ok());
  auto called = c.command("town", core::CallNext{"w1"});
  ASSERT_TRUE(called && called->ok());
  EXPECT_EQ(protocol::describe_event(protocol::as_bytes(called->events[0])).number, "A001");
  auto district_call = c.command("district", core::CallNext{"w1"});
  ASSERT_TRUE(district_call);
  EXPECT_EQ(district_call->code, ErrorCode::kWindowClosed);
}

// Without --keys (plaintext on loopback) the events socket applies every
// subscription as asked, as before it scoped keys: a SUB to "" receives every
// hall's events, one to a hall's topic only that hall's, and after
// unsubscribing nothing more of it.
TEST_F(HallqdTest, WithoutKeysEverySubscriptionIsAppliedAsAsked) {
  EngineProcess engine({kTown, kDistrict}, dir_.path() + "/data");
  zmq::socket_t all(ctx_, zmq::socket_type::sub), town(ctx_, zmq::socket_type::sub);
  for (zmq::socket_t* s : {&all, &town}) {
    s->set(zmq::sockopt::linger, 0);
    s->connect(engine.pub());
  }
  all.set(zmq::sockopt::subscribe, "");
  town.set(zmq::sockopt::subscribe, protocol::topic_of("town"));
  // Counts each socket's messages by topic until `done` holds (10 s at most).
  std::map<std::string, int> seen_all, seen_town;
  const auto read_until = [&](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      zmq::pollitem_t items[] = {{all.handle(), 0, ZMQ_POLLIN, 0}, {town.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 2, 50ms);
      for (auto [s, seen] : {std::pair{&all, &seen_all}, std::pair{&town, &seen_town}}) {
        zmq::message_t topic, body;
        while (s->recv(topic, zmq::recv_flags::dontwait)) {
          if (topic.more()) (void)s->recv(body);
          ++(*seen)[topic.to_string()];
        }
      }
    }
  };
  // Both subscriptions are in force once a heartbeat of each hall came.
  read_until(
      [&] { return seen_all.count("hall/district/") && seen_all.count("hall/town/") && seen_town.size(); });
  client::Client c(ctx_, engine.cmd());
  ASSERT_TRUE(c.command("district", core::IssueTicket{"social"}).has_value());
  const int district_before = seen_all["hall/district/"];
  read_until([&] { return seen_all["hall/district/"] > district_before; });
  EXPECT_GT(seen_all["hall/district/"], district_before) << "\"\" subscribes to every hall";
  EXPECT_EQ(seen_town.count("hall/district/"), 0u);
  EXPECT_GE(seen_town["hall/town/"], 1);
  town.set(zmq::sockopt::unsubscribe, protocol::topic_of("town"));
  town.set(zmq::sockopt::subscribe, protocol::topic_of("district"));
  read_until([&] { return seen_town.count("hall/district/") > 0; });
  seen_town.clear();  // what came before the unsubscription was in force
  ASSERT_TRUE(c.command("town", core::IssueTicket{"social"}).has_value());
  const int town_before = seen_all["hall/town/"];
  read_until([&] { return seen_all["hall/town/"] > town_before; });
  EXPECT_GT(seen_all["hall/town/"], town_before);
  EXPECT_EQ(seen_town.count("hall/town/"), 0u) << "unsubscribed, yet town's events came";
}

TEST_F(HallqdTest, HostileBytesGetErrorsAndTheEngineKeepsServing) {
  EngineProcess engine({kTown}, dir_.path() + "/data");
  zmq::socket_t raw(ctx_, zmq::socket_type::dealer);
  raw.set(zmq::sockopt::linger, 0);
  raw.connect(engine.cmd());
  client::Client c(ctx_, engine.cmd());

  std::mt19937 rng(7);
  const std::string valid = protocol::encode_request("x", "town", core::IssueTicket{"social"});
  // Up to the engine's size limit: answered (a larger message ends the
  // connection instead: OversizedMessagesEndTheConnection).
  std::vector<std::string> hostile = {"", "x", std::string(protocol::kMaxRequestBytes, '\xff'),
                                      valid.substr(0, 13)};
  for (int i = 0; i < 200; ++i) {
    std::string m = valid;
    m[rng() % m.size()] = static_cast<char>(rng());
    m[rng() % m.size()] = static_cast<char>(rng());
    hostile.push_back(m);
  }
  for (const std::string& h : hostile) raw.send(zmq::buffer(h), zmq::send_flags::none);
  // Multipart garbage too: the last frame is taken as the payload.
  raw.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
  raw.send(zmq::str_buffer("b"), zmq::send_flags::none);

  std::size_t answered = 0;
  zmq::pollitem_t item{raw.handle(), 0, ZMQ_POLLIN, 0};
  while (answered < hostile.size() + 1 && zmq::poll(&item, 1, std::chrono::seconds(10)) > 0) {
    // The multipart request's extra frame comes back as an envelope: take the last frame.
    zmq::message_t reply;
    do {
      ASSERT_TRUE(raw.recv(reply, zmq::recv_flags::none));
    } while (reply.more());
    ASSERT_EQ(protocol::inspect({static_cast<const std::uint8_t*>(reply.data()), reply.size()}),
              protocol::MessageKind::kReply);
    ++answered;
  }
  EXPECT_EQ(answered, hostile.size() + 1);
  auto ok = c.command("town", core::IssueTicket{"tax"});
  ASSERT_TRUE(ok && ok->ok());
  EXPECT_EQ(protocol::describe_event(protocol::as_bytes(ok->events[0])).number, "G001");
}

TEST_F(HallqdTest, OversizedMessagesEndTheConnection) {
  // ZMQ_MAXMSGSIZE (issue 16): a 1 MiB message is not buffered, let alone
  // answered; the peer is disconnected and the engine serves the others.
  EngineProcess engine({kTown}, dir_.path() + "/data");
  zmq::socket_t raw(ctx_, zmq::socket_type::dealer);
  raw.set(zmq::sockopt::linger, 0);
  raw.connect(engine.cmd());
  raw.send(zmq::buffer(std::string(1 << 20, '\xff')), zmq::send_flags::none);
  zmq::pollitem_t item{raw.handle(), 0, ZMQ_POLLIN, 0};
  EXPECT_EQ(zmq::poll(&item, 1, std::chrono::milliseconds(1000)), 0) << "an oversized message was answered";
  client::Client c(ctx_, engine.cmd());
  auto ok = c.command("town", core::IssueTicket{"tax"});
  ASSERT_TRUE(ok && ok->ok());
}

TEST_F(HallqdTest, ReqSocketsWorkToo) {
  EngineProcess engine({kTown}, dir_.path() + "/data");
  zmq::socket_t req(ctx_, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.connect(engine.cmd());
  const std::string bytes = protocol::encode_ping("p");
  req.send(zmq::buffer(bytes), zmq::send_flags::none);
  zmq::message_t reply;
  ASSERT_TRUE(req.recv(reply, zmq::recv_flags::none));
  const protocol::Bytes b{static_cast<const std::uint8_t*>(reply.data()), reply.size()};
  ASSERT_EQ(protocol::inspect(b), protocol::MessageKind::kReply);
  EXPECT_EQ(protocol::decode_reply(b).request_id, "p");
}

TEST_F(HallqdTest, SigtermStopsCleanlyAndStateSurvives) {
  EngineProcess engine({kTown}, dir_.path() + "/data");
  {
    client::Client c(ctx_, engine.cmd());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.command("town", core::IssueTicket{"estate"})->ok());
  }
  EXPECT_EQ(engine.terminate(), 0);
  engine.restart();
  client::Client c(ctx_, engine.cmd());
  auto r = c.command("town", core::IssueTicket{"estate"});
  ASSERT_TRUE(r && r->ok());
  EXPECT_EQ(protocol::describe_event(protocol::as_bytes(r->events[0])).number, "B006");
}

TEST_F(HallqdTest, BrokenConfigIsAUsageErrorNamingTheLine) {
  const std::string conf = dir_.path() + "/bad.toml";
  std::ofstream(conf)
      << "[hall]\nid = \"x\"\nname = \"镇\"\nhours = [\"08:30-17:30\"]\nwait_target_min = \"soon\"\n";
  const RunResult r = run_program(default_hallqd(), {"--conf", conf, "--data", dir_.path() + "/data"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.toml:5"), std::string::npos) << r.err;
}

TEST_F(HallqdTest, SimulatedTimeStartsWhereToldAndRunsAtItsScale) {
  // A Monday 08:59 in the town hall (UTC+8), an hour per real second.
  EngineProcess engine({kTown}, dir_.path() + "/data",
                       {"--time-scale", "3600", "--time-start", "2026-11-23 08:59"});
  zmq::context_t ctx;
  client::Client c(ctx, engine.cmd());
  using Clock = std::chrono::steady_clock;
  auto issue_time = [&](Clock::time_point& sent, Clock::time_point& answered) {
    sent = Clock::now();
    auto r = c.command("town", core::IssueTicket{"social"});
    answered = Clock::now();
    EXPECT_TRUE(r && r->ok());
    return r && r->ok() ? protocol::describe_event(protocol::as_bytes(r->events.back())).time : 0;
  };
  Clock::time_point t0, t1, t2, t3;
  const core::TimeUs first = issue_time(t0, t1);
  const core::TimeUs monday_0859 = (1'795'395'540LL) * core::kUsPerSecond;  // 2026-11-23 08:59 +08:00
  EXPECT_GE(first, monday_0859);
  EXPECT_LT(first, monday_0859 + 3600 * core::kUsPerSecond) << "more than a real second after start?";
  // Some real time later (waiting on the clock, not sleeping).
  while (Clock::now() - t1 < std::chrono::milliseconds(20)) (void)c.ping();
  const core::TimeUs second = issue_time(t2, t3);
  auto us = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  };
  EXPECT_GE(second - first, 3600 * us(t2 - t1));
  EXPECT_LE(second - first, 3600 * us(t3 - t0));
}

TEST_F(HallqdTest, BadSimulatedTimeIsAUsageError) {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--time-scale", "60", "--time-start", "2026-02-30 09:00"},
        std::vector<std::string>{"--time-scale", "60", "--time-start", "2026-11-23 9:00"},
        std::vector<std::string>{"--time-start", "2026-11-23 09:00"},
        std::vector<std::string>{"--time-scale", "-5"}}) {
    std::vector<std::string> args = {"--conf", kTown, "--data", dir_.path() + "/data"};
    args.insert(args.end(), extra.begin(), extra.end());
    const RunResult r = run_program(default_hallqd(), args);
    EXPECT_EQ(r.exit_code, 2) << extra.back() << ": " << r.err;
    EXPECT_NE(r.err.find("--time-s"), std::string::npos) << r.err;
  }
}

TEST_F(HallqdTest, UnusableDataDirIsARuntimeError) {
  const std::string file = dir_.path() + "/not-a-dir";
  std::ofstream(file) << "x";
  const RunResult r = run_program(default_hallqd(), {"--conf", kTown, "--data", file, "--cmd",
                                                     "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(r.err.empty());
}

TEST_F(HallqdTest, PortInUseIsARuntimeError) {
  EngineProcess first({kTown}, dir_.path() + "/a");
  const RunResult r = run_program(default_hallqd(), {"--conf", kTown, "--data", dir_.path() + "/b", "--cmd",
                                                     first.cmd(), "--pub", "tcp://127.0.0.1:*"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hallq::testing
