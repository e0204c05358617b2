// The engine's application layer with a real LMDB store in a temporary
// directory, no sockets: batches, replies, publications, duplicates,
// recovery, snapshots and storage failure.
#include "engine/server/engine.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/config/config_loader.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace hallq::server {
namespace {

using testing::TempDir;

using core::ErrorCode;

// 2026-03-02 09:00 in Beijing.
constexpr core::TimeUs kMorning = 1'772'413'200LL * core::kUsPerSecond;
const char* const kServices[] = {"social", "estate", "business", "police", "civil", "consult", "tax"};

std::shared_ptr<const core::HallConfig> town() {
  return config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml");
}

protocol::DecodedReply decode(const std::string& bytes) {
  EXPECT_EQ(protocol::inspect(protocol::as_bytes(bytes)), protocol::MessageKind::kReply);
  return protocol::decode_reply(protocol::as_bytes(bytes));
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }

  void open(std::size_t map_size = 1ull << 30, EngineOptions options = {}, const std::string& name = "data") {
    engine_.reset();
    store_.reset();
    store_ = std::make_unique<store::EventStore>(
        store::StoreOptions{.dir = dir_.path() + "/" + name, .map_size = map_size});
    engine_ = std::make_unique<Engine>(std::vector{town()}, *store_, options);
  }

  // Sends one command as its own batch.
  protocol::DecodedReply send(const core::CommandBody& cmd, std::string request_id = {},
                              core::TimeUs at = 0) {
    const std::string bytes = protocol::encode_request(request_id, "town", cmd);
    engine_->handle(protocol::as_bytes(bytes), at ? at : now_);
    engine_->commit();
    engine_->maintain();  // as the server does once the replies are out
    EXPECT_EQ(engine_->replies().size(), 1u);
    return decode(engine_->replies().at(0));
  }

  protocol::EventSummary event(const protocol::DecodedReply& r, std::size_t i = 0) {
    return protocol::describe_event(protocol::as_bytes(r.events.at(i)));
  }

  std::string snapshot_of(const core::Hall& hall) { return protocol::encode_snapshot(hall, 0, true); }

  TempDir dir_;
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<Engine> engine_;
  core::TimeUs now_ = kMorning;
};

TEST_F(EngineTest, IssueRepliesWithTheEventAndPublishesIt) {
  auto r = send(core::IssueTicket{"social"});
  ASSERT_TRUE(r.ok()) << r.message;
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(event(r).kind, "ticket_issued");
  EXPECT_EQ(event(r).number, "A001");
  EXPECT_EQ(event(r).seq, 1u);
  ASSERT_EQ(engine_->publications().size(), 1u);
  EXPECT_EQ(engine_->publications()[0].topic, protocol::topic_of("town"));
  EXPECT_EQ(engine_->publications()[0].bytes, r.events[0]);
  EXPECT_EQ(store_->last_seq("town"), 1u);
  EXPECT_EQ(*store_->read_event("town", 1), r.events[0]);
}

TEST_F(EngineTest, RefusalChangesNothingAndIsNotStored) {
  auto r = send(core::CallNext{"w1"});
  EXPECT_EQ(r.code, ErrorCode::kWindowClosed);
  EXPECT_FALSE(r.message.empty());
  EXPECT_TRUE(r.events.empty());
  EXPECT_TRUE(engine_->publications().empty());
  EXPECT_EQ(store_->last_seq("town"), 0u);
  EXPECT_EQ(engine_->hall("town")->seq(), 0u);
}

