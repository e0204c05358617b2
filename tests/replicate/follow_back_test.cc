// An engine follows back the halls it lost (issue 19), against the real
// 3-node cluster and real engines: restarted with the very arguments it had
// (as systemd restarts a crashed PC), an engine whose hall another engine
// took over meanwhile starts, follows the hall as a standby (its /metrics
// say so) and takes it back when that engine dies, every ticket the other
// acknowledged kept under its number; a store that diverged from the stream
// (events it committed that never reached it) refuses that hall alone,
// serving the others, with the diverged events written aside byte for byte;
// a standby's store ahead of the stream while nobody serves the hall is
// served (its events republished).
// While running, an engine that loses a hall (another engine took it over,
// or hallq move-hall handed it away) follows it as a standby and takes it
// back: by a move back, or when that engine dies.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nats/nats.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/replicate/ownership.h"
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

class FollowBack : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = connect(cluster_, cluster_.engine_credentials());
    ensure_stream(*conn_);
  }
  std::vector<std::string> args(const std::string& engine_id, bool standby) {
    return engine_args(cluster_, engine_id, standby, /*replicated=*/true);
  }
  // Issues a ticket at `c`; the reply's events go into acked_ (seq -> bytes).
  std::optional<protocol::DecodedReply> issue(client::Client& c, const std::string& hall = "town") {
    auto r = c.command(hall, core::IssueTicket{"social"});
    if (r && r->ok() && hall == "town")
      for (const std::string& e : r->events) acked_[protocol::peek_event(protocol::as_bytes(e)).seq] = e;
    return r;
  }
  // Tries a ticket at `c` until it is accepted (deadline-bounded): a hall taken over.
  // Kills B (SIGKILL) and issues at A (`ca`) until A serves town again: A's
  // first answer (nullopt if it never serves it); the time taken printed.
  std::optional<protocol::DecodedReply> kill_and_take_back(std::unique_ptr<testing::EngineProcess>& b,
                                                           client::Client& ca) {
    b->kill9();
    b.reset();
    const auto killed = std::chrono::steady_clock::now();
    auto back = issue_once_served(ca);
    std::cout << "town taken back by A "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                       killed)
                     .count()
              << " ms after B's kill\n";
    return back;
  }
  std::optional<protocol::DecodedReply> issue_once_served(client::Client& c,
                                                          std::chrono::seconds limit = 20s) {
    std::optional<protocol::DecodedReply> r;
    for (const auto until = std::chrono::steady_clock::now() + limit;
         std::chrono::steady_clock::now() < until;) {
      r = issue(c);
      if (r && r->ok()) return r;
      std::this_thread::sleep_for(20ms);  // a device's pace while the hall has no owner, bounded above
    }
    ADD_FAILURE() << "town never served: " << (r ? r->message : "no answer");
    return std::nullopt;
  }
  // Waits until `engine`'s /metrics hold `line` (deadline-bounded); the last body read.
  std::string metrics_until(const testing::EngineProcess& engine, const std::string& line,
                            std::chrono::seconds limit = 20s) {
    std::string m;
    for (const auto until = std::chrono::steady_clock::now() + limit;
         std::chrono::steady_clock::now() < until;) {
      m = testing::http_request(engine.http(), boost::beast::http::verb::get, "/metrics").body;
      if (m.find(line) != std::string::npos) break;
      std::this_thread::sleep_for(100ms);  // polling the engine, bounded above
    }
    return m;
  }
  // B (reached by `cb`), which town moved to, serves two more of its
  // tickets; A follows to B's sequence. B's state then, and A's /metrics
  // once they show it.
  void two_more_followed(client::Client& cb, const testing::EngineProcess& a, core::HallState& b_state,
                         std::string& a_metrics) {
    ASSERT_TRUE(issue_once_served(cb));
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(issue(cb)->ok());
    b_state = state_of(*cb.snapshot("town"));
    ASSERT_EQ(b_state.seq, acked_.rbegin()->first);
    const std::string line = fmt::format("hallq_standby_applied_seq{{hall=\"town\"}} {}\n", b_state.seq);
    a_metrics = metrics_until(a, line);
    EXPECT_NE(a_metrics.find(line), std::string::npos) << a_metrics;
  }
  testing::RunResult move(const std::string& hall, const std::string& engine) {
    return testing::run_program(HALLQ_PATH, {"move-hall", hall, engine, "--nats", cluster_.urls(),
                                             "--nats-credentials", cluster_.engine_credentials()});
  }
  // Waits until `engine` records itself as following town (hallq move-hall checks it).
  bool standby_recorded(const std::string& engine) {
    Ownership probe(*conn_, "probe", "");
    for (const auto until = std::chrono::steady_clock::now() + 20s;
         std::chrono::steady_clock::now() < until;) {
      for (const StandbyRecord& r : probe.standbys())
        if (r.engine == engine && std::find(r.halls.begin(), r.halls.end(), "town") != r.halls.end())
          return true;
      std::this_thread::sleep_for(20ms);  // polling the bucket, bounded above
    }
    return false;
  }
  // Every ticket of `before` is in `after` under the same number.
  static void expect_kept(const core::HallState& before, const core::HallState& after) {
    const std::map<core::TicketId, std::string> had = tickets(before), has = tickets(after);
    for (const auto& [id, number] : had) {
      const auto it = has.find(id);
      ASSERT_NE(it, has.end()) << "ticket " << id << " (" << number << ") lost";
      EXPECT_EQ(it->second, number);
    }
  }
  // The town tickets `state` holds by id -> number.
  static std::map<core::TicketId, std::string> tickets(const core::HallState& state) {
    std::map<core::TicketId, std::string> out;
    for (const core::Ticket& t : state.tickets) out[t.id] = t.number;
    return out;
  }

  void TearDown() override {
    if (!HasFailure()) return;
    // What the engines said (their stderr files), for the failure's reader.
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path()))
      if (entry.path().extension() == ".stderr")
        std::cout << "--- " << entry.path().filename().string() << "\n" << read_file(entry.path().string());
  }

  testing::NatsCluster cluster_{3};
  std::unique_ptr<NatsConnection> conn_;
  testing::TempDir dir_;
  zmq::context_t ctx_;
  std::map<core::Seq, std::string> acked_;
};

