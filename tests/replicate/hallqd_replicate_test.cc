// The real hallqd with --replicate against the real 3-node cluster. --ack
// local: every committed event reaches the stream byte for byte; with the
// whole cluster down the hall keeps being served and the stream catches up
// in order, without duplicates, when it returns, also across a kill -9 of
// hallqd meanwhile (LMDB is the outbox). --ack replicated: a reply leaves
// only once the stream holds its events; with the cluster down commands are
// answered replication_unavailable and refused unapplied, reads go on, and
// the engine resumes by itself. A fenced hall's commands are refused
// not_owner; bad options are refused clearly.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/replicate/hall_reader.h"
#include "engine/replicate/stream_setup.h"
#include "tests/replicate/replicate_fixture.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace hallq::replicate::test {
namespace {

using namespace std::chrono_literals;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

class HallqdReplicate : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = connect(cluster_, cluster_.engine_credentials());
    ensure_stream(*conn_);
  }
  std::vector<std::string> args(const std::string& engine_id = "engine-a") {
    // No tidal forecasts: the engine's own events would move the counts.
    return {"--replicate", cluster_.urls(), "--nats-credentials", cluster_.engine_credentials(),
            "--engine-id", engine_id,       "--advise-every",     "0"};
  }
  std::vector<std::string> replicated_args(const std::string& ack_timeout_ms = "2000") {
    std::vector<std::string> a = args();
    for (const char* s : {"--ack", "replicated", "--ack-timeout"}) a.emplace_back(s);
    a.push_back(ack_timeout_ms);
    return a;
  }
  // The ticket number a reply's ticket_issued event names ("" if none).
  static std::string issued_number(const protocol::DecodedReply& r) {
    for (const std::string& e : r.events) {
      const protocol::EventSummary s = protocol::describe_event(protocol::as_bytes(e));
      if (s.kind == "ticket_issued") return s.number;
    }
    return {};
  }
  // Issues `n` tickets; returns every event of the replies (bytes, in order).
  void issue(client::Client& c, int n) {
    for (int i = 0; i < n; ++i) {
      auto r = c.command("town", core::IssueTicket{"social"});
      ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
      for (const std::string& e : r->events) acked_.push_back(e);
    }
  }
  core::Seq last_acked() const {
    return acked_.empty() ? 0 : protocol::peek_event(protocol::as_bytes(acked_.back())).seq;
  }
  // Waits until the stream holds `n` events of town (deadline-bounded).
  bool wait_count(long n, std::chrono::seconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    long have = -1;
    while (std::chrono::steady_clock::now() < deadline) {
      have = subject_count(
          *conn_, subject_of("town"),
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (have >= n) return have == n;
      std::this_thread::sleep_for(100ms);  // polling the stream, bounded above
    }
    ADD_FAILURE() << "the stream holds " << have << " events of town, want " << n;
    return false;
  }
  // Reads town's subject from the start: seq 1..last, in order, and each
  // acknowledged event byte for byte.
  void expect_stream_holds_acked() {
    HallReader reader(*conn_, "town", {});
    std::map<core::Seq, std::string> acked;
    for (const std::string& e : acked_) acked[protocol::peek_event(protocol::as_bytes(e)).seq] = e;
    for (core::Seq s = 1; s <= last_acked(); ++s) {
      auto got = reader.next(10s);
      ASSERT_TRUE(got) << "seq " << s << " not in the stream";
      ASSERT_EQ(got->seq, s);
      if (acked.count(s)) {
        EXPECT_EQ(got->bytes, acked[s]) << "seq " << s << " differs from the reply's event";
      }
    }
    EXPECT_FALSE(reader.next(300ms)) << "more events than acknowledged";
    EXPECT_TRUE(reader.refusals().empty());
  }

  testing::NatsCluster cluster_{3};
  std::unique_ptr<NatsConnection> conn_;
  testing::TempDir dir_;
  zmq::context_t ctx_;
  std::vector<std::string> acked_;
};

TEST_F(HallqdReplicate, EveryCommittedEventReachesTheStream) {
  testing::EngineProcess engine({kTown}, dir_.sub("data"), args());
  client::Client c(ctx_, engine.cmd());
  issue(c, 30);
  ASSERT_TRUE(wait_count(static_cast<long>(last_acked())));
  expect_stream_holds_acked();
  const auto m = testing::http_request(engine.http(), boost::beast::http::verb::get, "/metrics");
  EXPECT_NE(m.body.find("hallq_replication_published_total " + std::to_string(last_acked())),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("hallq_replication_pending_events 0"), std::string::npos);
  EXPECT_NE(m.body.find("hallq_replication_connected 1"), std::string::npos);
}