TEST_F(EngineTest, GarbageGetsAnErrorReplyAndTheEngineKeepsServing) {
  const std::string garbage = "definitely not a flatbuffer";
  const std::string huge(protocol::kMaxRequestBytes + 1, 'x');
  const std::string unknown_hall = protocol::encode_request("r1", "nohall", core::IssueTicket{"social"});
  const std::string good = protocol::encode_request("r2", "town", core::IssueTicket{"social"});
  std::string truncated = good.substr(0, good.size() / 2);
  for (const std::string* b :
       std::vector<const std::string*>{&garbage, &huge, &truncated, &unknown_hall, &good})
    engine_->handle(protocol::as_bytes(*b), now_);
  engine_->commit();
  ASSERT_EQ(engine_->replies().size(), 5u);
  EXPECT_EQ(decode(engine_->replies()[0]).code, ErrorCode::kMalformed);
  EXPECT_EQ(decode(engine_->replies()[1]).code, ErrorCode::kTooLarge);
  EXPECT_EQ(decode(engine_->replies()[2]).code, ErrorCode::kMalformed);
  EXPECT_EQ(decode(engine_->replies()[3]).code, ErrorCode::kUnknownHall);
  EXPECT_TRUE(decode(engine_->replies()[4]).ok());
  EXPECT_EQ(engine_->counters().malformed, 3u);
  EXPECT_EQ(store_->last_seq("town"), 1u);
}

TEST_F(EngineTest, OneBatchIsOneTransactionAndRepliesKeepOrder) {
  std::vector<std::string> requests;
  for (int i = 0; i < 50; ++i)
    requests.push_back(protocol::encode_request("", "town", core::IssueTicket{"tax"}));
  for (const std::string& r : requests) engine_->handle(protocol::as_bytes(r), now_);
  engine_->commit();
  ASSERT_EQ(engine_->replies().size(), 50u);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(event(decode(engine_->replies()[i])).number, fmt::format("G{:03}", i + 1));
  EXPECT_EQ(engine_->counters().batches, 1u);
  EXPECT_EQ(engine_->publications().size(), 50u);
}

TEST_F(EngineTest, RepeatedRequestIdIsAnsweredWithTheFirstOutcome) {
  auto first = send(core::IssueTicket{"social"}, "kiosk-1-17");
  auto again = send(core::IssueTicket{"social"}, "kiosk-1-17");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.events, first.events);
  EXPECT_TRUE(engine_->publications().empty());
  EXPECT_EQ(engine_->hall("town")->seq(), 1u);

  // Within one batch too: the second copy is answered from the pending batch.
  const std::string req = protocol::encode_request("kiosk-1-18", "town", core::IssueTicket{"social"});
  engine_->handle(protocol::as_bytes(req), now_);
  engine_->handle(protocol::as_bytes(req), now_);
  engine_->commit();
  const auto a = decode(engine_->replies()[0]), b = decode(engine_->replies()[1]);
  EXPECT_EQ(a.events, b.events);
  EXPECT_TRUE(b.duplicate);
  EXPECT_EQ(event(a).number, "A002");
}

TEST_F(EngineTest, PipelinedBatchLeavesOnlyOnceWrittenAndInOrder) {
  const std::string a = protocol::encode_request("a", "town", core::IssueTicket{"social"});
  const std::string b = protocol::encode_request("b", "town", core::IssueTicket{"social"});
  const std::string snap = protocol::encode_snapshot_request("s", "town");
  engine_->handle(protocol::as_bytes(a), now_);
  engine_->seal();
  ASSERT_TRUE(engine_->in_flight());
  // The next batch gathers on top of the sealed one: a retry of `a`, a new
  // command, a snapshot of the state after both.
  engine_->handle(protocol::as_bytes(a), now_);
  engine_->handle(protocol::as_bytes(b), now_);
  engine_->handle(protocol::as_bytes(snap), now_);
  EXPECT_EQ(engine_->open_requests(), 3u);
  while (!engine_->complete()) engine_->wait_durable();
  ASSERT_EQ(engine_->replies().size(), 1u);  // only the sealed batch's
  const auto first = decode(engine_->replies()[0]);
  EXPECT_EQ(event(first).number, "A001");
  ASSERT_EQ(engine_->publications().size(), 1u);
  EXPECT_EQ(engine_->publications()[0].bytes, first.events[0]);
  EXPECT_EQ(store_->last_seq("town"), 1u);
  EXPECT_EQ(engine_->heartbeats(now_)[0].bytes,
            protocol::encode_heartbeat({"town", 1, engine_->epoch(), now_}));  // what is durable

  engine_->seal();
  while (!engine_->complete()) engine_->wait_durable();
  ASSERT_EQ(engine_->replies().size(), 3u);
  const auto again = decode(engine_->replies()[0]);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.events, first.events);
  EXPECT_EQ(event(decode(engine_->replies()[1])).number, "A002");
  const auto s = protocol::decode_reply(protocol::as_bytes(engine_->replies()[2]));
  protocol::DecodedSnapshot state;
  ASSERT_TRUE(protocol::decode_snapshot(protocol::as_bytes(s.snapshot), state).ok());
  EXPECT_EQ(state.seq, 2u);
  EXPECT_EQ(store_->last_seq("town"), 2u);
  EXPECT_FALSE(engine_->in_flight());
  EXPECT_FALSE(engine_->has_open());
}