// A serves town, B stands by. A killed (SIGKILL), B takes over and serves;
// A restarted with the SAME arguments starts, logs that it follows town as a
// standby, shows it in /metrics and follows B's tickets; B killed, A takes
// town back: every ticket B (and A before) acknowledged is A's under its
// number, the next continues the sequence, the stream holds all of them.
// (Before, A refused to start: "hall town is served by engine engine-b".)
TEST_F(FollowBack, AnOwnerRestartedAfterATakeoverFollowsTheHallAndTakesItBack) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  auto b = std::make_unique<testing::EngineProcess>(std::vector<std::string>{kTown}, dir_.sub("b"),
                                                    args("engine-b", true));
  client::Client ca(ctx_, a.cmd(), {.timeout = 1s, .attempts = 1, .follow_owner = false});
  client::Client cb(ctx_, b->cmd(), {.timeout = 1s, .attempts = 1, .follow_owner = false});
  for (int i = 0; i < 5; ++i) {
    auto r = issue(ca);
    ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
  }
  a.kill9();
  ASSERT_TRUE(issue_once_served(cb)) << "B never took town over";
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(issue(cb)->ok());
  const core::Seq b_seq = acked_.rbegin()->first;

  const auto restarting = std::chrono::steady_clock::now();
  a.restart();  // the same arguments, data dir and ports
  std::cout << "A restarted (ready) in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                     restarting)
                   .count()
            << " ms\n";
  ASSERT_TRUE(log_says(dir_.sub("a") + ".stderr", "hall town is served by engine engine-b (endpoint " +
                                                      b->cmd() + "): following it as a standby"));
  std::string m = metrics_until(a, fmt::format("hallq_standby_applied_seq{{hall=\"town\"}} {}\n", b_seq));
  EXPECT_NE(m.find(fmt::format("hallq_standby_applied_seq{{hall=\"town\"}} {}\n", b_seq)), std::string::npos)
      << m;
  EXPECT_NE(m.find("hallq_standby_following{hall=\"town\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("hallq_replication_halls_owned 0\n"), std::string::npos) << m;
  // It sends town's commands to B, and hallq halls lists it as B's standby.
  auto refused = ca.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, core::ErrorCode::kNotOwner) << refused->message;
  EXPECT_EQ(refused->owner_engine, "engine-b");
  EXPECT_EQ(refused->owner_endpoint, b->cmd());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(issue(cb)->ok());
  const core::HallState b_state = state_of(*cb.snapshot("town"));
  ASSERT_EQ(b_state.seq, acked_.rbegin()->first);
  metrics_until(a, fmt::format("hallq_standby_applied_seq{{hall=\"town\"}} {}\n", b_state.seq));

  auto back = kill_and_take_back(b, ca);
  ASSERT_TRUE(back) << "A never took town back";
  EXPECT_EQ(protocol::peek_event(protocol::as_bytes(back->events.front())).seq, b_state.seq + 1);
  EXPECT_TRUE(log_says(dir_.sub("a") + ".stderr", "took over hall town from engine engine-b"));
  // Every ticket acknowledged before (by A, then B) is A's, under its number.
  const std::map<core::TicketId, std::string> before = tickets(b_state);
  const std::map<core::TicketId, std::string> now = tickets(state_of(*ca.snapshot("town")));
  ASSERT_EQ(before.size(), 13u);  // 5 by A, 1 + 4 + 3 by B
  for (const auto& [id, number] : before) {
    const auto it = now.find(id);
    ASSERT_NE(it, now.end()) << "ticket " << id << " (" << number << ") lost";
    EXPECT_EQ(it->second, number);
  }
  core::Seq tail = 0;
  expect_stream_holds(*conn_, "town", acked_, &tail);
  EXPECT_EQ(tail, acked_.rbegin()->first);
}

