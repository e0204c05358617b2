// The chaos test's checker must be able to fail: a Ledger against a real
// store written here, where the history is intact, then lost, applied behind
// the clients' back, or served differently from the log.
#include "tests/chaos/ledger.h"

#include <gtest/gtest.h>

#include "engine/config/config_loader.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace hallq::chaos {
namespace {

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
constexpr core::TimeUs kNow = (20'416LL * 86'400 + 2 * 3'600) * core::kUsPerSecond;

class LedgerTest : public ::testing::Test {
 protected:
  LedgerTest() : config_(config::load_hall_config(kTown)), ledger_({{"town", config_}}) {}

  // Applies `body` as request `id` to the hall, stores its events when
  // `store_it`, and records the answer in the ledger when `ack`.
  void run(const std::string& id, const core::CommandBody& body, bool store_it = true, bool ack = true) {
    std::vector<core::Event> out;
    ASSERT_TRUE(hall_.apply(core::Command{id, body}, kNow, out).ok());
    protocol::DecodedReply reply;
    reply.request_id = id;
    store::EventStore::Batch batch;
    for (const core::Event& e : out) {
      reply.events.push_back(protocol::encode_event(hall_, e, id));
      batch.add_event("town", e.seq, reply.events.back());
    }
    if (store_it) {
      store::EventStore store({.dir = dir_.path(), .durable = false});
      store.commit(batch);
    }
    ledger_.record_sent(id, {"town", protocol::encode_request(id, "town", body)});
    if (ack) ledger_.record_answer(id, reply);
  }

  std::vector<std::string> check() { return ledger_.check("town", dir_.path(), hall_); }

  testing::TempDir dir_{"hallq-ledger"};
  std::shared_ptr<const core::HallConfig> config_;
  Ledger ledger_;
  core::Hall hall_{config_, policy::find_policy("balanced"), &predict::default_predictor()};
};

bool mentions(const std::vector<std::string>& problems, std::string_view what) {
  for (const std::string& p : problems)
    if (p.find(what) != std::string::npos) return true;
  return false;
}

TEST_F(LedgerTest, IntactHistoryPasses) {
  run("r1", core::IssueTicket{"social"});
  run("r2", core::OpenWindow{"w1", ""});
  run("r3", core::CallNext{"w1"});
  EXPECT_EQ(check(), std::vector<std::string>{});
  EXPECT_EQ(ledger_.answered(), 3u);
  EXPECT_EQ(ledger_.acknowledged_tickets(), 1u);
}

TEST_F(LedgerTest, LostAcknowledgedEventIsFound) {
  run("r1", core::IssueTicket{"social"});
  run("r2", core::IssueTicket{"tax"}, /*store_it=*/false);
  const auto problems = check();
  EXPECT_TRUE(mentions(problems, "acknowledged event 2 (request r2) is lost"))
      << ::testing::PrintToString(problems);
}

TEST_F(LedgerTest, UnacknowledgedAppliedRequestIsFound) {
  run("r1", core::IssueTicket{"social"});
  run("r2", core::IssueTicket{"tax"}, /*store_it=*/true, /*ack=*/false);
  const auto problems = check();
  EXPECT_TRUE(mentions(problems, "request r2 is applied but was never acknowledged"));
  EXPECT_TRUE(mentions(problems, "was issued to nobody"));
  EXPECT_EQ(ledger_.take_unanswered().count("r2"), 1u);
}

TEST_F(LedgerTest, EngineStateOtherThanTheLogIsFound) {
  run("r1", core::IssueTicket{"social"});
  run("r2", core::OpenWindow{"w1", ""});
  std::vector<core::Event> out;  // the engine moves on without storing it
  ASSERT_TRUE(hall_.apply(core::Command{"r3", core::CallNext{"w1"}}, kNow, out).ok());
  const auto problems = check();
  EXPECT_TRUE(mentions(problems, "differs from the fold of its log"));
  EXPECT_TRUE(mentions(problems, "is in state")) << "the called ticket's last acknowledged state was waiting";
}

}  // namespace
}  // namespace hallq::chaos
