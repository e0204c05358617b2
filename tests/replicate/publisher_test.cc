// Publishing committed events and reading them back: byte-identical, in
// order, once; fencing against a stale tail; the reader's refusals; a node of
// three killed while publishing; the stream's leader killed while publishing.
#include "engine/replicate/publisher.h"

#include <gtest/gtest.h>

#include <iostream>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/replicate/hall_reader.h"
#include "engine/replicate/stream_setup.h"
#include "tests/replicate/replicate_fixture.h"

namespace hallq::replicate::test {
namespace {

using Publishing = ReplicateTest;
using std::chrono::milliseconds;

struct Batch {
  std::vector<std::string> bytes;
  std::vector<OutEvent> events;
  // Events `from`..`to` of `hall` (texts make each event's bytes distinct).
  void add(const std::string& hall, core::Seq from, core::Seq to, const std::string& text = "通知") {
    for (core::Seq s = from; s <= to; ++s) bytes.push_back(event_bytes(hall, s, text + std::to_string(s)));
    events.clear();
    // Views into `bytes` are taken once all are added (the vector may move).
  }
  std::span<const OutEvent> view() {
    events.clear();
    for (const std::string& b : bytes) {
      const auto h = protocol::peek_event(protocol::as_bytes(b));
      events.push_back({h.hall, h.seq, b});
    }
    return events;
  }
};

std::vector<PublishOutcome> outcomes(const std::vector<PublishResult>& r) {
  std::vector<PublishOutcome> out;
  for (const auto& x : r) out.push_back(x.outcome);
  return out;
}

TEST_F(Publishing, StoresEveryEventOnceAndReadsBackTheSameBytes) {
  Publisher pub(engine());
  Batch first;
  first.add("pa", 1, 3);
  first.add("pb", 1, 1);
  const auto r1 = pub.publish(first.view());
  EXPECT_EQ(outcomes(r1), std::vector<PublishOutcome>(4, PublishOutcome::kStored));
  EXPECT_EQ(pub.rounds(), 3u) << "three events of one hall take three rounds, the other hall rides along";
  Batch second;
  second.add("pa", 4, 5);
  const auto r2 = pub.publish(second.view());
  EXPECT_EQ(outcomes(r2), std::vector<PublishOutcome>(2, PublishOutcome::kStored));
  EXPECT_LT(r1[2].stream_seq, r2[0].stream_seq);

  HallReader reader(engine(), "pa", {});
  std::vector<std::string> want = first.bytes;
  want.erase(want.begin() + 3);  // pb's
  want.insert(want.end(), second.bytes.begin(), second.bytes.end());
  for (std::size_t i = 0; i < want.size(); ++i) {
    auto got = reader.next(milliseconds(10'000));
    ASSERT_TRUE(got) << "event " << i + 1 << " not read back";
    EXPECT_EQ(got->seq, i + 1);
    EXPECT_EQ(got->bytes, want[i]) << "event " << i + 1 << " differs";
  }
  EXPECT_FALSE(reader.next(milliseconds(300)));
  EXPECT_TRUE(reader.refusals().empty());

  // A fresh publisher (an engine restarted) learns the tails from the stream.
  Publisher again(engine());
  auto t = again.tail("pa");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->hall_seq, 5u);
  EXPECT_EQ(t->stream_seq, r2[1].stream_seq);
  EXPECT_EQ(subject_count(engine(), subject_of("pa")), 5);
}

TEST_F(Publishing, ARetryOfAStoredEventIsStoredOnce) {
  // `late` learned the tail before `early` stored event 1, as an engine whose
  // acknowledgement was lost and which publishes the same event again.
  Publisher early(engine()), late(engine());
  ASSERT_TRUE(late.tail("dup"));
  Batch b;
  b.add("dup", 1, 2);
  EXPECT_EQ(outcomes(early.publish(b.view())), std::vector<PublishOutcome>(2, PublishOutcome::kStored));
  const auto again = late.publish(b.view());
  EXPECT_EQ(outcomes(again), std::vector<PublishOutcome>(2, PublishOutcome::kDuplicate)) << again[1].detail;
  EXPECT_EQ(subject_count(engine(), subject_of("dup")), 2);
  // And below a tail it knows, nothing is even sent.
  EXPECT_EQ(outcomes(early.publish(b.view())), std::vector<PublishOutcome>(2, PublishOutcome::kDuplicate));
  EXPECT_EQ(subject_count(engine(), subject_of("dup")), 2);
}

TEST_F(Publishing, AStaleTailIsFenced) {
  Publisher owner(engine()), stale(engine());
  Batch start;
  start.add("fence", 1, 1);
  ASSERT_EQ(outcomes(owner.publish(start.view())), std::vector<PublishOutcome>{PublishOutcome::kStored});
  ASSERT_EQ(stale.tail("fence")->hall_seq, 1u);
  // Another writer extends the subject (its own event 2, without this id).
  raw_publish(engine(), subject_of("fence"), event_bytes("fence", 2, "另一个引擎"));
  Batch mine;
  mine.add("fence", 2, 3, "本引擎");
  const auto r = stale.publish(mine.view());
  EXPECT_EQ(outcomes(r), std::vector<PublishOutcome>(2, PublishOutcome::kFenced));
  EXPECT_NE(r[0].detail.find("fence:2"), std::string::npos) << r[0].detail;
  EXPECT_EQ(subject_count(engine(), subject_of("fence")), 2);

  // The same event id with other bytes (two engines both at seq 2) is fenced too.
  Publisher other(engine());
  Batch rival;
  rival.add("fence2", 1, 1, "甲");
  ASSERT_TRUE(stale.tail("fence2"));
  ASSERT_EQ(outcomes(other.publish(rival.view())), std::vector<PublishOutcome>{PublishOutcome::kStored});
  Batch mine2;
  mine2.add("fence2", 1, 1, "乙");
  const auto r2 = stale.publish(mine2.view());
  EXPECT_EQ(outcomes(r2), std::vector<PublishOutcome>{PublishOutcome::kFenced});
  EXPECT_NE(r2[0].detail.find("another event under the same id"), std::string::npos) << r2[0].detail;
}

TEST_F(Publishing, AHallsFirstEventIsFencedToo) {
  Publisher stale(engine());
  ASSERT_EQ(stale.tail("first")->stream_seq, 0u);
  raw_publish(engine(), subject_of("first"), event_bytes("first", 1, "另一个引擎"));
  Batch mine;
  mine.add("first", 1, 1, "本引擎");
  EXPECT_EQ(outcomes(stale.publish(mine.view())), std::vector<PublishOutcome>{PublishOutcome::kFenced});
  EXPECT_EQ(subject_count(engine(), subject_of("first")), 1);
}

TEST_F(Publishing, AHoleAfterTheTailIsNotSent) {
  Publisher pub(engine());
  Batch b;
  b.add("hole", 2, 3);
  const auto r = pub.publish(b.view());
  EXPECT_EQ(outcomes(r), std::vector<PublishOutcome>(2, PublishOutcome::kGap));
  EXPECT_EQ(subject_count(engine(), subject_of("hole")), 0);
}

TEST_F(Publishing, AReaderCannotPublish) {
  auto reader = connect(cluster(), cluster().reader_credentials(), milliseconds(1500));
  Publisher pub(*reader);
  Batch b;
  b.add("ro", 1, 1);
  const auto r = pub.publish(b.view());
  EXPECT_EQ(outcomes(r), std::vector<PublishOutcome>{PublishOutcome::kUnavailable});
  EXPECT_EQ(subject_count(engine(), subject_of("ro")), 0);
}

TEST_F(Publishing, TheReaderRefusesWhatDoesNotVerifyOrFit) {
  Publisher pub(engine());
  Batch b;
  b.add("rd", 1, 2);
  ASSERT_EQ(outcomes(pub.publish(b.view())), std::vector<PublishOutcome>(2, PublishOutcome::kStored));
  raw_publish(engine(), subject_of("rd"), "not a flatbuffer at all");
  std::string corrupted = event_bytes("rd", 3);
  corrupted[corrupted.size() / 2] ^= 0x5a;
  corrupted.resize(corrupted.size() - 6);
  raw_publish(engine(), subject_of("rd"), corrupted);
  raw_publish(engine(), subject_of("rd"), event_bytes("other-hall", 3));
  raw_publish(engine(), subject_of("rd"), event_bytes("rd", 3));
  raw_publish(engine(), subject_of("rd"), event_bytes("rd", 5));  // a hole: 4 is missing
  raw_publish(engine(), subject_of("rd"), event_bytes("rd", 6));

  std::vector<std::string> logged;
  HallReader reader(engine(), "rd",
                    {.after = 1, .on_refused = [&](const std::string& w) { logged.push_back(w); }});
  auto e2 = reader.next(milliseconds(10'000));
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->seq, 2u) << "1 was held already";
  auto e3 = reader.next(milliseconds(10'000));
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->seq, 3u);
  EXPECT_EQ(e3->bytes, event_bytes("rd", 3));
  EXPECT_FALSE(reader.next(milliseconds(1500))) << "5 and 6 do not follow 3";
  ASSERT_EQ(reader.refusals().size(), 5u);
  EXPECT_EQ(logged, reader.refusals());
  EXPECT_NE(logged[0].find("not a hallq event"), std::string::npos) << logged[0];
  EXPECT_NE(logged[1].find("not a hallq event"), std::string::npos) << logged[1];
  EXPECT_NE(logged[2].find("an event of hall \"other-hall\""), std::string::npos) << logged[2];
  EXPECT_NE(logged[3].find("hall seq 5 does not follow 3"), std::string::npos) << logged[3];
  EXPECT_NE(logged[4].find("hall seq 6 does not follow 3"), std::string::npos) << logged[4];
  EXPECT_EQ(reader.last_seq(), 3u);
}

// A cluster of its own: one of its nodes is killed.
TEST(PublishingOneNodeDown, KeepsPublishingAndLosesNothing) {
  testing::NatsCluster cluster(3);
  auto conn = connect(cluster, cluster.engine_credentials(), milliseconds(2000));
  ensure_stream(*conn);
  Publisher pub(*conn);
  core::Seq next = 1;
  // Publishes events next..next+4 of hall "kn" until all are stored or the deadline.
  auto publish_five = [&]() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    const core::Seq last = next + 4;
    while (next <= last && std::chrono::steady_clock::now() < deadline) {
      Batch b;
      b.add("kn", next, last);
      for (const PublishResult& r : pub.publish(b.view())) {
        if (r.outcome == PublishOutcome::kStored || r.outcome == PublishOutcome::kDuplicate) {
          ++next;
        } else {
          ASSERT_EQ(r.outcome, PublishOutcome::kUnavailable) << r.detail;
          pub.forget("kn");  // learn the tail again: the lost acknowledgement may have been stored
          break;
        }
      }
    }
    ASSERT_GT(next, last) << "not all published within the deadline";
  };
  publish_five();
  // Kill the node this connection uses: the client moves to another one.
  // The URL is read once: after the kill the connection moves to another node.
  const std::string used = conn->url();
  int killed = 0;
  for (int i = 0; i < cluster.size(); ++i) {
    if (cluster.url(i) == used) {
      cluster.kill(i);
      ++killed;
    }
  }
  ASSERT_EQ(killed, 1) << used;
  publish_five();
  publish_five();
  EXPECT_EQ(subject_count(*conn, subject_of("kn")), 15);
  // Making a consumer may time out while the cluster re-places after the loss: retried, bounded.
  std::unique_ptr<HallReader> reader;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!reader && std::chrono::steady_clock::now() < deadline) {
    try {
      reader = std::make_unique<HallReader>(*conn, "kn", HallReader::Options{});
    } catch (const ReplicateError& e) {
      std::cerr << "retrying: " << e.what() << "\n";
    }
  }
  ASSERT_TRUE(reader);
  for (core::Seq s = 1; s <= 15; ++s) {
    auto got = reader->next(milliseconds(10'000));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->seq, s);
  }
  EXPECT_TRUE(reader->refusals().empty());
}

// The events stream's leader killed (SIGKILL) while a hall publishes, twice.
// The two others elect a new leader only after nats-server's Raft election
// timeout (a follower waits 4-9 s for a lost leader), and a request sent
// before that is never answered. The publisher keeps each request short
// (attempt_wait, here 200 ms) and sends again, so the event is stored soon
// after the election: within 1.5 s of the new leader's own log line. The
// previous publisher waited a whole request timeout (5 s) for the hall's tail
// after its first refusal ("no responders"), so it stored the event 0-5 s after
// the election (measured: 1.1 and 5.0 s).
TEST(PublishingLeaderLost, IsStoredSoonAfterTheNewLeaderIsElected) {
  using Clock = std::chrono::system_clock;
  testing::NatsCluster cluster(3);
  auto conn = connect(cluster, cluster.engine_credentials(), milliseconds(5000));
  ensure_stream(*conn);
  Publisher pub(*conn, "HALLQ_EVENTS", milliseconds(200));
  core::Seq next = 1;
  // Publishes event `next` of hall "ll" until it is stored (bounded); when.
  const auto publish_one = [&]() -> std::optional<Clock::time_point> {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    Batch b;
    b.add("ll", next, next);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::vector<PublishResult> r = pub.publish(b.view());
      if (r.at(0).outcome == PublishOutcome::kStored || r.at(0).outcome == PublishOutcome::kDuplicate) {
        ++next;
        return Clock::now();
      }
      EXPECT_EQ(r.at(0).outcome, PublishOutcome::kUnavailable) << r.at(0).detail;
    }
    return std::nullopt;
  };
  ASSERT_TRUE(publish_one());
  for (int round = 0; round < 2; ++round) {
    std::string leader;
    jsStreamInfo* si = nullptr;
    ASSERT_EQ(js_GetStreamInfo(&si, conn->js(), "HALLQ_EVENTS", nullptr, nullptr), NATS_OK);
    if (si->Cluster != nullptr && si->Cluster->Leader != nullptr) leader = si->Cluster->Leader;
    jsStreamInfo_Destroy(si);
    ASSERT_EQ(leader.size(), 2u) << "the stream names no leader";
    const int killed = std::stoi(leader.substr(1)) - 1;  // servers are n1, n2, n3
    const auto killed_at = Clock::now();
    cluster.kill(killed);
    const std::optional<Clock::time_point> stored = publish_one();
    ASSERT_TRUE(stored) << "not stored within 40 s of killing the leader";
    std::optional<Clock::time_point> elected;
    for (int i = 0; i < cluster.size(); ++i) {
      const auto t = i == killed ? std::nullopt : cluster.leader_logged(i, "HALLQ_EVENTS");
      if (t && *t > killed_at && (!elected || *t > *elected)) elected = t;
    }
    ASSERT_TRUE(elected) << "no node logged becoming the stream's leader after the kill";
    const auto ms = [](Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); };
    std::cout << "killed the stream's leader n" << killed + 1 << ": new leader after "
              << ms(*elected - killed_at) << " ms, stored " << ms(*stored - *elected)
              << " ms after the election\n";
    EXPECT_LT(ms(*stored - *elected), 1500) << "a request sent before the election was waited out";
    cluster.start(killed);
    ASSERT_TRUE(cluster.wait_ready());
    ASSERT_TRUE(publish_one());  // the cluster whole again
  }
  EXPECT_EQ(subject_count(*conn, subject_of("ll")), static_cast<long>(next - 1));
}

}  // namespace
}  // namespace hallq::replicate::test
