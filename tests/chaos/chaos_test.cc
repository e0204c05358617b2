// The chaos test: the real hallqd serving the town and district halls under
// load from kiosks and clerks (tests/chaos/workload.h), killed with SIGKILL at
// random points (after a seeded random number of answers) and restarted, many
// times. After each restart:
//   - a Subscriber that watched all along is online again with the new
//     engine's state (it saw the new epoch, resynchronised, and its replica
//     equals the engine's snapshot byte for byte); the time from the kill to
//     the engine's ready line and to the subscriber's resync is measured;
//   - every request left unanswered by the kill is retried with its id and
//     answered (the original outcome if it was applied);
//   - a sample of answered requests is retried with their ids: each gets its
//     original events back, marked duplicate, and nothing is applied again;
//   - the store and the engine's state equal the acknowledged history
//     (tests/chaos/ledger.h lists the checks).
// No sleeps: kills are triggered by answer counts, and every wait polls for a
// condition with a deadline.
//
// Kills: 20 by default (ctest); `--kills N` or HALLQ_CHAOS_KILLS=N for long
// runs, `--seed S` or HALLQ_CHAOS_SEED=S for another sequence;
// HALLQ_CHAOS_RESYNC_MS bounds the subscriber's resync after ready (1000).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/client/subscriber.h"
#include "engine/config/config_loader.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "tests/chaos/engine_hall.h"
#include "tests/chaos/ledger.h"
#include "tests/chaos/workload.h"
#include "tests/support/engine_process.h"
#include "tests/support/temp_dir.h"

namespace hallq::chaos {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
const std::string kDistrict = std::string(HALLQ_SOURCE_DIR) + "/conf/district.toml";
const std::vector<std::string> kHalls = {"town", "district"};

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Sends `bytes` (request `id`) and waits for its answer.
std::optional<protocol::DecodedReply> round_trip(client::Client& c, const std::string& id,
                                                 const std::string& bytes) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (!c.send(bytes)) return std::nullopt;
    std::optional<protocol::DecodedReply> r;
    while ((r = c.receive(3s)) && r->request_id != id) {
    }
    if (r) return r;
  }
  return std::nullopt;
}

std::vector<ActorSpec> actors(const core::HallConfig& town, const core::HallConfig& district) {
  std::vector<ActorSpec> out;
  for (const core::HallConfig* c : {&town, &district}) {
    ActorSpec kiosk{ActorSpec::Kind::kKiosk, c->id, {}, {}, {}};
    for (const auto& s : c->services) kiosk.services.push_back(s.id);
    out.push_back(kiosk);
    const std::size_t clerks = c == &town ? 3 : 2;
    for (std::size_t w = 0; w < clerks; ++w) {
      const std::string staff = c->staff.empty() ? "" : c->staff[(2 * w) % c->staff.size()].id;
      out.push_back({ActorSpec::Kind::kClerk, c->id, {}, c->windows[w].id, staff});
    }
  }
  return out;
}

