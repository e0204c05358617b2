// Records the 好差评 platform refused (engine/core/upload_rejection.h): the
// record id's two forms for this hall, the status and reason checked; a
// refusal changes nothing; an accepted one is one UploadRejected event and
// no state (the fixture folds the log into a replica at teardown). The test
// hall's id is "test-hall" (tests/support/test_hall.h).
#include "engine/core/upload_rejection.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

class UploadRejectionTest : public HallFixture {};

TEST(UploadRecordId, TheTwoFormsOfThisHallOnly) {
  EXPECT_EQ(parse_upload_record_id("town", "town-E-12"), (UploadRecordRef{12, 0}));
  EXPECT_EQ(parse_upload_record_id("town", "town-W-12-340"), (UploadRecordRef{12, 340}));
  EXPECT_EQ(parse_upload_record_id("town", "town-E-18446744073709551615"),
            (UploadRecordRef{18446744073709551615ull, 0}));
  for (const char* bad : {"",
                          "town",
                          "town-",
                          "town-E-",
                          "town-E-0",
                          "town-E-012",
                          "town-E-12-3",
                          "town-W-12",
                          "town-W-12-",
                          "town-W--3",
                          "town-W-1-0",
                          "town-X-12",
                          "town-e-12",
                          "town-E-1a",
                          "town-E-+1",
                          "town-E-18446744073709551616",
                          "village-E-12",
                          "townx-E-12",
                          "towN-E-12",
                          "town-E- 12",
                          "town-E-12\n"})
    EXPECT_FALSE(parse_upload_record_id("town", bad)) << bad;
  // The hall's id is a prefix of another's: only its own form counts.
  EXPECT_FALSE(parse_upload_record_id("town", "town-north-E-1"));
  EXPECT_EQ(parse_upload_record_id("town-north", "town-north-E-1"), (UploadRecordRef{1, 0}));
  // At most 80 bytes.
  const std::string hall(70, 'h');
  EXPECT_TRUE(parse_upload_record_id(hall, hall + "-E-1234567"));    // 80 bytes
  EXPECT_FALSE(parse_upload_record_id(hall, hall + "-E-12345678"));  // 81
}

TEST_F(UploadRejectionTest, AcceptedAsOneEventWithNoState) {
  ok(IssueTicket{"social"}, at(0));
  const HallState before = hall_->export_state();
  EXPECT_TRUE(bodies_are(ok(RecordUploadRejection{"test-hall-E-1", 422, "事项编码不存在"}, at(1), "up-1"),
                         {UploadRejected{"test-hall-E-1", 422, "事项编码不存在"}}));
  // Nothing but the sequence, the clock and the remembered request moved.
  HallState after = hall_->export_state();
  EXPECT_EQ(after.seq, before.seq + 1);
  EXPECT_EQ(after.tickets, before.tickets);
  EXPECT_EQ(after.work_orders, before.work_orders);
  // A ticket the hall never issued, a work-order step, the bounds of status and reason.
  ok(RecordUploadRejection{"test-hall-W-99-1234", 400, "x"}, at(2));
  const std::string latin500(500, 'r');
  ok(RecordUploadRejection{"test-hall-E-7", 499, latin500}, at(3));
  const std::string chinese500 = [] {
    std::string s;
    for (int i = 0; i < 500; ++i) s += "拒";
    return s;
  }();
  ok(RecordUploadRejection{"test-hall-E-8", 409, chinese500}, at(4));
  // The request id is remembered (the engine answers a repeat with the first
  // outcome: the HTTP route's idempotency, tests/adapters/upload).
  ASSERT_NE(hall_->find_request("up-1"), nullptr);
  EXPECT_EQ(hall_->find_request("up-1")->count, 1u);
}

TEST_F(UploadRejectionTest, BadInputRefusedInChineseNothingChanged) {
  ok(IssueTicket{"social"}, at(0));
  struct Case {
    RecordUploadRejection command;
    std::string says;
  };
  const std::string chinese501 = [] {
    std::string s;
    for (int i = 0; i < 501; ++i) s += "拒";
    return s;
  }();
  // The command holds views: the strings it views live here.
  const std::string long_id = "test-hall-E-" + std::string(70, '1');
  const std::string latin501(501, 'r');
  const std::vector<Case> cases = {
      {{"", 422, "x"}, "记录编号不能为空"},
      {{"town-E-1", 422, "x"}, "须为本大厅的"},  // another hall's
      {{"test-hall-E-0", 422, "x"}, "无效"},
      {{"test-hall-E-1-2", 422, "x"}, "无效"},
      {{"test-hall-W-1", 422, "x"}, "无效"},
      {{"test-hall-E-\x01", 422, "x"}, "（非文字）"},
      {{long_id, 422, "x"}, "过长"},
      {{"test-hall-E-1", 399, "x"}, "400 至 499"},
      {{"test-hall-E-1", 500, "x"}, "400 至 499"},
      {{"test-hall-E-1", 0, "x"}, "400 至 499"},
      {{"test-hall-E-1", 422, ""}, "拒收原因不能为空"},
      {{"test-hall-E-1", 422, "第一行\n第二行"}, "控制字符"},
      {{"test-hall-E-1", 422, "\xff\xfe"}, "控制字符"},
      {{"test-hall-E-1", 422, latin501}, "过长（501 字"},
      {{"test-hall-E-1", 422, chinese501}, "过长（501 字"},
  };
  for (const Case& c : cases) {
    EXPECT_TRUE(refused(c.command, ErrorCode::kBadArgument, at(1), "up-bad")) << c.command.record_id;
    const Status st = apply(c.command, at(1));
    EXPECT_NE(st.message().find(c.says), std::string::npos) << st.message();
  }
}

}  // namespace
}  // namespace hallq::test
