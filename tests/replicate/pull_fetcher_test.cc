// The pull consumer's fetches (engine/replicate/pull_fetcher.h) against the
// real cluster: short waits that give up while the server still sends leave
// messages queued, and the fetches after them still return at most their
// batch, every message once and in order (nats.c 3.4.1's own Fetch wrote past
// its list in this pattern: bench/README.md); a fetch that waits returns with
// the first message that comes; one that finds nothing returns empty; a
// request the server refuses is not asked again in a loop.
#include "engine/replicate/pull_fetcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/replicate/stream_setup.h"
#include "tests/replicate/replicate_fixture.h"

namespace hallq::replicate::test {
namespace {

using PullFetching = ReplicateTest;
using std::chrono::milliseconds;

// A pull consumer on one hall's subject, acknowledged message by message.
void make_consumer(NatsConnection& conn, const std::string& name, const std::string& subject) {
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = name.c_str();
  cc.FilterSubject = subject.c_str();
  cc.AckPolicy = js_AckExplicit;
  cc.AckWait = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::minutes(5)).count();
  cc.MaxAckPending = 100'000;
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_AddConsumer(&ci, conn.js(), kEventsStream, &cc, nullptr, &jerr);
  jsConsumerInfo_Destroy(ci);
  ASSERT_EQ(s, NATS_OK) << conn.describe(s, jerr);
}

// `n` events of `hall` (seq 1..n), published without waiting for each ack.
void publish_events(NatsConnection& conn, const std::string& hall, int n) {
  const std::string subject = "hallq.events." + hall;
  for (int i = 1; i <= n; ++i) {
    const std::string bytes = event_bytes(hall, static_cast<core::Seq>(i));
    ASSERT_EQ(
        js_PublishAsync(conn.js(), subject.c_str(), bytes.data(), static_cast<int>(bytes.size()), nullptr),
        NATS_OK);
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 60'000;
  ASSERT_EQ(js_PublishAsyncComplete(conn.js(), &po), NATS_OK);
}

TEST_F(PullFetching, ShortWaitsLeaveNothingBehindThatBreaksTheNext) {
  constexpr int kEvents = 3000, kBatch = 256;
  publish_events(engine(), "pullshort", kEvents);
  make_consumer(engine(), "pullshort-test", "hallq.events.pullshort");
  PullFetcher fetcher(engine(), kEventsStream, "pullshort-test");

  std::vector<std::uint64_t> seqs;
  int started_with_half = 0, biggest = 0;
  const auto take = [&](std::vector<StreamMessage> got) {
    EXPECT_LE(static_cast<int>(got.size()), kBatch);
    biggest = std::max(biggest, static_cast<int>(got.size()));
    for (StreamMessage& m : got) {
      EXPECT_EQ(m.hall, "pullshort");
      EXPECT_EQ(m.delivered, 1u) << "stream seq " << m.stream_seq << " delivered again";
      seqs.push_back(m.stream_seq);
      m.ack();
    }
    return static_cast<int>(got.size());
  };
  // A fetch of 1 ms gives up while its batch is still coming; the rest of
  // the batch then lies queued (waited for below) when the next fetch
  // starts: more than half a batch, the state nats.c 3.4.1's Fetch wrote
  // past its list in. Bounded: the whole subject comes in far fewer rounds.
  for (int round = 0; round < 200 && static_cast<int>(seqs.size()) < kEvents; ++round) {
    const std::uint64_t asked = fetcher.requests();
    const int got = take(fetcher.fetch(kBatch, milliseconds(1)));
    // A new request that brought less than half its batch in time.
    const int rest = std::min(kBatch, kEvents - static_cast<int>(seqs.size()));
    if (fetcher.requests() > asked && got < kBatch / 2 && rest > kBatch / 2) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (fetcher.queued() <= kBatch / 2 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(milliseconds(1));  // polling the queue, bounded above
      if (fetcher.queued() > kBatch / 2) ++started_with_half;
    }
    take(fetcher.fetch(kBatch, milliseconds(2000)));
  }
  ASSERT_EQ(static_cast<int>(seqs.size()), kEvents);
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end())) << "messages out of stream order";
  EXPECT_EQ(std::set<std::uint64_t>(seqs.begin(), seqs.end()).size(), seqs.size()) << "a message twice";
  // The pattern was there: fetches started with more than half a batch queued.
  EXPECT_GT(started_with_half, 3) << "the test did not exercise the pattern";
  EXPECT_EQ(biggest, kBatch);
  // Acknowledged: nothing is delivered again.
  EXPECT_TRUE(fetcher.fetch(kBatch, milliseconds(300)).empty());
}

TEST_F(PullFetching, AWaitingFetchReturnsWithTheFirstMessageThatComes) {
  make_consumer(engine(), "pullwait-test", "hallq.events.pullwait");
  PullFetcher fetcher(engine(), kEventsStream, "pullwait-test");
  const auto started = std::chrono::steady_clock::now();
  auto waiting = std::async(std::launch::async, [&] { return fetcher.fetch(100, std::chrono::seconds(60)); });
  publish_events(engine(), "pullwait", 1);
  std::vector<StreamMessage> got = waiting.get();
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].hall, "pullwait");
  got[0].ack();
  // Not its whole minute: it returned with the message.
  EXPECT_LT(took, std::chrono::seconds(30));
}

TEST_F(PullFetching, AFetchThatFindsNothingReturnsEmptyAfterItsWait) {
  make_consumer(engine(), "pullnone-test", "hallq.events.pullnone");
  PullFetcher fetcher(engine(), kEventsStream, "pullnone-test");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(fetcher.fetch(10, milliseconds(300)).empty());
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(300));
  // Asked at once (404: nothing), then waiting for the rest of the wait.
  EXPECT_EQ(fetcher.requests(), 2u);
}

// A request the server refuses with 409 (here: more than the consumer's
// MaxRequestBatch of 1) is not asked again within the fetch: each fetch
// waits out its wait, so a city view or feed fetching in a loop does not
// flood the cluster. (Before, each such fetch returned at once.)
TEST_F(PullFetching, ARefusedRequestIsNotAskedAgainInALoop) {
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = "pullrefused-test";
  cc.FilterSubject = "hallq.events.pullrefused";
  cc.AckPolicy = js_AckExplicit;
  cc.MaxRequestBatch = 1;
  jsConsumerInfo* ci = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_AddConsumer(&ci, engine().js(), kEventsStream, &cc, nullptr, &jerr);
  jsConsumerInfo_Destroy(ci);
  ASSERT_EQ(s, NATS_OK) << engine().describe(s, jerr);
  PullFetcher fetcher(engine(), kEventsStream, "pullrefused-test");
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(fetcher.fetch(10, milliseconds(200)).empty());
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(600)) << "a refused fetch did not wait";
  EXPECT_EQ(fetcher.requests(), 3u) << "asked again within a fetch";
}

}  // namespace
}  // namespace hallq::replicate::test
