// hallq move-hall against the real 3-node cluster and real engines: an owner
// (--ack replicated) under a client's load hands its hall to the standby
// that follows it; the CLI says the sequence handed over; the old owner's
// commands up to it and the new owner's after it are the stream's, without a
// hole, a repeat or a ticket number twice; the old owner refuses the hall
// not_owner naming the new one. A move to an engine that does not follow
// the hall is refused with the reason and changes nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/replicate/hall_reader.h"
#include "engine/replicate/ownership.h"
#include "engine/replicate/publisher.h"
#include "engine/replicate/stream_setup.h"
#include "tests/replicate/replicate_fixture.h"
#include "tests/support/engine_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::replicate::test {
namespace {

using namespace std::chrono_literals;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

class MoveHall : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_ = connect(cluster_, cluster_.engine_credentials());
    ensure_stream(*conn_);
  }
  std::vector<std::string> args(const std::string& engine_id, bool standby) {
    return engine_args(cluster_, engine_id, standby, /*replicated=*/true);
  }
  testing::RunResult move(const std::string& hall, const std::string& engine) {
    return testing::run_program(HALLQ_PATH, {"move-hall", hall, engine, "--nats", cluster_.urls(),
                                             "--nats-credentials", cluster_.engine_credentials()});
  }
  // Waits until the standby records itself as following town (hallq move-hall checks it).
  void wait_for_standby_record(const std::string& engine) {
    Ownership probe(*conn_, "probe", "");
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      for (const StandbyRecord& r : probe.standbys())
        if (r.engine == engine && !r.halls.empty()) return;
      std::this_thread::sleep_for(20ms);  // polling the bucket, bounded above
    }
    ADD_FAILURE() << engine << " never recorded itself as a standby";
  }

  testing::NatsCluster cluster_{3};
  std::unique_ptr<NatsConnection> conn_;
  testing::TempDir dir_;
  zmq::context_t ctx_;
};