TEST_F(EngineTest, ALoneRequestWrittenHereIsDurableWhenSealReturns) {
  const std::string a = protocol::encode_request("a", "town", core::IssueTicket{"social"});
  engine_->handle(protocol::as_bytes(a), now_);
  engine_->seal(/*commit_here=*/true);
  // Written on this thread: in the store before anything is asked of the commit thread.
  EXPECT_EQ(store_->last_seq("town"), 1u);
  ASSERT_TRUE(engine_->complete());
  ASSERT_EQ(engine_->replies().size(), 1u);
  EXPECT_EQ(event(decode(engine_->replies()[0])).number, "A001");
  ASSERT_EQ(engine_->publications().size(), 1u);
  EXPECT_FALSE(engine_->in_flight());

  // The next lone request while a batch is still in flight on the commit
  // thread goes to the thread, behind it, in order.
  const std::string b = protocol::encode_request("b", "town", core::IssueTicket{"social"});
  const std::string c = protocol::encode_request("c", "town", core::IssueTicket{"social"});
  engine_->handle(protocol::as_bytes(b), now_);
  engine_->seal();
  engine_->handle(protocol::as_bytes(c), now_);
  while (!engine_->complete()) engine_->wait_durable();
  engine_->seal(/*commit_here=*/true);
  while (!engine_->complete()) engine_->wait_durable();
  EXPECT_EQ(event(decode(engine_->replies()[0])).number, "A003");
  EXPECT_EQ(store_->last_seq("town"), 3u);
  // And a retry of `a` is still answered from the store, with the first answer.
  engine_->handle(protocol::as_bytes(a), now_);
  engine_->seal(/*commit_here=*/true);
  while (!engine_->complete()) engine_->wait_durable();
  const auto again = decode(engine_->replies()[0]);
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(event(again).number, "A001");
}

TEST_F(EngineTest, RecoveryRestoresStateAndRequestMemory) {
  send(core::OpenWindow{"w1", ""});
  send(core::IssueTicket{"social"}, "k-1");
  send(core::IssueTicket{"social", core::Priority::kPriority}, "k-2");
  send(core::CallNext{"w1"});
  send(core::StartService{"w1"});
  send(core::Finish{"w1"});
  send(core::Evaluate{"A002", 4, ""});
  const std::string before = snapshot_of(*engine_->hall("town"));
  const auto first = send(core::IssueTicket{"civil"}, "k-3");

  open();  // a new engine on the same store, as after a crash
  auto again = send(core::IssueTicket{"civil"}, "k-3");
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.events, first.events);
  auto next = send(core::IssueTicket{"civil"});
  EXPECT_EQ(event(next).number, "E002");
  const core::Hall& hall = *engine_->hall("town");
  EXPECT_EQ(hall.find_number("A002")->rating, 4);
  EXPECT_EQ(hall.window(0).state, core::WindowState::kOpen);
  EXPECT_EQ(hall.seq(), 9u);
  (void)before;
}

