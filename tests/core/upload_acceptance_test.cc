// hallq-upload's report that the platform accepted a re-sent 好差评 record
// (engine/core/upload_rejection.h, RecordUploadAcceptance): a record id of
// this hall's two forms and a re-send number 1..kMaxUploadResend is one
// UploadResendAccepted event and no state; anything else is refused in
// Chinese with bad_argument and nothing changes. Whether the record was
// rejected and re-sent that often is the HTTP layer's check against the log
// (tests/adapters/upload). The test hall's id is "test-hall"
// (tests/support/test_hall.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/core/upload_rejection.h"
#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

class UploadAcceptanceTest : public HallFixture {};

TEST_F(UploadAcceptanceTest, AcceptedAsOneEventWithNoState) {
  ok(IssueTicket{"social"}, at(0));
  const HallState before = hall_->export_state();
  EXPECT_TRUE(bodies_are(ok(RecordUploadAcceptance{"test-hall-E-1", 1}, at(1), "acc-E-1~r1"),
                         {UploadResendAccepted{"test-hall-E-1", 1}}));
  const HallState after = hall_->export_state();
  EXPECT_EQ(after.seq, before.seq + 1);
  EXPECT_EQ(after.tickets, before.tickets);
  EXPECT_EQ(after.work_orders, before.work_orders);
  // A work-order step's record of a ticket the hall does not know; the largest N.
  EXPECT_TRUE(bodies_are(ok(RecordUploadAcceptance{"test-hall-W-99-1234", kMaxUploadResend}, at(2)),
                         {UploadResendAccepted{"test-hall-W-99-1234", kMaxUploadResend}}));
  ASSERT_NE(hall_->find_request("acc-E-1~r1"), nullptr);
}

TEST_F(UploadAcceptanceTest, BadRecordIdOrResendRefusedInChineseNothingChanged) {
  ok(IssueTicket{"social"}, at(0));
  struct Case {
    std::string id;
    std::int64_t resend = 1;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"", 1, "记录编号不能为空"},
      {"town-E-1", 1, "记录编号“town-E-1”无效：须为本大厅的 test-hall-E-票号 或 test-hall-W-票号-序号"},
      {"test-hall-E-1~r1", 1, "无效"},
      {"test-hall-E-" + std::string(70, '1'), 1, "记录编号过长（82 字节，最多 80）"},
      {"test-hall-E-1", 0, "resend（第几次重新上报）须为 1 到 999999 的整数，收到 0"},
      {"test-hall-E-1", -1, "收到 -1"},
      {"test-hall-E-1", kMaxUploadResend + 1, "收到 1000000"},
      {"test-hall-E-1", 4294967295LL, "收到 4294967295"},
  };
  for (const Case& c : cases) {
    // refused(): bad_argument and the hall's state and log unchanged.
    EXPECT_TRUE(refused(RecordUploadAcceptance{c.id, c.resend}, ErrorCode::kBadArgument, at(1), "acc-bad"))
        << c.id << " " << c.resend;
    const Status st = apply(RecordUploadAcceptance{c.id, c.resend}, at(1));
    EXPECT_NE(st.message().find(c.says), std::string::npos) << st.message();
  }
  EXPECT_EQ(hall_->find_request("acc-bad"), nullptr);
}

}  // namespace
}  // namespace hallq::test