TEST(ChaosTest, SigkillAtRandomPointsKeepsTheAcknowledgedHistory) {
  const int kills = static_cast<int>(env_number("HALLQ_CHAOS_KILLS", 20));
  const std::uint64_t seed = env_number("HALLQ_CHAOS_SEED", 20261124);
  // The subscriber asks for fresh snapshots as soon as its event socket has
  // reconnected (socket monitor), so it is current within the reconnect
  // interval (100 ms) plus a snapshot round trip of the restarted engine.
  const std::chrono::milliseconds resync_bound(env_number("HALLQ_CHAOS_RESYNC_MS", 1000));
  auto town = config::load_hall_config(kTown);
  auto district = config::load_hall_config(kDistrict);
  Ledger ledger({{"town", town}, {"district", district}});

  testing::TempDir dir("hallq-chaos");
  const std::string data = dir.path() + "/data";
  // Frequent stored snapshots, so recovery goes through snapshot + events.
  testing::EngineProcess engine({kTown, kDistrict}, data, {"--snapshot-every", "300"});
  zmq::context_t ctx;
  client::Client checker(ctx, engine.cmd(), {.timeout = 2s, .attempts = 3});
  client::Subscriber sub(ctx, engine.cmd(), engine.pub(), kHalls);
  auto poll_until = [&](auto done, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (!done()) {
      if (Clock::now() > deadline) return false;
      sub.poll(2ms);
    }
    return true;
  };
  auto all_current = [&] {
    return std::all_of(kHalls.begin(), kHalls.end(), [&](const std::string& h) {
      return sub.hall(h) != nullptr && sub.synced(h) && sub.online(h);
    });
  };
  ASSERT_TRUE(poll_until(all_current, 10s)) << "the subscriber never came online";

  std::vector<Actor> cast;
  {
    std::uint64_t k = seed;
    for (ActorSpec& spec : actors(*town, *district)) cast.emplace_back(std::move(spec), ++k);
  }
  std::mt19937_64 rng(seed);
  std::atomic<std::uint64_t> answers{0};
  std::int64_t start_day[2] = {-1, -1};
  double worst_ready_ms = 0, worst_resync_ms = 0, sum_resync_ms = 0;
  std::uint64_t retried = 0, retried_applied_before = 0, probes = 0, checks = 0;
  const auto started = Clock::now();

  for (int kill = 0; kill < kills; ++kill) {
    std::atomic<bool> stop{false};
    const std::uint64_t kill_after = answers + 20 + rng() % 300;
    std::vector<std::thread> threads;
    for (Actor& a : cast)
      threads.emplace_back([&, &a = a] { a.run(ctx, engine.cmd(), ledger, answers, stop, 100ms); });
    const bool reached = poll_until([&] { return answers >= kill_after; }, 30s);
    const auto t_kill = Clock::now();
    engine.kill9();
    stop = true;
    const std::uint64_t restarts_before = sub.stats().restarts;
    engine.restart();
    const auto t_ready = Clock::now();
    for (std::thread& t : threads) t.join();
    ASSERT_TRUE(reached) << "kill " << kill << ": the clients stalled at " << answers << " answers";

    // The subscriber notices the new engine (epoch) and resynchronises.
    ASSERT_TRUE(poll_until(
        [&] { return sub.stats().restarts >= restarts_before + kHalls.size() && all_current(); }, 5s))
        << "kill " << kill << ": the subscriber did not resynchronise";
    const auto t_resync = Clock::now();
    worst_ready_ms = std::max(worst_ready_ms, ms(t_ready - t_kill));
    worst_resync_ms = std::max(worst_resync_ms, ms(t_resync - t_kill));
    sum_resync_ms += ms(t_resync - t_kill);
    EXPECT_LT(t_resync - t_ready, resync_bound)
        << "kill " << kill << ": resync took " << ms(t_resync - t_ready) << " ms after ready";
    for (const std::string& h : kHalls) {
      std::uint64_t epoch = 0;
      std::string bytes;
      auto now_serving = engine_hall(checker, h, &epoch, &bytes);
      ASSERT_NE(now_serving, nullptr);
      // No client runs now: the replica must be the engine's state exactly.
      ASSERT_TRUE(poll_until([&] { return sub.hall(h)->seq() == now_serving->seq(); }, 3s));
      EXPECT_EQ(protocol::encode_snapshot(*sub.hall(h), epoch, false), bytes) << "replica of " << h;
    }

    // Requests the kill left unanswered: retried with their ids.
    for (const auto& [id, sent] : ledger.take_unanswered()) {
      auto r = round_trip(checker, id, sent.bytes);
      ASSERT_TRUE(r) << "retry of " << id << " went unanswered";
      ledger.record_answer(id, *r);
      ++retried;
      retried_applied_before += r->duplicate;
    }
    // Answered requests, retried: the original answer, nothing applied again.
    for (const std::string& h : kHalls) {
      auto done = ledger.accepted(h);
      for (int i = 0; i < 4 && !done.empty(); ++i) {
        const auto& [id, answer] = done[rng() % done.size()];
        const core::Seq seq_before = engine_hall(checker, h)->seq();
        auto r = round_trip(checker, id, ledger.sent(id)->bytes);
        ASSERT_TRUE(r && r->ok()) << "idempotency probe " << id;
        EXPECT_TRUE(r->duplicate) << id;
        EXPECT_EQ(r->events, answer.events) << "retry of " << id << " got another answer";
        EXPECT_EQ(engine_hall(checker, h)->seq(), seq_before) << "retry of " << id << " was applied again";
        ++probes;
      }
    }
    // The store and the engine equal the acknowledged history.
    for (std::size_t i = 0; i < kHalls.size(); ++i) {
      auto hall = engine_hall(checker, kHalls[i]);
      ASSERT_NE(hall, nullptr);
      // Day 0: the hall has had no command or tick yet (a kill in the first
      // second); its day is set by the first one, not a midnight.
      if (start_day[i] <= 0) start_day[i] = hall->day();
      if (hall->day() != start_day[i])
        GTEST_SKIP() << "the test ran across local midnight: numbering restarted";
      const auto problems = ledger.check(kHalls[i], data, *hall);
      for (const std::string& p : problems)
        ADD_FAILURE() << "kill " << kill << ", " << kHalls[i] << ": " << p;
      ASSERT_TRUE(problems.empty());
      ++checks;
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::cout << "[chaos] " << kills << " SIGKILLs survived in " << seconds << " s (seed " << seed
            << "): " << ledger.answered() << " commands answered and checked (" << ledger.accepted_count()
            << " accepted, " << ledger.acknowledged_events() << " events, " << ledger.acknowledged_tickets()
            << " tickets), " << retried << " unanswered requests retried (" << retried_applied_before
            << " had been applied before the kill), " << probes << " idempotency probes, " << checks
            << " full history checks\n"
            << "[chaos] recovery: kill -> engine ready max " << worst_ready_ms
            << " ms; kill -> subscriber online "
            << "with the new state max " << worst_resync_ms << " ms, mean "
            << sum_resync_ms / std::max(1, kills) << " ms\n";
  RecordProperty("kills", kills);
  RecordProperty("commands", static_cast<int>(ledger.answered()));
  RecordProperty("max_recovery_ms", static_cast<int>(worst_resync_ms));
  EXPECT_GE(ledger.answered(), static_cast<std::uint64_t>(kills) * 20);
}

}  // namespace
}  // namespace hallq::chaos

// `--kills N` and `--seed S` set the environment knobs (so ctest, which passes
// neither, runs the default).
int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--kills") setenv("HALLQ_CHAOS_KILLS", argv[i + 1], 1);
    if (arg == "--seed") setenv("HALLQ_CHAOS_SEED", argv[i + 1], 1);
  }
  return RUN_ALL_TESTS();
}