TEST_F(EngineTest, RecoveryFromSnapshotPlusEventsEqualsFullReplay) {
  open(1ull << 30, EngineOptions{.snapshot_every = 7, .snapshot_per_ticket = 0});
  send(core::OpenWindow{"w1", ""});
  send(core::OpenWindow{"w4", ""});
  for (int i = 0; i < 30; ++i) {
    send(core::IssueTicket{i % 2 ? "social" : "estate"}, fmt::format("r{}", i));
    if (i % 3 == 0) {
      send(core::CallNext{i % 2 ? "w1" : "w4"});
    }
  }
  ASSERT_TRUE(store_->latest_snapshot("town").has_value());
  EXPECT_GT(store_->latest_snapshot("town")->seq, 0u);
  EXPECT_GE(engine_->counters().snapshots, 3u);
  const std::string live = snapshot_of(*engine_->hall("town"));
  open(1ull << 30, EngineOptions{.snapshot_every = 7, .snapshot_per_ticket = 0});
  EXPECT_EQ(snapshot_of(*engine_->hall("town")), live);
  // And request memory survived across the snapshot: r3 was before it.
  auto dup = send(core::IssueTicket{"social"}, "r3");
  EXPECT_TRUE(dup.duplicate);
}

// A quiet hall never reaches the event count: the time trigger still stores
// a snapshot once the interval has passed since the last (or the start), so
// a restart replays at most that much of the day.
TEST_F(EngineTest, ATimeTriggerSnapshotsAQuietHall) {
  open(1ull << 30, EngineOptions{.snapshot_every = 1'000'000'000,
                                 .snapshot_interval = 60 * core::kUsPerSecond,
                                 .snapshot_bytes = 0});
  send(core::IssueTicket{"tax"});
  send(core::IssueTicket{"tax"}, "", kMorning + 59 * core::kUsPerSecond);
  EXPECT_FALSE(store_->latest_snapshot("town").has_value()) << "within the interval";
  send(core::IssueTicket{"tax"}, "", kMorning + 61 * core::kUsPerSecond);
  ASSERT_TRUE(store_->latest_snapshot("town").has_value()) << "the interval has passed";
  EXPECT_EQ(store_->latest_snapshot("town")->seq, 3u);
  send(core::IssueTicket{"tax"}, "", kMorning + 90 * core::kUsPerSecond);
  EXPECT_EQ(store_->latest_snapshot("town")->seq, 3u) << "the interval starts again at the snapshot";
  send(core::IssueTicket{"tax"}, "", kMorning + 122 * core::kUsPerSecond);
  EXPECT_EQ(store_->latest_snapshot("town")->seq, 5u);
}