// C's store of town diverged from the stream: C followed town up to seq 2,
// then a plain hallqd on its store committed two tickets (seq 3, 4) that
// never reached the stream, while the owner A issued its own seq 3. C
// started with replication on town and district: town alone is refused (A
// still serves it: C's commands for it are not_owner naming A, and so are
// its reads, which would show town as it stood at the fork), C serves
// district; the log names the diverged sequences and the file that holds
// them, byte for byte as the plain hallqd answered them. An engine left with
// no hall to serve or follow does not start, naming why.
TEST_F(FollowBack, ADivergedStoreRefusesThatHallOnlyAndKeepsItsEventsAside) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  client::Client ca(ctx_, a.cmd());
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(issue(ca)->ok());
  {
    testing::EngineProcess c({kTown}, dir_.sub("c"), args("engine-c", true));
    EXPECT_TRUE(metrics_until(c, "hallq_standby_applied_seq{hall=\"town\"} 2\n")
                    .find("applied_seq{hall=\"town\"} 2\n") != std::string::npos);
    EXPECT_EQ(c.terminate(), 0);
  }
  std::vector<std::string> diverged;  // what the plain hallqd answered: seq 3, 4
  {
    testing::EngineProcess plain({kTown, kDistrict}, dir_.sub("c"), {"--advise-every", "0"});
    client::Client cp(ctx_, plain.cmd());
    for (int i = 0; i < 2; ++i) {
      auto r = cp.command("town", core::IssueTicket{"tax"});
      ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
      for (const std::string& e : r->events) diverged.push_back(e);
    }
    EXPECT_EQ(plain.terminate(), 0);
  }
  ASSERT_EQ(protocol::peek_event(protocol::as_bytes(diverged.front())).seq, 3u);
  ASSERT_EQ(protocol::peek_event(protocol::as_bytes(diverged.back())).seq, 4u);
  ASSERT_TRUE(issue(ca)->ok());  // A's own seq 3

  testing::EngineProcess c({kTown, kDistrict}, dir_.sub("c"), args("engine-c", false));
  const std::string log = dir_.sub("c") + ".stderr";
  EXPECT_TRUE(log_says(log, "hall town is served by engine engine-a (endpoint " + a.cmd() +
                                "), and this store diverged from the events stream: its seq 3-4 never "
                                "reached the stream, which holds seq 3-3 of another history"));
  const std::string file = dir_.sub("c") + "/diverged/town-seq-3-4.events";
  EXPECT_TRUE(log_says(log, "written to " + file));
  std::string want;
  for (const std::string& e : diverged) {
    const core::Seq seq = protocol::peek_event(protocol::as_bytes(e)).seq;
    for (int i = 0; i < 8; ++i) want.push_back(static_cast<char>(seq >> (56 - 8 * i)));
    for (int i = 0; i < 4; ++i) want.push_back(static_cast<char>(e.size() >> (24 - 8 * i)));
    want += e;
  }
  EXPECT_TRUE(read_file(file) == want) << "the diverged events are not kept byte for byte in " << file;
  const std::string listed = read_file(dir_.sub("c") + "/diverged/town-seq-3-4.txt");
  for (const std::string& e : diverged) {
    const protocol::EventSummary s = protocol::describe_event(protocol::as_bytes(e));
    if (s.kind != "ticket_issued") continue;
    EXPECT_NE(listed.find(fmt::format("{}\t", s.seq)), std::string::npos) << listed;
    EXPECT_NE(listed.find("\t" + s.number + "\t"), std::string::npos) << listed;
  }

  client::Client cc(ctx_, c.cmd(), {.timeout = 1500ms, .attempts = 1, .follow_owner = false});
  auto town = cc.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(town);
  EXPECT_EQ(town->code, core::ErrorCode::kNotOwner) << town->message;
  EXPECT_EQ(town->owner_engine, "engine-a");
  EXPECT_NE(town->message.find("本机记录的第 3-4 号事件未进入事件流"), std::string::npos) << town->message;
  auto district = cc.command("district", core::IssueTicket{"social"});
  ASSERT_TRUE(district && district->ok()) << (district ? district->message : "no answer");
  // Its reads are refused too (its town stopped at the fork, seq 4 of
  // another history): a screen's snapshot, the HTTP API's views, the list.
  auto snap = cc.snapshot("town");
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->code, core::ErrorCode::kNotOwner) << snap->message;
  EXPECT_EQ(snap->owner_engine, "engine-a");
  EXPECT_NE(snap->message.find("本机记录的第 3-4 号事件未进入事件流"), std::string::npos) << snap->message;
  auto district_snap = cc.snapshot("district");
  ASSERT_TRUE(district_snap && district_snap->ok()) << (district_snap ? district_snap->message : "no answer");
  for (const char* target : {"/api/halls/town", "/api/halls/town/tickets"}) {
    const testing::HttpAnswer page = testing::http_request(c.http(), boost::beast::http::verb::get, target);
    EXPECT_EQ(page.status, 409) << target << ": " << page.body;
    EXPECT_EQ(page.j().value("error", ""), "not_owner") << page.body;
    EXPECT_NE(page.body.find("本机记录的第 3-4 号事件未进入事件流"), std::string::npos) << page.body;
  }
  const nlohmann::json listed_halls =
      testing::http_request(c.http(), boost::beast::http::verb::get, "/api/halls").j();
  ASSERT_TRUE(listed_halls.is_array()) << listed_halls;
  std::vector<std::string> ids;
  for (const nlohmann::json& h : listed_halls) ids.push_back(h.value("id", ""));
  EXPECT_EQ(ids, std::vector<std::string>{"district"});
  EXPECT_EQ(testing::http_request(c.http(), boost::beast::http::verb::get, "/api/halls/district").status,
            200);
  const std::string metrics = testing::http_request(c.http(), boost::beast::http::verb::get, "/metrics").body;
  EXPECT_EQ(metrics.find("hallq_hall_seq{hall=\"town\"}"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("hallq_hall_seq{hall=\"district\"}"), std::string::npos) << metrics;
  // The stream's town is A's alone.
  ASSERT_TRUE(issue(ca)->ok());
  core::Seq tail = 0;
  expect_stream_holds(*conn_, "town", acked_, &tail);
  EXPECT_EQ(tail, 4u);
  EXPECT_EQ(c.terminate(), 0);

  // Town alone: nothing left to serve or follow.
  std::vector<std::string> argv{"--conf", kTown,
                                "--data", dir_.sub("c"),
                                "--http", "off",
                                "--cmd",  "tcp://127.0.0.1:*",
                                "--pub",  "tcp://127.0.0.1:*"};
  for (const std::string& x : args("engine-c", false)) argv.push_back(x);
  testing::ChildProcess only(testing::default_hallqd(), argv,
                             {.env = {}, .stderr_path = dir_.sub("c2.stderr")});
  EXPECT_EQ(only.wait_exit(30s), 1);
  const std::string err = read_file(dir_.sub("c2.stderr"));
  EXPECT_NE(err.find("this engine can neither serve nor follow any of its halls (town)"), std::string::npos)
      << err;
}