TEST_F(MoveHall, HandsTheHallToTheStandbyUnderLoadWithoutAGap) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
  struct DumpOnFailure {
    std::function<void()> dump;
    ~DumpOnFailure() {
      if (::testing::Test::HasFailure()) dump();
    }
  } dump_on_failure{[&] {
    std::cout << "--- a\n"
              << read_file(dir_.sub("a") + ".stderr") << "--- b\n"
              << read_file(dir_.sub("b") + ".stderr");
  }};
  wait_for_standby_record("engine-b");

  // The load: one device issuing tickets, following not_owner replies; a
  // command refused is sent again with the same request id after 2 ms.
  struct Accepted {
    std::chrono::steady_clock::time_point at;
    std::string endpoint;
    bool duplicate = false;
    std::vector<std::string> events;
  };
  std::mutex mu;
  std::vector<Accepted> accepted;
  std::atomic<bool> stop{false};
  std::atomic<int> count{0};
  std::thread load([&] {
    zmq::context_t ctx;
    client::Client c(ctx, a.cmd(), {.timeout = 2s, .attempts = 1, .follow_owner = true});
    std::string id;
    while (!stop) {
      if (id.empty()) id = c.next_request_id();
      auto r = c.command("town", core::IssueTicket{"social"}, id);
      if (!r || !r->ok()) {
        std::this_thread::sleep_for(2ms);  // the device's retry pace
        continue;
      }
      std::lock_guard lock(mu);
      accepted.push_back({std::chrono::steady_clock::now(), c.endpoint(), r->duplicate, r->events});
      ++count;
      id.clear();
    }
  });
  struct Joined {
    std::function<void()> f;
    ~Joined() { f(); }
  } joined{[&] {
    stop = true;
    if (load.joinable()) load.join();
  }};
  const auto wait_count = [&](int n) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (count.load() < n && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);  // waiting for load, bounded above
    return count.load() >= n;
  };
  ASSERT_TRUE(wait_count(30));

  const auto asked = std::chrono::steady_clock::now();
  const testing::RunResult moved = move("town", "engine-b");
  const auto answered = std::chrono::steady_clock::now();
  ASSERT_EQ(moved.exit_code, 0) << moved.out << moved.err;
  const std::string said =
      "大厅 town 已从引擎 engine-a 移交给引擎 engine-b（地址 " + b.cmd() + "）：交接序号 ";
  ASSERT_NE(moved.out.find(said), std::string::npos) << moved.out;
  const core::Seq handed = std::stoull(moved.out.substr(moved.out.find(said) + said.size()));
  ASSERT_GT(handed, 30u);
  const int at_move = count.load();
  ASSERT_TRUE(wait_count(at_move + 30)) << "the new owner accepts no commands";
  stop = true;
  load.join();

  EXPECT_TRUE(
      log_says(dir_.sub("a") + ".stderr",
               fmt::format("hall town: handed over to engine engine-b at {} at seq {}", b.cmd(), handed)));
  EXPECT_TRUE(log_says(dir_.sub("b") + ".stderr",
                       fmt::format("took over hall town handed over by engine engine-a at seq {}", handed)));

  // Who answered what: the old owner up to the sequence handed over, the new
  // one after it; the longest pause between two accepted commands.
  std::map<core::Seq, std::string> want;
  double pause_ms = 0;
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    const Accepted& x = accepted[i];
    if (i > 0)
      pause_ms =
          std::max(pause_ms, std::chrono::duration<double, std::milli>(x.at - accepted[i - 1].at).count());
    for (const std::string& e : x.events) {
      const core::Seq seq = protocol::peek_event(protocol::as_bytes(e)).seq;
      want[seq] = e;
      if (x.duplicate) continue;  // a retry's answer names the first outcome
      if (x.endpoint == a.cmd())
        EXPECT_LE(seq, handed) << "the old owner applied a command after the handover";
      else
        EXPECT_GT(seq, handed) << "the new owner answered a command before the handover";
    }
  }
  std::cout << fmt::format(
      "move-hall: {} ms from the request to the new owner's lease; longest pause between "
      "accepted commands {:.0f} ms; {} accepted before, {} after\n",
      std::chrono::duration_cast<std::chrono::milliseconds>(answered - asked).count(), pause_ms, at_move,
      accepted.size() - at_move);

  // The stream: 1..tail without a hole or a repeat, every acknowledged event
  // byte for byte, no ticket number twice.
  core::Seq tail = 0;
  expect_stream_holds(*conn_, "town", want, &tail);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());

  // The old owner refuses the hall, naming the new one; the bucket says how it came.
  client::Client old(ctx_, a.cmd(), {.timeout = 2s, .attempts = 1, .follow_owner = false});
  auto refused = old.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, core::ErrorCode::kNotOwner) << refused->message;
  EXPECT_EQ(refused->owner_engine, "engine-b");
  EXPECT_EQ(refused->owner_endpoint, b.cmd());
  Ownership owners(*conn_, "probe", "");
  const std::optional<OwnerRecord> entry = owners.owner("town");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->engine, "engine-b");
  EXPECT_EQ(entry->moved_from, "engine-a");
  EXPECT_EQ(entry->handed_over_seq, handed);
  // And the new owner serves all of it.
  client::Client now(ctx_, b.cmd());
  auto snap = now.snapshot("town");
  ASSERT_TRUE(snap && snap->ok());
  EXPECT_EQ(state_of(*snap).seq, tail);
}

TEST_F(MoveHall, RefusesAnEngineThatDoesNotFollowTheHallAndChangesNothing) {
  testing::EngineProcess a({kTown}, dir_.sub("a"), args("engine-a", false));
  testing::EngineProcess b({kTown}, dir_.sub("b"), args("engine-b", true));
  wait_for_standby_record("engine-b");

  const testing::RunResult unknown = move("town", "engine-c");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out << unknown.err;
  EXPECT_NE(unknown.err.find("引擎 engine-c 不是大厅 town 的在线备用引擎（在线备用引擎：engine-b）"),
            std::string::npos)
      << unknown.err;
  const testing::RunResult itself = move("town", "engine-a");
  EXPECT_EQ(itself.exit_code, 1);
  EXPECT_NE(itself.err.find("引擎 engine-a 不是大厅 town 的在线备用引擎"), std::string::npos) << itself.err;
  const testing::RunResult no_hall = move("nohall", "engine-b");
  EXPECT_EQ(no_hall.exit_code, 1);
  EXPECT_NE(no_hall.err.find("该大厅现在没有在线备用引擎"), std::string::npos) << no_hall.err;

  // Nothing changed: engine-a owns and serves town, no request pending.
  Ownership owners(*conn_, "probe", "");
  const std::optional<OwnerRecord> entry = owners.owner("town");
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->engine, "engine-a");
  EXPECT_TRUE(entry->move_to.empty());
  client::Client c(ctx_, a.cmd(), {.timeout = 2s, .attempts = 1, .follow_owner = false});
  auto r = c.command("town", core::IssueTicket{"social"});
  ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
}

}  // namespace
}  // namespace hallq::replicate::test