TEST_F(HallqdReplicate, ClusterDownKeepsServingAndTheStreamCatchesUp) {
  testing::EngineProcess engine({kTown}, dir_.sub("data"), args());
  client::Client c(ctx_, engine.cmd(), {.timeout = 5s, .attempts = 1});
  issue(c, 5);
  ASSERT_TRUE(wait_count(static_cast<long>(last_acked())));
  cluster_.kill_all();
  issue(c, 20);  // answered as before: the LMDB commit is the acknowledgement
  const auto m = testing::http_request(engine.http(), boost::beast::http::verb::get, "/metrics");
  EXPECT_NE(m.body.find("hallq_replication_pending_events"), std::string::npos);
  EXPECT_EQ(m.body.find("hallq_replication_pending_events 0\n"), std::string::npos) << "nothing pending?";
  cluster_.start_all();
  ASSERT_TRUE(cluster_.wait_ready());
  issue(c, 5);
  ASSERT_TRUE(wait_count(static_cast<long>(last_acked())));
  expect_stream_holds_acked();
}

TEST_F(HallqdReplicate, AfterAKillDuringAnOutageTheStoreIsRepublished) {
  testing::EngineProcess engine({kTown}, dir_.sub("data"), args());
  client::Client c(ctx_, engine.cmd(), {.timeout = 5s, .attempts = 1});
  issue(c, 5);
  ASSERT_TRUE(wait_count(static_cast<long>(last_acked())));
  cluster_.kill_all();
  issue(c, 10);
  engine.kill9();  // its queue is gone; the store holds the 10
  cluster_.start_all();
  ASSERT_TRUE(cluster_.wait_ready());
  ASSERT_GE(subject_count(*conn_, subject_of("town")), 0) << "the stream does not answer again";
  engine.restart();
  client::Client again(ctx_, engine.cmd(), {.timeout = 5s, .attempts = 1});
  issue(again, 3);
  ASSERT_TRUE(wait_count(static_cast<long>(last_acked())));
  expect_stream_holds_acked();
}

// Two engines serving the same hall (no ownership yet): the second one's
// publish is fenced, it stops replicating that hall and says so; the stream
// keeps the first one's history only.
TEST_F(HallqdReplicate, ASecondEngineOnTheSameHallIsFencedAndSaysSo) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a"));
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b"));
  client::Client ca(ctx_, a.cmd()), cb(ctx_, b.cmd());
  issue(ca, 3);
  ASSERT_TRUE(wait_count(static_cast<long>(last_acked())));
  auto r = cb.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(r && r->ok()) << "--ack local answers after the engine's own commit";
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string metrics;
  while (std::chrono::steady_clock::now() < deadline) {
    metrics = testing::http_request(b.http(), boost::beast::http::verb::get, "/metrics").body;
    if (metrics.find("hallq_replication_fenced_total 1\n") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);  // polling the metrics, bounded above
  }
  EXPECT_NE(metrics.find("hallq_replication_fenced_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hallq_replication_pending_events 0\n"), std::string::npos) << metrics;
  std::stringstream err;
  err << std::ifstream(dir_.sub("b") + ".stderr").rdbuf();
  EXPECT_NE(err.str().find("hall town is no longer replicated by this engine: fenced"), std::string::npos)
      << err.str();
  // From then on it refuses the hall's commands instead of diverging further.
  auto refused = cb.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, core::ErrorCode::kNotOwner) << refused->message;
  EXPECT_NE(refused->message.find("大厅 town 已由另一台引擎接管"), std::string::npos) << refused->message;
  EXPECT_TRUE(cb.snapshot("town").value_or(protocol::DecodedReply{}).ok()) << "reads go on";
  expect_stream_holds_acked();
}

// Each reply is sent only once the stream holds its events: the stream is
// asked right after the reply arrives, without waiting.
TEST_F(HallqdReplicate, AckReplicatedAnswersOnlyOnceTheStreamHoldsTheBatch) {
  testing::EngineProcess engine({kTown}, dir_.sub("data"), replicated_args());
  client::Client c(ctx_, engine.cmd());
  for (int i = 0; i < 10; ++i) {
    auto r = c.command("town", core::IssueTicket{"social"});
    ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
    ASSERT_FALSE(r->events.empty());
    for (const std::string& e : r->events) acked_.push_back(e);
    EXPECT_GE(subject_count(*conn_, subject_of("town")), static_cast<long>(last_acked()))
        << "answered before the stream held seq " << last_acked();
  }
  expect_stream_holds_acked();
}

