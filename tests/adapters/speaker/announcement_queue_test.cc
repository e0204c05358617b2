// The announcement queue's contract: FIFO, no cut-in, no double recall, bounded,
// no stale announcements, once under a backlog.
#include "adapters/speaker/announcement_queue.h"

#include <gtest/gtest.h>

namespace hallq::speaker {
namespace {

Announcement call(std::string number, std::string window, AnnouncementKind kind = AnnouncementKind::kCall) {
  Announcement a;
  a.kind = kind;
  a.hall = "town";
  a.number = std::move(number);
  a.window = std::move(window);
  return a;
}
Announcement recall(std::string number, std::string window) {
  return call(std::move(number), std::move(window), AnnouncementKind::kRecall);
}

TEST(AnnouncementQueue, DrainsInOrderOneAtATime) {
  AnnouncementQueue q;
  for (int i = 1; i <= 500; ++i) ASSERT_EQ(q.push(call("A" + std::to_string(i), "w1")), PushResult::kQueued);
  for (int i = 1; i <= 500; ++i) {
    auto a = q.begin_next();
    ASSERT_TRUE(a);
    EXPECT_EQ(a->number, "A" + std::to_string(i));
    EXPECT_FALSE(q.begin_next()) << "a second announcement while one is in progress";
    q.finish();
  }
  EXPECT_TRUE(q.idle());
  EXPECT_FALSE(q.begin_next());
  EXPECT_EQ(q.stats().spoken, 500u);
}

TEST(AnnouncementQueue, NewCallNeverCutsTheOneInProgress) {
  AnnouncementQueue q;
  q.push(call("A001", "w1"));
  auto first = q.begin_next();
  ASSERT_TRUE(first);
  q.push(call("A002", "w2"));
  EXPECT_TRUE(q.in_progress());
  EXPECT_FALSE(q.begin_next());
  q.finish();
  EXPECT_EQ(q.begin_next()->number, "A002");
}

TEST(AnnouncementQueue, RecallOfAQueuedTicketIsNotQueuedTwice) {
  AnnouncementQueue q;
  q.push(call("A001", "w1"));  // in progress below
  ASSERT_TRUE(q.begin_next());
  EXPECT_EQ(q.push(call("B001", "w2")), PushResult::kQueued);
  EXPECT_EQ(q.push(recall("B001", "w2")), PushResult::kDuplicate);  // its call still waits
  EXPECT_EQ(q.push(recall("B001", "w2")), PushResult::kDuplicate);
  EXPECT_EQ(q.push(recall("B001", "w3")), PushResult::kQueued);  // another window: a new call
  // The one being spoken does not count: a recall pressed meanwhile is said again after.
  EXPECT_EQ(q.push(recall("A001", "w1")), PushResult::kQueued);
  EXPECT_EQ(q.push(recall("A001", "w1")), PushResult::kDuplicate);
  EXPECT_EQ(q.waiting(), 3u);
  EXPECT_EQ(q.stats().duplicates, 3u);
  q.finish();
  EXPECT_EQ(q.begin_next()->number, "B001");
  q.finish();
  // Once spoken, the ticket may be recalled again.
  EXPECT_EQ(q.push(recall("B001", "w2")), PushResult::kQueued);
}

TEST(AnnouncementQueue, BoundedCapacity) {
  AnnouncementQueue q(3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(q.push(call("A00" + std::to_string(i), "w1")), PushResult::kQueued);
  EXPECT_EQ(q.push(call("A009", "w1")), PushResult::kFull);
  EXPECT_EQ(q.stats().refused, 1u);
  EXPECT_EQ(q.stats().max_waiting, 3u);
}

TEST(AnnouncementQueue, WithdrawsTheCallsOfATicketNoLongerCalled) {
  AnnouncementQueue q;
  q.push(call("A001", "w1"));
  q.push(call("A002", "w2"));
  q.push(recall("A002", "w2"));  // a duplicate: not queued
  q.push(call("B001", "w3"));
  Announcement other_hall = call("A002", "w2");
  other_hall.hall = "district";
  q.push(other_hall);
  ASSERT_EQ(q.begin_next()->number, "A001");  // in progress
  EXPECT_EQ(q.withdraw("town", "A001"), 0u);  // the one being said is not cut
  EXPECT_EQ(q.withdraw("town", "A002"), 1u);  // its citizen came to w2 meanwhile
  EXPECT_EQ(q.withdraw("town", "A002"), 0u);
  EXPECT_EQ(q.waiting(), 2u);
  q.finish();
  EXPECT_EQ(q.begin_next()->number, "B001");
  q.finish();
  EXPECT_EQ(q.begin_next()->hall, "district");  // another hall's A002 stays
  q.finish();
  EXPECT_EQ(q.stats().withdrawn, 1u);
  q.push(call("C001", "w1"));
  q.push(call("C002", "w2"));
  EXPECT_EQ(q.clear(), 2u);  // a new day
  EXPECT_TRUE(q.idle());
  EXPECT_EQ(q.stats().withdrawn, 3u);
}

TEST(AnnouncementQueue, UnderABacklogTheSentenceIsSaidOnce) {
  AnnouncementQueue q;
  q.push(call("A001", "w1"));
  q.push(call("A002", "w2"));
  ASSERT_TRUE(q.begin_next());
  EXPECT_EQ(q.repeat_for(2), 1);  // A002 waits
  q.finish();
  ASSERT_TRUE(q.begin_next());
  EXPECT_EQ(q.repeat_for(2), 2);  // nothing waits
  EXPECT_EQ(q.repeat_for(3), 3);
}

}  // namespace
}  // namespace hallq::speaker