// A standby whose store holds events the stream lacks while no engine
// serves the hall (it took the hall over and was stopped before publishing
// them; here a plain hallqd wrote seq 3-4 into the store of a standby that
// followed town to seq 2, the owner then stopped, ending its lease):
// restarted with its --standby arguments, it serves the hall, republishing
// them (the stream then holds them byte for byte), and continues at seq 5.
// (Before, the start was refused: the store ahead of the stream.)
TEST_F(FollowBack, AStandbyWhoseStoreIsAheadAndNobodyServesTheHallServesIt) {
  auto a = std::make_unique<testing::EngineProcess>(std::vector<std::string>{kTown}, dir_.sub("a"),
                                                    args("engine-a", false));
  {
    client::Client ca(ctx_, a->cmd());
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(issue(ca)->ok());
  }
  {
    testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
    EXPECT_NE(metrics_until(b, "hallq_standby_applied_seq{hall=\"town\"} 2\n")
                  .find("applied_seq{hall=\"town\"} 2\n"),
              std::string::npos);
    EXPECT_EQ(b.terminate(), 0);
  }
  EXPECT_EQ(a->terminate(), 0);  // its lease ended: nobody serves town
  a.reset();
  {
    testing::EngineProcess plain({kTown}, dir_.sub("b"), {"--advise-every", "0"});
    client::Client cp(ctx_, plain.cmd());
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(issue(cp)->ok());
    EXPECT_EQ(plain.terminate(), 0);
  }
  ASSERT_EQ(acked_.rbegin()->first, 4u);
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
  EXPECT_TRUE(log_says(dir_.sub("b") + ".stderr",
                       "hall town: this store holds seq 3-4 the events stream lacks and no engine serves it: "
                       "serving it (republishing them) rather than standing by"));
  client::Client cb(ctx_, b.cmd(), {.timeout = 1s, .attempts = 1, .follow_owner = false});
  auto next = issue_once_served(cb);
  ASSERT_TRUE(next);
  EXPECT_EQ(protocol::peek_event(protocol::as_bytes(next->events.front())).seq, 5u);
  core::Seq tail = 0;
  expect_stream_holds(*conn_, "town", acked_, &tail);
  EXPECT_EQ(tail, acked_.rbegin()->first);
}