// Large events count by their size: a snapshot is stored once the events
// since the last reach `snapshot_bytes` (summed here from the stored events,
// not from the engine's count).
TEST_F(EngineTest, ASizeTriggerSnapshotsOnceTheEventsReachTheBytes) {
  constexpr std::uint64_t kBytes = 3000;
  open(1ull << 30,
       EngineOptions{.snapshot_every = 1'000'000'000, .snapshot_interval = 0, .snapshot_bytes = kBytes});
  for (int i = 0; i < 100 && !store_->latest_snapshot("town"); ++i)
    send(core::SetNotice{std::string(200, 'x') + std::to_string(i)});
  ASSERT_TRUE(store_->latest_snapshot("town").has_value());
  const std::uint64_t at = store_->latest_snapshot("town")->seq;
  std::uint64_t before = 0, through = 0;
  store_->for_each_event("town", 1, [&](std::uint64_t seq, std::string_view bytes) {
    if (seq < at) before += bytes.size();
    if (seq <= at) through += bytes.size();
    return seq < at;
  });
  EXPECT_GE(through, kBytes);
  EXPECT_LT(before, kBytes) << "stored the first time the bytes were reached";
}

TEST_F(EngineTest, CheckpointMakesRestartReplayNothing) {
  for (int i = 0; i < 10; ++i) send(core::IssueTicket{"tax"});
  engine_->checkpoint();
  EXPECT_EQ(store_->latest_snapshot("town")->seq, 10u);
  const std::string live = snapshot_of(*engine_->hall("town"));
  open();
  EXPECT_EQ(snapshot_of(*engine_->hall("town")), live);
}

TEST_F(EngineTest, TickAcrossMidnightRollsTheDayAndPublishesIt) {
  send(core::IssueTicket{"social"});
  const core::TimeUs next_morning = kMorning + core::kUsPerDay;
  engine_->tick(next_morning);
  engine_->commit();
  EXPECT_TRUE(engine_->replies().empty());
  ASSERT_EQ(engine_->publications().size(), 1u);
  EXPECT_EQ(protocol::describe_event(protocol::as_bytes(engine_->publications()[0].bytes)).kind,
            "day_rolled");
  auto r = send(core::IssueTicket{"social"}, "", next_morning);
  EXPECT_EQ(event(r).number, "A001");
  // Yesterday's expired ticket is gone from memory (the log keeps it); A001 is today's.
  EXPECT_EQ(engine_->hall("town")->find_ticket(1), nullptr);
  EXPECT_EQ(engine_->hall("town")->find_number("A001")->id, 2u);
}

// Tidal windows end to end in the engine: the minute tick finds social far
// over the 20-minute target, publishes one advisory (and not the same one
// again a minute later), and a manager's acceptance changes the window.
TEST_F(EngineTest, TickAdvisesATidalWindowAndAcceptingItChangesTheWindow) {
  ASSERT_TRUE(send(core::OpenWindow{"w1", ""}).ok());
  ASSERT_TRUE(send(core::OpenWindow{"w5", ""}).ok());  // estate, nobody waiting for it
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(send(core::IssueTicket{"social"}).ok());
  const core::Seq before = engine_->hall("town")->seq();

  const core::TimeUs t1 = now_ + 61 * core::kUsPerSecond;
  engine_->tick(t1);
  engine_->commit();
  ASSERT_EQ(engine_->publications().size(), 1u);
  const protocol::EventSummary advice =
      protocol::describe_event(protocol::as_bytes(engine_->publications()[0].bytes));
  ASSERT_EQ(advice.kind, "advisory_issued");
  EXPECT_EQ(advice.seq, before + 1);
  EXPECT_EQ(advice.service, "social");
  EXPECT_GT(advice.wait_before_s, 20 * 60);
  EXPECT_LT(advice.wait_after_s, advice.wait_before_s);
  EXPECT_EQ(store_->last_seq("town"), before + 1) << "advisories are stored like any event";

  engine_->tick(t1 + 61 * core::kUsPerSecond);
  engine_->commit();
  EXPECT_TRUE(engine_->publications().empty()) << "the same advice is not repeated while open";

  auto r = send(core::AcceptAdvisory{advice.advisory, ""}, "", t1 + 2 * 61 * core::kUsPerSecond);
  ASSERT_TRUE(r.ok()) << r.message;
  const protocol::EventSummary changed = event(r, r.events.size() - 1);
  EXPECT_EQ(changed.kind, "window_skills_changed");
  EXPECT_EQ(changed.window, advice.window);
  EXPECT_EQ(changed.advisory, advice.advisory);
  EXPECT_EQ(changed.serves, advice.serves);
  const core::Hall& hall = *engine_->hall("town");
  const auto w = hall.config().find_window(advice.window);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(core::skill_level(hall.window(*w), *hall.config().find_service("social")), 1);
  EXPECT_EQ(send(core::AcceptAdvisory{advice.advisory, ""}).code, ErrorCode::kUnknownAdvisory)
      << "accepted once";
}

TEST_F(EngineTest, HeartbeatsNameEveryHallsLastCommittedSequence) {
  send(core::IssueTicket{"social"});
  const auto hbs = engine_->heartbeats(now_);
  ASSERT_EQ(hbs.size(), 1u);
  ASSERT_EQ(protocol::inspect(protocol::as_bytes(hbs[0].bytes)), protocol::MessageKind::kHeartbeat);
  const auto hb = protocol::decode_heartbeat(protocol::as_bytes(hbs[0].bytes));
  EXPECT_EQ(hb.hall, "town");
  EXPECT_EQ(hb.seq, 1u);
  EXPECT_EQ(hb.epoch, engine_->epoch());
}

TEST_F(EngineTest, SnapshotRequestNamesTheSequenceItReflects) {
  send(core::IssueTicket{"social"});
  send(core::IssueTicket{"social"});
  const std::string req = protocol::encode_snapshot_request("s1", "town");
  engine_->handle(protocol::as_bytes(req), now_);
  engine_->commit();
  const auto r = decode(engine_->replies()[0]);
  ASSERT_TRUE(r.ok());
  protocol::DecodedSnapshot snap;
  ASSERT_EQ(protocol::inspect(protocol::as_bytes(r.snapshot)), protocol::MessageKind::kSnapshot);
  ASSERT_TRUE(protocol::decode_snapshot(protocol::as_bytes(r.snapshot), snap).ok());
  EXPECT_EQ(snap.seq, 2u);
  EXPECT_EQ(snap.epoch, engine_->epoch());
  EXPECT_TRUE(snap.state.requests.empty());  // request memory stays in the engine
}

TEST_F(EngineTest, StorageFailureRefusesTheBatchAndRollsMemoryBack) {
  open(1 << 20, EngineOptions{.max_map_size = 1 << 20}, "tiny");  // 1 MiB, never grown
  send(core::OpenWindow{"w1", ""});
  // Batches of 200 tickets until a commit fails.
  int accepted = 0, batch = 0;
  ErrorCode failure = ErrorCode::kOk;
  std::vector<std::string> requests;
  while (failure == ErrorCode::kOk && batch < 1000) {
    requests.clear();
    for (int i = 0; i < 200; ++i) {
      requests.push_back(protocol::encode_request(fmt::format("fill-{}-{}", batch, i), "town",
                                                  core::IssueTicket{kServices[i % 7]}));
    }
    for (const std::string& r : requests) engine_->handle(protocol::as_bytes(r), now_);
    engine_->commit();
    for (const std::string& r : engine_->replies()) {
      const auto reply = decode(r);
      if (reply.ok()) {
        ++accepted;
      } else {
        failure = reply.code;
        EXPECT_NE(reply.message.find("存储失败"), std::string::npos) << reply.message;
      }
    }
    ++batch;
  }
  ASSERT_EQ(failure, ErrorCode::kStorage);
  EXPECT_GT(accepted, 200);
  EXPECT_EQ(accepted % 200, 0) << "a failed batch is refused as a whole";
  EXPECT_EQ(engine_->counters().storage_failures, 1u);
  EXPECT_TRUE(engine_->publications().empty());
  // Memory equals the store: the failed batch's tickets do not exist, reads still work.
  const core::Hall& hall = *engine_->hall("town");
  EXPECT_EQ(hall.seq(), store_->last_seq("town"));
  EXPECT_EQ(hall.waiting_total(), static_cast<std::size_t>(accepted));
  const std::string req = protocol::encode_snapshot_request("s", "town");
  engine_->handle(protocol::as_bytes(req), now_);
  engine_->commit();
  EXPECT_TRUE(decode(engine_->replies()[0]).ok());
  // A retry of a refused request is not a duplicate: it was never applied.
  const std::string retry =
      protocol::encode_request(fmt::format("fill-{}-0", batch - 1), "town", core::IssueTicket{"social"});
  engine_->handle(protocol::as_bytes(retry), now_);
  engine_->commit();
  EXPECT_FALSE(decode(engine_->replies()[0]).duplicate);
  const std::string live = snapshot_of(hall);
  open(1 << 20, EngineOptions{.max_map_size = 1 << 20}, "tiny");
  EXPECT_EQ(snapshot_of(*engine_->hall("town")), live);
}

// An audit record goes into the batch of the request it follows: one
// transaction writes both. Its entry in replies() is empty once durable, the
// storage problem if the commit failed (then neither is stored).
TEST_F(EngineTest, AnAuditRecordIsCommittedWithItsRequestsEvents) {
  open(1 << 20, EngineOptions{.max_map_size = 1 << 20}, "tiny");  // 1 MiB, never grown
  const auto outcome_record = [](const core::Status& outcome) {
    return outcome.ok() ? std::string("ok") : std::string(core::to_string(outcome.code()));
  };
  const std::string open_w1 = protocol::encode_request("a1", "town", core::OpenWindow{"w1", ""});
  const std::string close_w2 = protocol::encode_request("a2", "town", core::CloseWindow{"w2"});
  engine_->handle_audited(protocol::as_bytes(open_w1), now_, outcome_record);
  engine_->handle_audited(protocol::as_bytes(close_w2), now_, outcome_record);  // refused: not open
  engine_->handle_audit("login");
  const std::uint64_t commits = store_->stats().commits;
  engine_->commit();
  ASSERT_EQ(engine_->replies().size(), 5u);
  EXPECT_TRUE(decode(engine_->replies()[0]).ok());
  EXPECT_EQ(engine_->replies()[1], "");
  EXPECT_FALSE(decode(engine_->replies()[2]).ok());
  EXPECT_EQ(engine_->replies()[3], "");
  EXPECT_EQ(engine_->replies()[4], "");
  EXPECT_EQ(store_->stats().commits, commits + 1);
  std::vector<std::string> records;
  const auto read_records = [&] {
    records.clear();
    store_->for_each_audit(1, [&](std::uint64_t, std::string_view r) {
      records.emplace_back(r);
      return true;
    });
  };
  read_records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0], "ok");
  EXPECT_NE(records[1], "ok");
  EXPECT_EQ(records[2], "login");

  // A record too large for the map fails the commit: the ticket goes too.
  const std::uint64_t seq = store_->last_seq("town");
  const std::string issue = protocol::encode_request("a3", "town", core::IssueTicket{"social"});
  engine_->handle_audited(protocol::as_bytes(issue), now_,
                          [](const core::Status&) { return std::string(2u << 20, 'r'); });
  engine_->commit();
  ASSERT_EQ(engine_->replies().size(), 2u);
  EXPECT_EQ(decode(engine_->replies()[0]).code, ErrorCode::kStorage);
  EXPECT_FALSE(engine_->replies()[1].empty());
  EXPECT_EQ(engine_->replies()[1], engine_->storage_problem());
  EXPECT_EQ(store_->last_seq("town"), seq);
  EXPECT_EQ(engine_->hall("town")->seq(), seq);
  read_records();
  EXPECT_EQ(records.size(), 3u);
}

