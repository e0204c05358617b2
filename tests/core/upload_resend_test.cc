// A manager's request to send a rejected 好差评 record again
// (engine/core/upload_rejection.h, RequestUploadResend): a record id of this
// hall's two forms is one UploadResendRequested event and no state; any
// other id is refused in Chinese with bad_argument and nothing changes.
// Whether the record was rejected is the HTTP layer's check (tests/server).
// The test hall's id is "test-hall" (tests/support/test_hall.h).
#include <gtest/gtest.h>

#include <string>

#include "engine/core/upload_rejection.h"
#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

class UploadResendTest : public HallFixture {};

TEST_F(UploadResendTest, AcceptedAsOneEventWithNoState) {
  ok(IssueTicket{"social"}, at(0));
  const HallState before = hall_->export_state();
  EXPECT_TRUE(bodies_are(ok(RequestUploadResend{"test-hall-E-1"}, at(1), "resend-1"),
                         {UploadResendRequested{"test-hall-E-1"}}));
  HallState after = hall_->export_state();
  EXPECT_EQ(after.seq, before.seq + 1);
  EXPECT_EQ(after.tickets, before.tickets);
  EXPECT_EQ(after.work_orders, before.work_orders);
  // A work-order step's record; a ticket the hall does not know (a past day's).
  EXPECT_TRUE(bodies_are(ok(RequestUploadResend{"test-hall-W-99-1234"}, at(2)),
                         {UploadResendRequested{"test-hall-W-99-1234"}}));
  // Asked again: the core keeps no state of it, the HTTP layer refuses (409).
  ok(RequestUploadResend{"test-hall-E-1"}, at(3));
  ASSERT_NE(hall_->find_request("resend-1"), nullptr);
  EXPECT_EQ(hall_->find_request("resend-1")->count, 1u);
}

TEST_F(UploadResendTest, BadRecordIdRefusedInChineseNothingChanged) {
  ok(IssueTicket{"social"}, at(0));
  const std::string long_id = "test-hall-E-" + std::string(70, '1');
  struct Case {
    std::string id;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"", "记录编号不能为空"},
      {"town-E-1", "记录编号“town-E-1”无效：须为本大厅的 test-hall-E-票号 或 test-hall-W-票号-序号"},
      {"test-hall-E-0", "无效"},
      {"test-hall-E-01", "无效"},
      {"test-hall-W-1", "无效"},
      {"test-hall-E-1~r1", "无效"},
      {"test-hall-E-\x01", "记录编号“（非文字）”无效"},
      {long_id, "记录编号过长（82 字节，最多 80）"},
  };
  for (const Case& c : cases) {
    // refused(): bad_argument and the hall's state and log unchanged.
    EXPECT_TRUE(refused(RequestUploadResend{c.id}, ErrorCode::kBadArgument, at(1), "resend-bad")) << c.id;
    const Status st = apply(RequestUploadResend{c.id}, at(1));
    EXPECT_NE(st.message().find(c.says), std::string::npos) << st.message();
  }
  EXPECT_EQ(hall_->find_request("resend-bad"), nullptr);
}

}  // namespace
}  // namespace hallq::test
