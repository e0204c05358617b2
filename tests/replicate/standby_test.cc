// hallqd --standby against the real 3-node cluster: the standby follows the
// owner's stream into its own store (a plain hallqd on that store serves the
// owner's very state), refuses the hall's commands not_owner naming the owner
// and its endpoint while serving reads, never applies a message that does not
// verify or fit, and takes the hall over when the owner is killed (SIGKILL,
// under load, --ack replicated): every acknowledged command in the stream and
// served by the new owner, no ticket number twice, no event twice. The number
// of kills is HALLQ_TAKEOVER_KILLS (default 3); the takeover times (kill to the
// first command accepted by the new owner) are printed, not asserted
// (bench/takeover.sh runs many).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/replicate/hall_directory.h"
#include "engine/replicate/hall_reader.h"
#include "engine/replicate/ownership.h"
#include "engine/replicate/publisher.h"
#include "engine/replicate/stream_setup.h"
#include "tests/replicate/replicate_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::replicate::test {
namespace {

using namespace std::chrono_literals;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
const std::string kDistrict = std::string(HALLQ_SOURCE_DIR) + "/conf/district.toml";

class HallqdStandby : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = connect(cluster_, cluster_.engine_credentials());
    ensure_stream(*conn_);
  }
  std::vector<std::string> args(const std::string& engine_id, bool standby, bool replicated = false) {
    return engine_args(cluster_, engine_id, standby, replicated);
  }
  // Waits until `engine`'s snapshot of town is at `seq` (deadline-bounded).
  std::optional<protocol::DecodedReply> snapshot_at(client::Client& c, core::Seq seq,
                                                    std::chrono::seconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::optional<protocol::DecodedReply> r;
    while (std::chrono::steady_clock::now() < deadline) {
      r = c.snapshot("town");
      if (r && r->ok()) {
        protocol::DecodedSnapshot s;
        if (protocol::decode_snapshot(protocol::as_bytes(r->snapshot), s).ok() && s.seq >= seq) return r;
      }
      std::this_thread::sleep_for(20ms);  // polling the standby, bounded above
    }
    ADD_FAILURE() << "town never reached seq " << seq;
    return std::nullopt;
  }

  testing::NatsCluster cluster_{3};
  std::unique_ptr<NatsConnection> conn_;
  testing::TempDir dir_;
  zmq::context_t ctx_;
};

// The standby follows: current within a second, its commands refused
// not_owner naming the owner and its endpoint, reads served; its store,
// opened by a plain hallqd, gives the owner's very state.
TEST_F(HallqdStandby, FollowsRefusesCommandsAndItsStoreServesTheOwnersState) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
  client::Client ca(ctx_, a.cmd());
  client::Client cb(ctx_, b.cmd(), {.timeout = 1500ms, .attempts = 3, .follow_owner = false});
  // A screen connected to the standby.
  client::Subscriber screen(ctx_, b.cmd(), b.pub(), {"town"});
  for (auto until = std::chrono::steady_clock::now() + 10s;
       !screen.synced("town") && std::chrono::steady_clock::now() < until;)
    screen.poll(50ms);
  ASSERT_TRUE(screen.synced("town"));
  core::Seq last = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = ca.command("town", core::IssueTicket{i % 2 ? "social" : "tax"});
    ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
    last = protocol::peek_event(protocol::as_bytes(r->events.back())).seq;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto followed = snapshot_at(cb, last, 10s);
  ASSERT_TRUE(followed);
  std::cout
      << "standby current after "
      << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count()
      << " ms\n";

  // The screen saw the followed events as they came (no snapshot needed).
  for (auto until = std::chrono::steady_clock::now() + 10s;
       (screen.hall("town") == nullptr || screen.hall("town")->seq() < last) &&
       std::chrono::steady_clock::now() < until;)
    screen.poll(50ms);
  ASSERT_NE(screen.hall("town"), nullptr);
  EXPECT_EQ(screen.hall("town")->seq(), last);
  EXPECT_EQ(screen.stats().gaps, 0u);
  EXPECT_GE(screen.stats().events, last);

  auto refused = cb.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, core::ErrorCode::kNotOwner) << refused->message;
  // The owner simply serves the hall: nothing was taken over from the standby.
  EXPECT_NE(refused->message.find("大厅 town 由引擎 engine-a 服务（地址 " + a.cmd() + "），本机为备用引擎"),
            std::string::npos)
      << refused->message;
  EXPECT_EQ(refused->message.find("接管"), std::string::npos) << refused->message;
  EXPECT_EQ(refused->owner_engine, "engine-a");
  EXPECT_EQ(refused->owner_endpoint, a.cmd());

  auto owner = ca.snapshot("town");
  ASSERT_TRUE(owner && owner->ok());
  const core::HallState want = state_of(*owner);
  EXPECT_EQ(want.seq, last);
  EXPECT_EQ(want.tickets.size(), 20u);
  EXPECT_TRUE(state_of(*followed) == want) << "the standby's memory differs from the owner's";

  EXPECT_EQ(b.terminate(), 0);
  EXPECT_EQ(a.terminate(), 0);
  testing::EngineProcess plain({kTown}, dir_.sub("b"), {"--advise-every", "0"});
  client::Client cp(ctx_, plain.cmd());
  auto reopened = cp.snapshot("town");
  ASSERT_TRUE(reopened && reopened->ok());
  EXPECT_TRUE(state_of(*reopened) == want) << "a plain hallqd on the standby's store serves another state";
  // And it serves on: the next ticket follows the owner's.
  auto next = cp.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(next && next->ok()) << (next ? next->message : "no answer");
  EXPECT_EQ(protocol::peek_event(protocol::as_bytes(next->events.front())).seq, last + 1);
}