TEST_F(EngineTest, AFullMapIsGrownAndNothingIsRefused) {
  open(1 << 20, EngineOptions{.max_map_size = 64 << 20}, "growing");
  std::vector<std::string> requests;
  for (int batch = 0; batch < 40; ++batch) {
    requests.clear();
    for (int i = 0; i < 200; ++i)
      requests.push_back(protocol::encode_request("", "town", core::IssueTicket{kServices[i % 7]}));
    for (const std::string& r : requests) engine_->handle(protocol::as_bytes(r), now_);
    engine_->commit();
    for (const std::string& r : engine_->replies()) ASSERT_TRUE(decode(r).ok());
  }
  EXPECT_GE(engine_->counters().map_growths, 1u);
  EXPECT_EQ(store_->last_seq("town"), 8000u);
}

TEST_F(EngineTest, UnknownPolicyIsAStartUpError) {
  auto config = std::make_shared<core::HallConfig>(*town());
  config->rules.policy = "fastest";
  ASSERT_FALSE(config->validate_and_index());
  store::EventStore other({.dir = dir_.path() + "/other"});
  try {
    Engine e({config}, other);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("fastest"), std::string::npos);
  }
}

TEST_F(EngineTest, AConfigThatLostAWindowInUseIsRefusedAtStart) {
  send(core::OpenWindow{"w12", ""});
  engine_.reset();
  auto config = std::make_shared<core::HallConfig>(*town());
  config->windows.pop_back();  // w12
  ASSERT_FALSE(config->validate_and_index());
  EXPECT_THROW(Engine({config}, *store_), core::CorruptionError);
}

}  // namespace
}  // namespace hallq::server