// A hands town to B with hallq move-hall; A, which served it, follows it as
// B's standby (logged, recorded: hallq move-hall accepts it), holds B's
// tickets, and takes it back by a move the other way: the next ticket
// continues B's sequence, every ticket kept under its number, the stream
// whole. B, having lost it in turn, follows it again. (Before, the move back
// was refused: A was no standby of town.)
TEST_F(FollowBack, AHallMovedAwayIsFollowedAndMovedBack) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
  client::Client ca(ctx_, a.cmd(), {.timeout = 1s, .attempts = 1, .follow_owner = false});
  client::Client cb(ctx_, b.cmd(), {.timeout = 1s, .attempts = 1, .follow_owner = false});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(issue(ca)->ok());
  ASSERT_TRUE(standby_recorded("engine-b"));
  testing::RunResult r = move("town", "engine-b");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(log_says(dir_.sub("a") + ".stderr",
                       "hall town: following it as a standby of engine engine-b at " + b.cmd()));
  core::HallState b_state;
  std::string m;
  ASSERT_NO_FATAL_FAILURE(two_more_followed(cb, a, b_state, m));
  EXPECT_NE(m.find("hallq_standby_following{hall=\"town\"} 1\n"), std::string::npos) << m;
  auto refused = ca.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, core::ErrorCode::kNotOwner) << refused->message;
  EXPECT_EQ(refused->owner_engine, "engine-b");

  ASSERT_TRUE(standby_recorded("engine-a")) << "A does not stand by for town";
  r = move("town", "engine-a");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::cout << "moved back: " << r.out;
  auto back = issue_once_served(ca);
  ASSERT_TRUE(back);
  EXPECT_EQ(protocol::peek_event(protocol::as_bytes(back->events.front())).seq, b_state.seq + 1);
  expect_kept(b_state, state_of(*ca.snapshot("town")));
  EXPECT_EQ(tickets(b_state).size(), 6u);
  EXPECT_TRUE(log_says(dir_.sub("b") + ".stderr",
                       "hall town: following it as a standby of engine engine-a at " + a.cmd()));
  core::Seq tail = 0;
  expect_stream_holds(*conn_, "town", acked_, &tail);
  EXPECT_EQ(tail, acked_.rbegin()->first);
}

