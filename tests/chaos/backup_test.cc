// Online backup and restore: `hallq backup` copies the store of the real
// hallqd while kiosks and clerks keep it busy (tests/chaos/workload.h); each
// copy is restored (copied again with `hallq backup` into a fresh data dir)
// and a new hallqd started on it. For each hall, with S the last sequence
// number in the backup:
//   - the backup's events 1..S are the live store's events 1..S, byte for
//     byte (a prefix of the history, nothing torn or half-written);
//   - the restored engine serves exactly the state those S events fold to;
//   - it goes on where the backup ends: a request acknowledged before S,
//     retried with its id, gets its original answer; a new ticket continues
//     the numbering.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/config/config_loader.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/store/event_store.h"
#include "tests/chaos/engine_hall.h"
#include "tests/chaos/ledger.h"
#include "tests/chaos/workload.h"
#include "tests/support/engine_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::chaos {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
const std::string kDistrict = std::string(HALLQ_SOURCE_DIR) + "/conf/district.toml";

// The hall that `store`'s first `upto` events of `hall` fold to.
std::unique_ptr<core::Hall> fold(const store::EventStore& store,
                                 std::shared_ptr<const core::HallConfig> config, std::uint64_t upto) {
  auto hall = std::make_unique<core::Hall>(config, policy::find_policy(config->rules.policy),
                                           &predict::default_predictor());
  store.for_each_event(config->id, 1, [&](std::uint64_t seq, std::string_view raw) {
    if (seq > upto) return false;
    const std::string copy(raw);
    protocol::DecodedEvent d;
    EXPECT_TRUE(protocol::decode_event(protocol::as_bytes(copy), *config, d).ok()) << "event " << seq;
    hall->apply_event(d.event);
    return true;
  });
  return hall;
}

TEST(BackupTest, BackupUnderLoadRestoresToTheStateItsLastSequenceImplies) {
  std::map<std::string, std::shared_ptr<const core::HallConfig>> configs = {
      {"town", config::load_hall_config(kTown)}, {"district", config::load_hall_config(kDistrict)}};
  Ledger ledger(configs);
  testing::TempDir dir("hallq-backup");
  const std::string live = dir.path() + "/live";
  testing::EngineProcess engine({kTown, kDistrict}, live, {"--snapshot-every", "300"});
  zmq::context_t ctx;

  std::vector<Actor> cast;
  std::uint64_t seed = 7;
  for (const auto& [id, c] : configs) {
    ActorSpec kiosk{ActorSpec::Kind::kKiosk, id, {}, {}, {}};
    for (const auto& s : c->services) kiosk.services.push_back(s.id);
    cast.emplace_back(kiosk, ++seed);
    cast.emplace_back(
        ActorSpec{ActorSpec::Kind::kClerk, id, {}, c->windows[0].id, c->staff.empty() ? "" : c->staff[0].id},
        ++seed);
  }
  std::atomic<std::uint64_t> answers{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (Actor& a : cast)
    threads.emplace_back([&, &a = a] { a.run(ctx, engine.cmd(), ledger, answers, stop, 200ms); });

  // Three backups, each taken while the clients keep the engine writing.
  constexpr int kBackups = 3;
  std::vector<std::string> backups;
  std::vector<std::uint64_t> answers_during;
  for (int b = 0; b < kBackups; ++b) {
    const auto deadline = Clock::now() + 20s;
    const std::uint64_t want = answers + 150;
    while (answers < want) {
      ASSERT_LT(Clock::now(), deadline) << "the clients stalled";
      std::this_thread::yield();
    }
    backups.push_back(dir.path() + "/backup-" + std::to_string(b));
    const std::uint64_t before = answers;
    const testing::RunResult r = testing::run_program(HALLQ_PATH, {"--json", "backup", live, backups.back()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"ok\":true"), std::string::npos) << r.out;
    answers_during.push_back(answers - before);
  }
  stop = true;
  for (std::thread& t : threads) t.join();

  store::EventStore live_store({.dir = live, .read_only = true});
  std::uint64_t probes = 0;
  for (int b = 0; b < kBackups; ++b) {
    SCOPED_TRACE("backup " + std::to_string(b));
    // Restore: a copy of the backup as a fresh data dir, and a new engine on it.
    const std::string restored = dir.path() + "/restored-" + std::to_string(b);
    const testing::RunResult r = testing::run_program(HALLQ_PATH, {"backup", backups[b], restored});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::uint64_t> last;
    {
      store::EventStore copy({.dir = backups[b], .read_only = true});
      for (const auto& [id, config] : configs) {
        last[id] = copy.last_seq(id);
        ASSERT_GT(last[id], 0u) << id;
        ASSERT_LE(last[id], live_store.last_seq(id)) << id;
        copy.for_each_event(id, 1, [&](std::uint64_t seq, std::string_view bytes) {
          EXPECT_EQ(live_store.read_event(id, seq), std::optional<std::string>(std::string(bytes)))
              << id << " event " << seq << " differs from the live store's";
          return true;
        });
      }
    }
    testing::EngineProcess restored_engine({kTown, kDistrict}, restored);
    client::Client c(ctx, restored_engine.cmd());
    for (const auto& [id, config] : configs) {
      auto expected = fold(live_store, config, last[id]);
      ASSERT_EQ(expected->seq(), last[id]);
      auto served = engine_hall(c, id);
      ASSERT_NE(served, nullptr);
      EXPECT_EQ(served->seq(), last[id]) << id;
      EXPECT_EQ(protocol::encode_snapshot(*served, 0, false), protocol::encode_snapshot(*expected, 0, false))
          << id << ": the restored engine's state is not what events 1.." << last[id] << " imply";

      // Requests answered within the backup: retried, the original answer.
      for (const auto& [rid, answer] : ledger.accepted(id)) {
        const auto seq = protocol::describe_event(protocol::as_bytes(answer.events.back())).seq;
        if (seq > last[id] || seq + 200 < last[id]) continue;  // the newest ones the backup holds
        ASSERT_TRUE(c.send(ledger.sent(rid)->bytes));
        std::optional<protocol::DecodedReply> reply;
        while ((reply = c.receive(5s)) && reply->request_id != rid) {
        }
        ASSERT_TRUE(reply && reply->ok()) << rid;
        EXPECT_TRUE(reply->duplicate) << rid;
        EXPECT_EQ(reply->events, answer.events) << rid;
        ++probes;
      }
      // New work continues the numbering.
      auto issued = c.command(id, core::IssueTicket{config->services.front().id});
      ASSERT_TRUE(issued && issued->ok());
      const auto e = protocol::describe_event(protocol::as_bytes(issued->events.back()));
      EXPECT_EQ(e.seq, last[id] + 1) << id;
      EXPECT_EQ(e.ticket, expected->tickets().empty() ? 1 : expected->tickets().back().id + 1) << id;
    }
    std::cout << "[backup] backup " << b << ": town at event " << last["town"] << ", district at event "
              << last["district"] << "; " << answers_during[b]
              << " commands answered while it ran; restored and "
              << "compared\n";
  }
  EXPECT_GT(probes, 0u);
  std::cout << "[backup] " << kBackups << " backups under load restored; " << ledger.answered()
            << " commands answered; " << probes << " retried requests answered from the restored store\n";
}

}  // namespace
}  // namespace hallq::chaos