// A screen given both engines (owner and standby, cmd and pub lists) that
// listens to the owner: when the owner is killed, the screen hears nothing
// for its heartbeat timeout, moves to the standby, and its replica is rebuilt
// from the standby's snapshot; from then on it follows the events the
// standby, now the owner, commits: every event applied right after the one
// before it (or a snapshot), never a step back, and in the end the new
// owner's very state.
TEST_F(HallqdStandby, AScreenGivenBothEnginesFollowsTheStandbyThatTookOver) {
  // --ack replicated: what the screen saw is in the stream (with --ack local
  // the owner's last events may die with it, and the screen step back to the
  // new owner's history).
  auto a = std::make_unique<testing::EngineProcess>(std::vector<std::string>{kTown}, dir_.sub("a"),
                                                    args("engine-a", false, true));
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true, true));
  struct Seen : client::Subscriber::Listener {
    std::vector<std::pair<char, core::Seq>> log;  // 'r' reset, 'e' event: the replica's seq after it
    void on_reset(const core::Hall& h) override { log.emplace_back('r', h.seq()); }
    void on_event(const core::Hall& h, const protocol::DecodedEvent&, protocol::Bytes) override {
      log.emplace_back('e', h.seq());
    }
  } seen;
  client::Subscriber screen(ctx_, a->cmd() + "," + b.cmd(), a->pub() + "," + b.pub(), {"town"}, &seen,
                            {.heartbeat_timeout = 1500ms});
  const auto poll_until = [&](const std::function<bool()>& done, std::chrono::seconds limit) {
    for (auto until = std::chrono::steady_clock::now() + limit;
         !done() && std::chrono::steady_clock::now() < until;)
      screen.poll(50ms);
    return done();
  };
  ASSERT_TRUE(poll_until([&] { return screen.synced("town"); }, 10s));
  EXPECT_EQ(screen.pub_endpoint(), a->pub());
  client::Client ca(ctx_, a->cmd());
  core::Seq last = 0;
  for (int i = 0; i < 10; ++i) {
    auto r = ca.command("town", core::IssueTicket{"social"});
    ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
    last = protocol::peek_event(protocol::as_bytes(r->events.back())).seq;
  }
  ASSERT_TRUE(poll_until([&] { return screen.hall("town") && screen.hall("town")->seq() == last; }, 10s));

  a->kill9();
  client::Client cb(ctx_, b.cmd(), {.timeout = 1s, .attempts = 1, .follow_owner = false});
  int issued = 0;
  for (auto until = std::chrono::steady_clock::now() + 20s;
       issued < 5 && std::chrono::steady_clock::now() < until;) {
    screen.poll(20ms);  // the screen lives on meanwhile
    auto r = cb.command("town", core::IssueTicket{"tax"});
    if (!r || !r->ok()) continue;  // not taken over yet
    last = protocol::peek_event(protocol::as_bytes(r->events.back())).seq;
    ++issued;
  }
  ASSERT_EQ(issued, 5) << "the standby never took the hall over";
  ASSERT_TRUE(poll_until(
      [&] { return screen.synced("town") && screen.hall("town") && screen.hall("town")->seq() == last; },
      20s))
      << "the screen is at " << (screen.hall("town") ? screen.hall("town")->seq() : 0) << ", the hall at "
      << last;
  EXPECT_GE(screen.stats().failovers, 1u);
  EXPECT_EQ(screen.pub_endpoint(), b.pub());
  auto owner = cb.snapshot("town");
  ASSERT_TRUE(owner && owner->ok());
  EXPECT_TRUE(screen.hall("town")->state() == state_of(*owner))
      << "the screen's replica differs from the new owner's";
  core::Seq at = 0;
  for (const auto& [kind, seq] : seen.log) {
    if (kind == 'e') {
      EXPECT_EQ(seq, at + 1) << "an event applied out of sequence";
    } else {
      EXPECT_GE(seq, at) << "a snapshot took the replica back";
    }
    at = seq;
  }
}

