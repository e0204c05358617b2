// The resume position of a hall's reader in a stream shared with other
// halls: for every sequence the hall holds, the stream sequence of its next
// event, as an ordered consumer reading the subject from its start sees it;
// past the last event, one past the stream's last message.
#include "engine/replicate/subject_position.h"

#include <gtest/gtest.h>

#include <map>

#include "engine/replicate/hall_reader.h"
#include "engine/replicate/publisher.h"
#include "engine/replicate/stream_setup.h"
#include "tests/replicate/replicate_fixture.h"

namespace hallq::replicate::test {
namespace {

using namespace std::chrono_literals;

using SubjectPosition = ReplicateTest;

TEST_F(SubjectPosition, FindsTheNextEventAmongOtherHalls) {
  Publisher pub(engine());
  // pos-a and pos-b interleaved unevenly: a1 b1 b2 a2 b3 a3 a4 b4 ...
  const std::vector<std::pair<std::string, core::Seq>> order{
      {"pos-a", 1}, {"pos-b", 1}, {"pos-b", 2}, {"pos-a", 2}, {"pos-b", 3}, {"pos-a", 3},
      {"pos-a", 4}, {"pos-b", 4}, {"pos-b", 5}, {"pos-b", 6}, {"pos-a", 5}};
  for (const auto& [hall, seq] : order) {
    const std::string bytes = event_bytes(hall, seq);
    const std::vector<OutEvent> one{{hall, seq, bytes}};
    ASSERT_EQ(pub.publish(one).at(0).outcome, PublishOutcome::kStored);
  }
  for (const std::string hall : {"pos-a", "pos-b"}) {
    SCOPED_TRACE(hall);
    std::map<core::Seq, std::uint64_t> where;  // hall seq -> stream seq, as read from the start
    HallReader reader(engine(), hall, {});
    for (auto d = reader.next(10s); d; d = reader.next(300ms)) where[d->seq] = d->stream_seq;
    ASSERT_FALSE(where.empty());
    for (const auto& [seq, stream_seq] : where) {
      std::string error;
      const auto at = resume_position(engine(), kEventsStream, hall, seq - 1, &error);
      ASSERT_TRUE(at) << error;
      EXPECT_EQ(*at, stream_seq) << "after seq " << seq - 1;
    }
    // Nothing after the last: one past the stream's last message.
    const auto tail = pub.tail("pos-a");
    const auto other = pub.tail("pos-b");
    ASSERT_TRUE(tail && other);
    const auto past = resume_position(engine(), kEventsStream, hall, where.rbegin()->first);
    ASSERT_TRUE(past);
    EXPECT_EQ(*past, std::max(tail->stream_seq, other->stream_seq) + 1);
  }
}

}  // namespace
}  // namespace hallq::replicate::test