// The whole cluster down: the batch in flight is answered
// replication_unavailable (it is in the store and reaches the stream later),
// later commands are refused unapplied, reads go on; when the cluster is
// back the engine resumes by itself, and a retry of the first command with
// its request id gets the ticket it issued, never a second one.
TEST_F(HallqdReplicate, AckReplicatedRefusesWhileTheClusterIsDownAndResumesByItself) {
  testing::EngineProcess engine({kTown}, dir_.sub("data"), replicated_args("500"));
  client::Client c(ctx_, engine.cmd(), {.timeout = 10s, .attempts = 1});
  issue(c, 3);
  cluster_.kill_all();
  const std::string first_id = c.next_request_id();
  auto timed_out = c.command("town", core::IssueTicket{"social"}, first_id);
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(timed_out->code, core::ErrorCode::kReplicationUnavailable) << timed_out->message;
  EXPECT_NE(timed_out->message.find("集群未在时限内确认"), std::string::npos) << timed_out->message;
  for (int i = 0; i < 3; ++i) {
    auto refused = c.command("town", core::IssueTicket{"social"});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code, core::ErrorCode::kReplicationUnavailable) << refused->message;
    EXPECT_NE(refused->message.find("命令未执行"), std::string::npos) << refused->message;
  }
  auto snap = c.snapshot("town");
  EXPECT_TRUE(snap && snap->ok()) << "reads go on while the cluster is down";

  cluster_.start_all();
  ASSERT_TRUE(cluster_.wait_ready());
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  std::optional<protocol::DecodedReply> resumed;
  while (std::chrono::steady_clock::now() < deadline) {
    resumed = c.command("town", core::IssueTicket{"social"});
    ASSERT_TRUE(resumed);
    if (resumed->ok()) break;
    EXPECT_EQ(resumed->code, core::ErrorCode::kReplicationUnavailable) << resumed->message;
    std::this_thread::sleep_for(200ms);  // retrying as a device would, bounded above
  }
  ASSERT_TRUE(resumed && resumed->ok()) << "the engine did not resume within 60 s";
  EXPECT_EQ(issued_number(*resumed), "A005") << "the refused commands issued nothing";
  auto retried = c.command("town", core::IssueTicket{"social"}, first_id);
  ASSERT_TRUE(retried && retried->ok()) << (retried ? retried->message : "no answer");
  EXPECT_TRUE(retried->duplicate);
  EXPECT_EQ(issued_number(*retried), "A004");
  for (const auto* r : {&*retried, &*resumed})
    for (const std::string& e : r->events) acked_.push_back(e);
  ASSERT_TRUE(wait_count(static_cast<long>(last_acked())));
  expect_stream_holds_acked();
}

TEST_F(HallqdReplicate, RefusesMissingCredentialsAndAStreamAhead) {
  // Without --nats-credentials: a Chinese message, exit 2.
  {
    testing::ChildProcess p(testing::default_hallqd(),
                            {"--conf", kTown, "--data", dir_.sub("d1"), "--http", "off", "--replicate",
                             cluster_.urls(), "--engine-id", "engine-a"},
                            {.env = {}, .stderr_path = dir_.sub("d1.stderr")});
    EXPECT_EQ(p.wait_exit(), 2);
    std::stringstream err;
    err << std::ifstream(dir_.sub("d1.stderr")).rdbuf();
    EXPECT_NE(err.str().find("--replicate 需要 --nats-credentials"), std::string::npos) << err.str();
  }
  // The stream holds more of town than a fresh store: another engine served it.
  {
    testing::EngineProcess first({kTown}, dir_.sub("d2"), args());
    client::Client c(ctx_, first.cmd());
    issue(c, 2);
    ASSERT_TRUE(wait_count(static_cast<long>(last_acked())));
  }
  testing::ChildProcess p(testing::default_hallqd(),
                          {"--conf", kTown, "--data", dir_.sub("d3"), "--http", "off", "--cmd",
                           "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*", "--replicate", cluster_.urls(),
                           "--nats-credentials", cluster_.engine_credentials(), "--engine-id", "engine-b"},
                          {.env = {}, .stderr_path = dir_.sub("d3.stderr")});
  EXPECT_EQ(p.wait_exit(30s), 1);
  std::stringstream err;
  err << std::ifstream(dir_.sub("d3.stderr")).rdbuf();
  EXPECT_NE(err.str().find("holds hall town up to seq 2, this store only up to 0"), std::string::npos)
      << err.str();
}

}  // namespace
}  // namespace hallq::replicate::test