namespace hallq::server {
namespace {

// A standby's engine (hallqd --standby): events its owner committed are
// added as if committed here: stored, published, folded into the very same
// state, remembered by request id; one that does not fit is refused with
// nothing changed; a followed hall is not ticked.
TEST_F(EngineTest, FollowedEventsAreStoredPublishedAndRememberedLikeTheOwners) {
  send(core::OpenWindow{"w1", ""});
  const auto issued = send(core::IssueTicket{"social"}, "k-1");
  send(core::CallNext{"w1"}, "c-1");
  std::vector<std::string> owned;  // the owner's events, as stored
  store_->for_each_event("town", 1, [&](std::uint64_t, std::string_view bytes) {
    owned.emplace_back(bytes);
    return true;
  });
  ASSERT_GE(owned.size(), 3u);

  store::EventStore standby_store({.dir = dir_.path() + "/standby", .map_size = 1ull << 30});
  Engine standby(std::vector{town()}, standby_store);
  standby.set_following("town", true);
  EXPECT_TRUE(standby.following("town"));
  standby.tick(now_ + 3 * core::kUsPerDay);  // a new day: the owner's events say so, not the standby's clock
  EXPECT_FALSE(standby.has_open());

  EXPECT_FALSE(standby.follow("town", owned[1]).ok()) << "seq 2 before seq 1";
  EXPECT_FALSE(standby.follow("town", "not an event").ok());
  EXPECT_FALSE(standby.follow("district", owned[0]).ok());
  EXPECT_EQ(standby.hall("town")->seq(), 0u);
  EXPECT_FALSE(standby.has_open());
  for (const std::string& e : owned) ASSERT_TRUE(standby.follow("town", e).ok());
  EXPECT_FALSE(standby.follow("town", owned.back()).ok()) << "the same event twice";
  standby.commit();
  ASSERT_EQ(standby.publications().size(), owned.size());
  for (std::size_t i = 0; i < owned.size(); ++i) EXPECT_EQ(standby.publications()[i].bytes, owned[i]);
  EXPECT_EQ(standby_store.last_seq("town"), owned.size());
  EXPECT_EQ(standby_store.read_event("town", 2).value_or(""), owned[1]);

  // Taken over: the last command followed is remembered too.
  standby.set_following("town", false);
  EXPECT_EQ(snapshot_of(*standby.hall("town")), snapshot_of(*engine_->hall("town")));
  for (const char* id : {"k-1", "c-1"}) {
    const std::string req = protocol::encode_request(id, "town", core::IssueTicket{"social"});
    standby.handle(protocol::as_bytes(req), now_);
    standby.commit();
    const auto again = decode(standby.replies().at(0));
    EXPECT_TRUE(again.duplicate) << id;
    if (std::string(id) == "k-1") {
      EXPECT_EQ(again.events, issued.events);
    }
  }
  EXPECT_EQ(standby.hall("town")->seq(), owned.size());
}

}  // namespace
}  // namespace hallq::server