// A client pointed at the standby while the owner lives follows the
// not_owner reply's endpoint to the owner, once, with the same request id:
// its command is served there (the owner's next ticket), the hop is told,
// and the client stays with the owner. A retry with that id is answered as
// a duplicate, not a second ticket.
TEST_F(HallqdStandby, AClientPointedAtTheStandbyFollowsToTheOwner) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
  client::Client ca(ctx_, a.cmd());
  auto first = ca.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(first && first->ok()) << (first ? first->message : "no answer");
  const core::Seq last = protocol::peek_event(protocol::as_bytes(first->events.back())).seq;

  std::vector<std::array<std::string, 3>> hops;  // from, to, engine
  client::Client c(ctx_, b.cmd(),
                   {.timeout = 5s,
                    .attempts = 1,
                    .follow_owner = true,
                    .on_follow = [&](std::string_view hall, const std::string& from, const std::string& to,
                                     const std::string& engine) {
                      EXPECT_EQ(hall, "town");
                      hops.push_back({from, to, engine});
                    }});
  const std::string id = c.next_request_id();
  auto r = c.command("town", core::IssueTicket{"social"}, id);
  ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
  ASSERT_EQ(hops.size(), 1u);
  EXPECT_EQ(hops[0][0], b.cmd());
  EXPECT_EQ(hops[0][1], a.cmd());
  EXPECT_EQ(hops[0][2], "engine-a");
  EXPECT_EQ(c.endpoint(), a.cmd()) << "the client stays with the owner";
  ASSERT_FALSE(r->events.empty());
  EXPECT_EQ(protocol::peek_event(protocol::as_bytes(r->events.front())).seq, last + 1);
  const protocol::EventSummary issued = protocol::describe_event(protocol::as_bytes(r->events.front()));
  EXPECT_EQ(issued.kind, "ticket_issued");
  EXPECT_EQ(issued.number, "A002") << "the owner's next ticket";
  // The owner holds it (asked directly).
  auto owner = ca.snapshot("town");
  ASSERT_TRUE(owner && owner->ok());
  EXPECT_EQ(state_of(*owner).seq, protocol::peek_event(protocol::as_bytes(r->events.back())).seq);
  // The same id again: the owner's duplicate answer, no further hop.
  auto again = c.command("town", core::IssueTicket{"social"}, id);
  ASSERT_TRUE(again && again->ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(hops.size(), 1u);
}

// Once the standby takes a hall over it puts the hall's snapshot into the
// hall snapshots bucket (as an owner does at its start), so the city view
// folds the hall from the new owner's state: the entry's sequence is the
// last one the old owner answered (its graceful stop ended the lease, so the
// standby takes over at its next look), and the owners bucket names the
// standby.
TEST_F(HallqdStandby, TheNewOwnerPutsTheHallsSnapshotIntoTheBucket) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
  client::Client ca(ctx_, a.cmd());
  core::Seq last = 0;
  for (int i = 0; i < 3; ++i) {
    auto r = ca.command("town", core::IssueTicket{"social"});
    ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
    last = protocol::peek_event(protocol::as_bytes(r->events.back())).seq;
  }
  HallDirectory directory(*conn_, kHallsBucket);
  {
    const auto at_start = directory.get("town");
    ASSERT_TRUE(at_start) << "the owner put none at its start";
    protocol::DecodedSnapshot s;
    ASSERT_TRUE(protocol::decode_snapshot(protocol::as_bytes(at_start->snapshot), s).ok());
    ASSERT_LT(s.seq, last) << "the owner's entry is of its start, before the tickets";
  }
  EXPECT_EQ(a.terminate(), 0);
  ASSERT_TRUE(log_says(dir_.sub("b") + ".stderr", "took over hall town from engine engine-a"));
  std::optional<HallDirectory::Entry> entry;
  protocol::DecodedSnapshot s;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    entry = directory.get("town");
    if (entry && protocol::decode_snapshot(protocol::as_bytes(entry->snapshot), s).ok() && s.seq == last)
      break;
    std::this_thread::sleep_for(50ms);  // polling the bucket, bounded above
  }
  ASSERT_TRUE(entry);
  EXPECT_EQ(s.seq, last) << "the bucket's entry is not the new owner's";
  EXPECT_EQ(s.state.tickets.size(), 3u);
  Ownership probe(*conn_, "probe", "");
  const auto owner = probe.owner("town");
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->engine, "engine-b");
  EXPECT_EQ(owner->endpoint, b.cmd());
}