// A serves town while B stands by; the owners entry is written naming B (as
// B's claim does once A, cut off from the cluster, let its lease lapse): B
// takes town over, A's next renewal finds it lost and A follows town as B's
// standby instead of only refusing it; B killed, A takes town back with
// every ticket B acknowledged. (Before, A stopped serving town for good.)
TEST_F(FollowBack, AnOwnerWhoseHallWasTakenOverFollowsItAndTakesItBack) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  auto b = std::make_unique<testing::EngineProcess>(std::vector<std::string>{kTown}, dir_.sub("b"),
                                                    args("engine-b", true));
  client::Client ca(ctx_, a.cmd(), {.timeout = 1s, .attempts = 1, .follow_owner = false});
  client::Client cb(ctx_, b->cmd(), {.timeout = 1s, .attempts = 1, .follow_owner = false});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(issue(ca)->ok());
  {
    kvStore* kv = nullptr;
    ASSERT_EQ(js_KeyValue(&kv, conn_->js(), "hallq_owners"), NATS_OK);
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    const std::string entry =
        fmt::format(R"({{"engine":"engine-b","endpoint":"{}","lease_until_ms":{}}})", b->cmd(), now + 2000);
    std::uint64_t rev = 0;
    ASSERT_EQ(kvStore_PutString(&rev, kv, "town", entry.c_str()), NATS_OK);
    kvStore_Destroy(kv);
  }
  ASSERT_TRUE(log_says(dir_.sub("a") + ".stderr",
                       "hall town is no longer replicated by this engine: taken over by engine engine-b"));
  EXPECT_TRUE(log_says(dir_.sub("a") + ".stderr",
                       "hall town: following it as a standby of engine engine-b at " + b->cmd()));
  core::HallState b_state;
  std::string m;
  ASSERT_NO_FATAL_FAILURE(two_more_followed(cb, a, b_state, m));
  // Its clients hear the hall was taken over, and by whom.
  auto refused = ca.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, core::ErrorCode::kNotOwner) << refused->message;
  EXPECT_NE(refused->message.find("大厅 town 已由另一台引擎接管"), std::string::npos) << refused->message;
  EXPECT_EQ(refused->owner_engine, "engine-b");
  EXPECT_EQ(refused->owner_endpoint, b->cmd());

  auto back = kill_and_take_back(b, ca);
  ASSERT_TRUE(back) << "A never took town back";
  EXPECT_EQ(protocol::peek_event(protocol::as_bytes(back->events.front())).seq, b_state.seq + 1);
  expect_kept(b_state, state_of(*ca.snapshot("town")));
  EXPECT_EQ(tickets(b_state).size(), 6u);
  core::Seq tail = 0;
  expect_stream_holds(*conn_, "town", acked_, &tail);
  EXPECT_EQ(tail, acked_.rbegin()->first);
}

}  // namespace
}  // namespace hallq::replicate::test
