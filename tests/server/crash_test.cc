// kill -9 at arbitrary moments under load loses no acknowledged command and
// never issues a ticket number twice. Several client threads issue tickets
// (and move windows) with request ids as fast as the engine answers; the main
// thread kills the real hallqd after a random number of acknowledgements,
// restarts it, retries every unanswered request with its original id, and
// checks the recovered hall against everything that was acknowledged.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "engine/client/client.h"
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
const char* const kServices[] = {"social", "estate", "business", "police", "civil", "consult", "tax"};

struct Issued {
  std::string number;
  core::TicketId ticket = 0;
  core::TimeUs time = 0;
};

// What the clients learnt, shared between threads.
struct Ledger {
  std::mutex mu;
  std::map<std::string, Issued> acked;         // request id -> the ticket it got
  std::map<std::string, std::string> unacked;  // request id -> the encoded request
  std::atomic<int> acks{0};
  std::atomic<bool> killed{false};  // set just before the engine is killed
};

void record(Ledger& ledger, const std::string& id, const protocol::DecodedReply& r) {
  const auto e = protocol::describe_event(protocol::as_bytes(r.events.back()));
  std::lock_guard lock(ledger.mu);
  ledger.acked[id] = {e.number, e.ticket, e.time};
  ledger.unacked.erase(id);
}

// One client: issues tickets until the engine is killed. A slow answer (a
// loaded machine) is waited for; only after the kill does silence end it.
void issue_until_silent(zmq::context_t& ctx, const std::string& endpoint, Ledger& ledger, int seed) {
  client::Client c(ctx, endpoint, {.timeout = 400ms, .attempts = 1});
  std::mt19937 rng(seed);
  for (;;) {
    const std::string id = c.next_request_id();
    const std::string req = protocol::encode_request(id, "town", core::IssueTicket{kServices[rng() % 7]});
    {
      std::lock_guard lock(ledger.mu);
      ledger.unacked[id] = req;
    }
    if (!c.send(req)) return;
    std::optional<protocol::DecodedReply> r;
    while (true) {
      r = c.receive(400ms);
      if (r && r->request_id == id) break;
      if (!r && ledger.killed) return;  // the engine is gone
    }
    ASSERT_TRUE(r->ok()) << r->message;
    record(ledger, id, *r);
    ++ledger.acks;
  }
}

TEST(CrashTest, KillNineUnderLoadLosesNothingAcknowledged) {
  TempDir dir;
  EngineProcess engine({kTown}, dir.path() + "/data");
  zmq::context_t ctx;
  Ledger ledger;
  std::mt19937 rng(20261124);
  constexpr int kRounds = 6;
  constexpr int kClients = 4;
  std::int64_t start_day = -1;
  auto config = config::load_hall_config(kTown);

  for (int round = 0; round < kRounds; ++round) {
    const int kill_after = ledger.acks + 50 + static_cast<int>(rng() % 400);
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i)
      clients.emplace_back(issue_until_silent, std::ref(ctx), engine.cmd(), std::ref(ledger),
                           round * 100 + i);
    // The acknowledgement count is the signal to kill; no timing involved.
    const auto guard = std::chrono::steady_clock::now() + 60s;
    while (ledger.acks < kill_after && std::chrono::steady_clock::now() < guard) std::this_thread::yield();
    const bool stalled = ledger.acks < kill_after;
    ledger.killed = true;
    engine.kill9();
    for (std::thread& t : clients) t.join();
    ASSERT_FALSE(stalled) << "clients stalled at " << ledger.acks << " acks";
    ledger.killed = false;
    engine.restart();

    // Retry every unanswered request with its own id: it was either applied
    // before the kill (and must come back as that very ticket) or not at all.
    client::Client c(ctx, engine.cmd());
    std::map<std::string, std::string> retry;
    {
      std::lock_guard lock(ledger.mu);
      retry.swap(ledger.unacked);
    }
    for (const auto& [id, req] : retry) {
      ASSERT_TRUE(c.send(req));
      std::optional<protocol::DecodedReply> r;
      while ((r = c.receive(5s)) && r->request_id != id) {
      }
      ASSERT_TRUE(r && r->ok()) << "retry of " << id;
      record(ledger, id, *r);
    }

    // The recovered hall holds exactly the acknowledged tickets, each under
    // the number it was acknowledged with.
    auto snap_reply = c.snapshot("town");
    ASSERT_TRUE(snap_reply && snap_reply->ok());
    protocol::DecodedSnapshot snap;
    ASSERT_TRUE(protocol::decode_snapshot(protocol::as_bytes(snap_reply->snapshot), snap).ok());
    core::Hall hall(snap.config, policy::find_policy("balanced"), &predict::default_predictor());
    hall.import_state(std::move(snap.state));
    if (start_day < 0) start_day = hall.day();
    if (hall.day() != start_day) GTEST_SKIP() << "the test ran across local midnight: numbering restarted";

    std::set<core::TicketId> acked_ids;
    std::lock_guard lock(ledger.mu);
    for (const auto& [id, issued] : ledger.acked) {
      const core::Ticket* t = hall.find_number(issued.number);
      ASSERT_NE(t, nullptr) << "acknowledged " << issued.number << " is lost (round " << round << ")";
      EXPECT_EQ(t->id, issued.ticket) << issued.number << " was issued twice";
      EXPECT_EQ(t->issued_at, issued.time) << issued.number;
      EXPECT_TRUE(acked_ids.insert(t->id).second) << "two requests got " << issued.number;
    }
    EXPECT_EQ(hall.tickets().size(), ledger.acked.size())
        << "tickets nobody asked for (round " << round << ")";
    std::set<std::string> numbers;
    for (const core::Ticket& t : hall.tickets()) EXPECT_TRUE(numbers.insert(hall.number_of(t)).second);
  }
  EXPECT_GE(ledger.acked.size(), static_cast<std::size_t>(kRounds * 50));
  RecordProperty("acknowledged", static_cast<int>(ledger.acked.size()));
}

}  // namespace
}  // namespace hallq::testing