// The standby's /metrics: per hall whether it follows, the sequence it
// holds, the stream's, the lag between them, and the owner's lease as the
// standby last read it; once it took the hall over, it follows nothing and
// holds the hall's lease itself.
TEST_F(HallqdStandby, ItsMetricsShowWhatItFollowsAndTheOwnersLease) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
  client::Client ca(ctx_, a.cmd());
  core::Seq last = 0;
  for (int i = 0; i < 5; ++i) {
    auto r = ca.command("town", core::IssueTicket{"social"});
    ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
    last = protocol::peek_event(protocol::as_bytes(r->events.back())).seq;
  }
  const auto metrics = [&] {
    return testing::http_request(b.http(), boost::beast::http::verb::get, "/metrics").body;
  };
  const std::string applied = fmt::format("hallq_standby_applied_seq{{hall=\"town\"}} {}\n", last);
  const std::string stream = fmt::format("hallq_standby_stream_seq{{hall=\"town\"}} {}\n", last);
  std::string m;
  for (const auto until = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < until;) {
    m = metrics();
    if (m.find(applied) != std::string::npos && m.find(stream) != std::string::npos) break;
    std::this_thread::sleep_for(100ms);  // polling the standby, bounded above
  }
  EXPECT_NE(m.find(applied), std::string::npos) << m;
  EXPECT_NE(m.find(stream), std::string::npos) << m;
  EXPECT_NE(m.find("hallq_standby_following{hall=\"town\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("hallq_standby_lag_events{hall=\"town\"} 0\n"), std::string::npos) << m;
  EXPECT_NE(m.find("hallq_standby_broken{hall=\"town\"} 0\n"), std::string::npos) << m;
  EXPECT_NE(m.find("hallq_replication_standby_halls 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("hallq_replication_standby_recorded 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("hallq_replication_halls_owned 0\n"), std::string::npos) << m;
  // The owner's lease (2 s, renewed every 0.5 s) as last read: live.
  const std::string lease = "hallq_replication_owner_lease_remaining_seconds{hall=\"town\"} ";
  const auto at = m.find(lease);
  ASSERT_NE(at, std::string::npos) << m;
  const double left = std::stod(m.substr(at + lease.size()));
  EXPECT_GT(left, 0.0) << m;
  EXPECT_LE(left, 2.0) << m;

  EXPECT_EQ(a.terminate(), 0);  // its lease ended: taken over at the standby's next look
  ASSERT_TRUE(log_says(dir_.sub("b") + ".stderr", "took over hall town from engine engine-a"));
  for (const auto until = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < until;) {
    m = metrics();
    if (m.find("hallq_replication_halls_owned 1\n") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);  // polling the standby, bounded above
  }
  EXPECT_NE(m.find("hallq_replication_halls_owned 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("hallq_replication_leases_lapsed 0\n"), std::string::npos) << m;
  EXPECT_NE(m.find("hallq_standby_following{hall=\"town\"} 0\n"), std::string::npos) << m;
  EXPECT_NE(m.find("hallq_replication_standby_halls 0\n"), std::string::npos) << m;
  EXPECT_EQ(m.find("hallq_replication_owner_lease_remaining_seconds{"), std::string::npos) << m;
}

// hallq halls (a reader's credentials) shows a running standby in the hall's
// "standby" column, and no longer once it stopped (its record ended).
TEST_F(HallqdStandby, HallqHallsShowsTheStandby) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  auto b = std::make_unique<testing::EngineProcess>(std::vector<std::string>{kTown}, dir_.sub("b"),
                                                    args("engine-b", true));
  const std::vector<std::string> json_args{
      "--json", "halls", "--nats", cluster_.urls(), "--nats-credentials", cluster_.reader_credentials()};
  testing::RunResult r = testing::run_program(HALLQ_PATH, json_args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json list = nlohmann::json::parse(r.out);
  ASSERT_EQ(list.size(), 1u) << r.out << " (a standby's record is not a hall)";
  EXPECT_EQ(list[0]["hall"], "town");
  EXPECT_EQ(list[0]["owner"], "engine-a");
  EXPECT_EQ(list[0]["standby"], nlohmann::json::array({"engine-b"})) << r.out;
  const testing::RunResult text = testing::run_program(
      HALLQ_PATH, {"halls", "--nats", cluster_.urls(), "--nats-credentials", cluster_.reader_credentials()});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("备用引擎"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("engine-b"), std::string::npos) << text.out;

  EXPECT_EQ(b->terminate(), 0);
  b.reset();
  r = testing::run_program(HALLQ_PATH, json_args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  list = nlohmann::json::parse(r.out);
  ASSERT_EQ(list.size(), 1u) << r.out;
  EXPECT_EQ(list[0]["standby"], nlohmann::json::array()) << "a stopped standby is listed: " << r.out;
}

// A standby restarted on its own store continues from its last event (the
// store is checked against the stream first); a store with events the stream
// never got (another history) has that hall refused at start with the reason
// (here its only hall: it does not start).
TEST_F(HallqdStandby, RestartsOnItsStoreAndRefusesAStoreTheStreamDoesNotHold) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  client::Client ca(ctx_, a.cmd());
  auto issue = [&] {
    auto r = ca.command("town", core::IssueTicket{"social"});
    EXPECT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
    return r ? protocol::peek_event(protocol::as_bytes(r->events.back())).seq : 0;
  };
  core::Seq last = issue();
  {
    testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
    client::Client cb(ctx_, b.cmd());
    ASSERT_TRUE(snapshot_at(cb, last));
    EXPECT_EQ(b.terminate(), 0);
  }
  const core::Seq held = last;
  for (int i = 0; i < 3; ++i) last = issue();
  // Where the standby should resume: the stream sequence of town's event
  // held + 1, read here from the subject's start.
  std::uint64_t resume_at = 0;
  {
    HallReader from_start(*conn_, "town", {});
    for (auto d = from_start.next(10s); d; d = from_start.next(10s))
      if (d->seq == held + 1) {
        resume_at = d->stream_seq;
        break;
      }
    ASSERT_GT(resume_at, 1u);
  }
  {
    testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
    client::Client cb(ctx_, b.cmd());
    auto followed = snapshot_at(cb, last);
    ASSERT_TRUE(followed);
    EXPECT_EQ(state_of(*followed).seq, last);
    // It resumed there rather than reading the subject from its start.
    EXPECT_TRUE(
        log_says(dir_.sub("b") + ".stderr",
                 fmt::format("hall town: following from stream seq {} (after seq {})", resume_at, held)));
  }
  // Another history: a store written by an engine that never replicated.
  {
    testing::EngineProcess plain({kTown}, dir_.sub("c"), {"--advise-every", "0"});
    client::Client cp(ctx_, plain.cmd());
    for (int i = 0; i < static_cast<int>(last) + 2; ++i) {
      auto r = cp.command("town", core::IssueTicket{"tax"});
      ASSERT_TRUE(r && r->ok());
    }
  }
  std::vector<std::string> argv{"--conf", kTown,
                                "--data", dir_.sub("c"),
                                "--http", "off",
                                "--cmd",  "tcp://127.0.0.1:*",
                                "--pub",  "tcp://127.0.0.1:*"};
  for (const std::string& x : args("engine-c", true)) argv.push_back(x);
  testing::ChildProcess c(testing::default_hallqd(), argv, {.env = {}, .stderr_path = dir_.sub("c.stderr")});
  // Its one hall refused (its events kept aside), nothing left to follow: it does not start.
  EXPECT_EQ(c.wait_exit(30s), 1);
  const std::string err = read_file(dir_.sub("c.stderr"));
  EXPECT_NE(err.find(fmt::format("this store diverged from the events stream: its seq 1-{} never reached the "
                                 "stream, which holds seq 1-{} of another history",
                                 last + 2, last)),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("this engine can neither serve nor follow any of its halls (town)"), std::string::npos)
      << err;

  // Fewer events, but another first one: refused too.
  {
    testing::EngineProcess plain({kTown}, dir_.sub("d"), {"--advise-every", "0"});
    client::Client cp(ctx_, plain.cmd());
    auto r = cp.command("town", core::IssueTicket{"tax"});
    ASSERT_TRUE(r && r->ok());
  }
  argv[3] = dir_.sub("d");
  testing::ChildProcess d(testing::default_hallqd(), argv, {.env = {}, .stderr_path = dir_.sub("d.stderr")});
  EXPECT_EQ(d.wait_exit(30s), 1);
  const std::string err_d = read_file(dir_.sub("d.stderr"));
  EXPECT_NE(err_d.find(fmt::format(
                "its seq 1-1 never reached the stream, which holds seq 1-{} of another history", last)),
            std::string::npos)
      << err_d;
}

// Messages that do not verify, belong to another hall or do not follow are
// refused with a logged reason and never applied: the standby's hall stays
// at the owner's last event.
TEST_F(HallqdStandby, RefusesMessagesThatDoNotVerifyOrFitAndAppliesNothing) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
  client::Client ca(ctx_, a.cmd());
  client::Client cb(ctx_, b.cmd());
  auto r = ca.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(r && r->ok());
  const core::Seq last = protocol::peek_event(protocol::as_bytes(r->events.back())).seq;
  ASSERT_TRUE(snapshot_at(cb, last));
  // Written behind the owner's back, as a foreign or broken writer would.
  const std::string whole = event_bytes("town", last + 1);
  raw_publish(*conn_, subject_of("town"), whole.substr(0, whole.size() / 2));  // cut short
  raw_publish(*conn_, subject_of("town"), "not flatbuffers at all");
  raw_publish(*conn_, subject_of("town"), event_bytes("district", last + 1));
  raw_publish(*conn_, subject_of("town"), event_bytes("town", last + 5, "跳号"));
  const std::string log = dir_.sub("b") + ".stderr";
  EXPECT_TRUE(log_says(log, "refused: not a hallq event"));
  EXPECT_TRUE(log_says(log, "refused: an event of hall \"district\""));
  EXPECT_TRUE(log_says(
      log, "refused: hall seq " + std::to_string(last + 5) + " does not follow " + std::to_string(last)));
  auto still = cb.snapshot("town");
  ASSERT_TRUE(still && still->ok());
  EXPECT_EQ(state_of(*still).seq, last) << "a refused message was applied";
  EXPECT_EQ(read_file(log).find("refused, not applied (following stops)"), std::string::npos)
      << "the reader let a bad message through to the engine";
}

// The owner killed under load, --ack replicated, HALLQ_TAKEOVER_KILLS times
// (default 3): each time the standby takes the hall over and the killed one
// comes back as the new standby (from an empty data dir: its store may hold
// a batch the stream never confirmed). Afterwards every acknowledged ticket
// is in the stream, byte for byte, and in the last owner's hall; no number
// twice; the stream's sequence has no hole and no repeat.
// Two engines standing by for each other's halls (--standby-for), the way a
// city runs without an idle machine: A serves town and follows district, B
// the reverse. A started first leaves district alone while its engine may
// still be starting (the unowned grace: it logs so; without it A would take
// district at that look, and B could not start). Each refuses the other's hall not_owner
// naming the owner, and follows it. A killed with SIGKILL: B takes town
// over while it goes on serving district, none of district's commands
// refused meanwhile; every town command A acknowledged is in B's town, and
// the next continues its sequence. Bad arguments exit 2 naming what is wrong.
TEST_F(HallqdStandby, TwoEnginesStandByForEachOthersHalls) {
  const auto mixed = [&](const std::string& id, const std::string& follows) {
    std::vector<std::string> a = args(id, false, true);
    a.insert(a.end(), {"--standby-for", follows});
    return a;
  };
  const std::vector<std::string> both{kTown, kDistrict};
  auto a = std::make_unique<testing::EngineProcess>(both, dir_.sub("a"), mixed("engine-a", "district"));
  // A looked at district, found no owner and left it alone (without the grace it would have taken it).
  ASSERT_TRUE(log_says(dir_.sub("a") + ".stderr", "hall district has no owner yet"));
  testing::EngineProcess b(both, dir_.sub("b"), mixed("engine-b", "town"));
  EXPECT_TRUE(log_says(dir_.sub("b") + ".stderr", "(--ack replicated, standby for town)"));

  client::Client ca(ctx_, a->cmd(), {.timeout = 1500ms, .attempts = 1, .follow_owner = false});
  client::Client cb(ctx_, b.cmd(), {.timeout = 1500ms, .attempts = 1, .follow_owner = false});
  core::Seq town_last = 0, district_last = 0;
  for (int i = 0; i < 10; ++i) {
    auto t = ca.command("town", core::IssueTicket{"social"});
    ASSERT_TRUE(t && t->ok()) << (t ? t->message : "no answer");
    town_last = protocol::peek_event(protocol::as_bytes(t->events.back())).seq;
    auto d = cb.command("district", core::IssueTicket{"social"});
    ASSERT_TRUE(d && d->ok()) << (d ? d->message : "no answer");
    district_last = protocol::peek_event(protocol::as_bytes(d->events.back())).seq;
  }
  // Each is the other's standby: refused not_owner, naming the owner once its
  // next look (a quarter lease) has read the owner's entry.
  for (auto [client, hall, owner] :
       {std::tuple{&ca, "district", "engine-b"}, std::tuple{&cb, "town", "engine-a"}}) {
    std::optional<protocol::DecodedReply> r;
    for (const auto until = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < until;) {
      r = client->command(hall, core::IssueTicket{"social"});
      ASSERT_TRUE(r.has_value()) << hall;
      ASSERT_EQ(r->code, core::ErrorCode::kNotOwner) << r->message;
      if (!r->owner_engine.empty()) break;
      std::this_thread::sleep_for(50ms);  // the standby's next look, bounded above
    }
    EXPECT_EQ(r->owner_engine, owner) << hall;
  }
  ASSERT_TRUE(snapshot_at(cb, town_last));

  // A killed: B serves district on, and takes town over.
  const core::HallState town_before = state_of(*ca.snapshot("town"));
  ASSERT_EQ(town_before.seq, town_last);
  a->kill9();
  a.reset();
  const auto killed = std::chrono::steady_clock::now();
  int district_refused = 0;
  std::optional<protocol::DecodedReply> town_next;
  while (std::chrono::steady_clock::now() < killed + 20s) {
    auto d = cb.command("district", core::IssueTicket{"social"});
    ASSERT_TRUE(d.has_value()) << "district went unanswered while town was taken over";
    if (!d->ok()) ++district_refused;
    auto t = cb.command("town", core::IssueTicket{"social"});
    ASSERT_TRUE(t.has_value());
    if (t->ok()) {
      town_next = t;
      break;
    }
    EXPECT_EQ(t->code, core::ErrorCode::kNotOwner) << t->message;
    std::this_thread::sleep_for(20ms);  // a device's pace while its hall has no owner
  }
  ASSERT_TRUE(town_next.has_value()) << "town was never taken over";
  std::cout << "town taken over "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                     killed)
                   .count()
            << " ms after the kill; district refused " << district_refused << " command(s) meanwhile\n";
  EXPECT_EQ(district_refused, 0);
  EXPECT_EQ(protocol::peek_event(protocol::as_bytes(town_next->events.front())).seq, town_last + 1);
  // Everything A acknowledged of town is B's town (the tickets A issued, with their numbers).
  const core::HallState taken = state_of(*cb.snapshot("town"));
  for (const core::Ticket& t : town_before.tickets) {
    const auto it = std::find_if(taken.tickets.begin(), taken.tickets.end(),
                                 [&](const core::Ticket& x) { return x.id == t.id; });
    ASSERT_NE(it, taken.tickets.end()) << "ticket " << t.id << " lost";
    EXPECT_EQ(it->number, t.number);
  }
  auto d = cb.command("district", core::IssueTicket{"social"});
  ASSERT_TRUE(d && d->ok());
  EXPECT_GT(protocol::peek_event(protocol::as_bytes(d->events.front())).seq, district_last);
}

TEST_F(HallqdStandby, StandbyForRefusesAnUnknownHallOrBothFlags) {
  const auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv{"--conf", kTown,
                                  "--data", dir_.sub("x"),
                                  "--http", "off",
                                  "--cmd",  "tcp://127.0.0.1:*",
                                  "--pub",  "tcp://127.0.0.1:*"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    testing::ChildProcess p(testing::default_hallqd(), argv,
                            {.env = {}, .stderr_path = dir_.sub("x.stderr")});
    const int code = p.wait_exit(30s).value_or(-1);
    return std::pair{code, read_file(dir_.sub("x.stderr"))};
  };
  std::vector<std::string> replicate = args("engine-x", false);
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> a = replicate;
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  auto [code, err] = run(with({"--standby-for", "district"}));
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("--standby-for: hall district is not among the configured halls"), std::string::npos)
      << err;
  std::tie(code, err) = run(with({"--standby-for", "town,"}));
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("--standby-for: an empty hall id"), std::string::npos) << err;
  std::tie(code, err) = run(with({"--standby-for", "town", "--standby"}));
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("excludes"), std::string::npos) << err;
  std::tie(code, err) = run({"--standby-for", "town"});
  EXPECT_EQ(code, 2);
  EXPECT_NE(err.find("only go with --replicate"), std::string::npos) << err;
}

TEST_F(HallqdStandby, TakesOverFromAKilledOwnerUnderLoadLosingNothingAcknowledged) {
  const char* env = std::getenv("HALLQ_TAKEOVER_KILLS");
  const int kills = env != nullptr ? std::max(1, std::atoi(env)) : 3;
  struct Node {
    std::string id;
    std::unique_ptr<testing::EngineProcess> proc;
  };
  std::array<Node, 2> nodes{Node{"engine-a", nullptr}, Node{"engine-b", nullptr}};
  int generation = 0;
  auto start = [&](Node& n, bool standby) {
    n.proc = std::make_unique<testing::EngineProcess>(std::vector<std::string>{kTown},
                                                      dir_.sub(n.id + "-" + std::to_string(generation++)),
                                                      args(n.id, standby, true));
  };
  // On failure, what the engines said (their stderr files).
  struct DumpOnFailure {
    std::function<void()> dump;
    ~DumpOnFailure() {
      if (::testing::Test::HasFailure()) dump();
    }
  } dump_on_failure{[&] {
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path()))
      if (entry.path().extension() == ".stderr")
        std::cout << "--- " << entry.path().filename().string() << "\n" << read_file(entry.path().string());
  }};
  start(nodes[0], false);
  start(nodes[1], true);

  // The load: one client issuing tickets to whichever engine accepts; a
  // command not answered or refused (not_owner, replication_unavailable) is
  // sent again, with the same request id, to the other engine; after an
  // engine did not answer, the client stays with the other for 3 s (whose
  // refusals name the dead owner until it takes over), asking every 2 ms.
  std::mutex mu;
  std::array<std::string, 2> endpoints{nodes[0].proc->cmd(), nodes[1].proc->cmd()};
  std::vector<std::string> acked;  // every acknowledged event
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> accepted_at;  // when, by whom
  std::atomic<bool> stop{false};
  std::atomic<int> accepted{0};
  std::thread load([&] {
    zmq::context_t ctx;
    int at = 0;
    std::unique_ptr<client::Client> c;
    std::string endpoint;
    std::string request_id;
    std::uint64_t n = 0;
    std::chrono::steady_clock::time_point stay_until{};
    while (!stop) {
      {
        std::lock_guard lock(mu);
        if (!c || endpoint != endpoints[at]) {
          endpoint = endpoints[at];
          // It goes to the other engine itself (not following not_owner
          // to an owner that may just have been killed).
          c = std::make_unique<client::Client>(
              ctx, endpoint, client::ClientOptions{.timeout = 400ms, .attempts = 1, .follow_owner = false});
        }
      }
      if (request_id.empty()) request_id = "load-" + std::to_string(++n);
      auto r = c->command("town", core::IssueTicket{"social"}, request_id);
      if (r && r->ok()) {
        std::lock_guard lock(mu);
        for (const std::string& e : r->events) acked.push_back(e);
        accepted_at.emplace_back(std::chrono::steady_clock::now(), endpoint);
        ++accepted;
        request_id.clear();
        continue;
      }
      if (!r) {
        stay_until = std::chrono::steady_clock::now() + 3s;  // not answered: killed
      } else if (std::chrono::steady_clock::now() < stay_until) {
        std::this_thread::sleep_for(2ms);  // the client's retry pace while the standby takes over
        continue;
      }
      at = 1 - at;
      c.reset();
    }
  });
  // Joined however the test ends (an ASSERT returning early included).
  auto stop_load = [&] {
    stop = true;
    if (load.joinable()) load.join();
  };
  struct Joined {
    std::function<void()> f;
    ~Joined() { f(); }
  } joined{stop_load};

  std::vector<double> takeover_ms;
  int owner = 0;
  for (int k = 0; k < kills; ++k) {
    const int before = accepted.load();
    const auto enough = std::chrono::steady_clock::now() + 30s;
    while (accepted.load() < before + 20 && std::chrono::steady_clock::now() < enough)
      std::this_thread::sleep_for(10ms);  // waiting for load, bounded above
    ASSERT_GE(accepted.load(), before + 20) << "no load before kill " << k;
    const std::size_t seen = [&] {
      std::lock_guard lock(mu);
      return accepted_at.size();
    }();
    const std::string killed = nodes[owner].proc->cmd();
    const auto killed_at = std::chrono::steady_clock::now();
    nodes[owner].proc->kill9();
    // The first command accepted after the kill by another engine (a reply
    // the killed one sent just before may arrive after it).
    const auto deadline = killed_at + 30s;
    std::optional<std::chrono::steady_clock::time_point> first;
    while (!first && std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mu);
        for (std::size_t i = seen; i < accepted_at.size(); ++i)
          if (accepted_at[i].first > killed_at && accepted_at[i].second != killed) {
            first = accepted_at[i].first;
            break;
          }
      }
      if (!first) std::this_thread::sleep_for(5ms);  // waiting for the takeover, bounded above
    }
    ASSERT_TRUE(first) << "no command accepted within 30 s of kill " << k;
    takeover_ms.push_back(std::chrono::duration<double, std::milli>(*first - killed_at).count());
    // The killed one comes back as the standby, from an empty store.
    start(nodes[owner], true);
    {
      std::lock_guard lock(mu);
      endpoints[owner] = nodes[owner].proc->cmd();
    }
    owner = 1 - owner;
  }
  {
    const int before = accepted.load();
    const auto enough = std::chrono::steady_clock::now() + 30s;
    while (accepted.load() < before + 5 && std::chrono::steady_clock::now() < enough)
      std::this_thread::sleep_for(10ms);  // waiting for load, bounded above
  }
  stop_load();

  for (std::size_t k = 0; k < takeover_ms.size(); ++k)
    std::cout << "takeover " << k + 1 << ": " << takeover_ms[k] << " ms\n";
  std::sort(takeover_ms.begin(), takeover_ms.end());
  std::cout << "takeover (kill -9 to the first command accepted by the new owner) over " << kills
            << " kills: p50 " << takeover_ms[takeover_ms.size() / 2] << " ms, max " << takeover_ms.back()
            << " ms\n";

  // The stream: seq 1..tail without a hole or repeat (the reader refuses
  // both), every acknowledged event byte for byte, no ticket number twice.
  std::map<core::Seq, std::string> want;
  for (const std::string& e : acked) want[protocol::peek_event(protocol::as_bytes(e)).seq] = e;
  ASSERT_FALSE(want.empty());
  core::Seq tail = 0;
  expect_stream_holds(*conn_, "town", want, &tail);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  // The last owner serves all of it.
  client::Client last(ctx_, nodes[owner].proc->cmd());
  auto snap = snapshot_at(last, tail);
  ASSERT_TRUE(snap);
  EXPECT_EQ(state_of(*snap).seq, tail);
  // The standby that came back follows it too (screens on it see the hall).
  client::Client standby(ctx_, nodes[1 - owner].proc->cmd());
  auto followed = snapshot_at(standby, tail);
  ASSERT_TRUE(followed);
  EXPECT_TRUE(state_of(*followed) == state_of(*snap));
}

}  // namespace
}  // namespace hallq::replicate::test
