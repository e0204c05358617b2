// 差评工单 (engine/core/work_order.h): a rating of 1 or 2 opens a work order due
// five working days later; callbacks, then a rectification, each checked;
// open orders survive the day roll, closed ones go with it. The test day,
// Monday 2024-03-04, plus five working days is Monday 2024-03-11 (from any
// calendar); the fixture folds the whole log into a replica at teardown.
#include "engine/core/work_order.h"

#include <gtest/gtest.h>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

constexpr std::int64_t kMonday11 = kDay + 7;  // 2024-03-11

class WorkOrderTest : public HallFixture {
 public:
  // Issues, serves at w1 and rates `n` tickets of social (A001 ...) with `levels`.
  void serve_and_rate(std::initializer_list<int> levels, double minute = 0) {
    for (std::size_t i = 0; i < levels.size(); ++i) ok(IssueTicket{"social"}, at(minute));
    if (hall_->window(kW1).state == WindowState::kClosed) ok(OpenWindow{"w1", "zhang"}, at(minute));
    for (int level : levels) {
      const std::string n = serve_next("w1", at(minute + 1));
      ok(Evaluate{n, level, "w1"}, at(minute + 2));
    }
  }
};

TEST_F(WorkOrderTest, LowRatingsOpenAnOrderDueInFiveWorkingDays) {
  ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"social"}, at(0));
  ok(OpenWindow{"w1", "zhang"}, at(1));
  serve_next("w1", at(2));
  EXPECT_TRUE(bodies_are(ok(Evaluate{"A001", 2, "w1"}, at(3)),
                         {TicketEvaluated{1, 2}, WorkOrderOpened{1, kMonday11}}));
  serve_next("w1", at(4));
  EXPECT_TRUE(bodies_are(ok(Evaluate{"A002", 3, "w1"}, at(5)), {TicketEvaluated{2, 3}}));  // 基本满意: none
  serve_next("w1", at(6));
  EXPECT_TRUE(
      bodies_are(ok(Evaluate{"A003", 1, ""}, at(7)), {TicketEvaluated{3, 1}, WorkOrderOpened{3, kMonday11}}));
  ASSERT_EQ(hall_->work_orders().size(), 2u);
  const WorkOrder& o = hall_->work_orders()[0];
  EXPECT_EQ(o.ticket, 1u);
  EXPECT_EQ(o.number, "A001");
  EXPECT_EQ(o.service, kSocial);
  EXPECT_EQ(o.window, kW1);
  EXPECT_EQ(o.staff, "zhang");
  EXPECT_EQ(o.level, 2);
  EXPECT_EQ(o.opened_at, at(3));
  EXPECT_FALSE(o.closed());
  EXPECT_EQ(hall_->work_orders()[1].level, 1);
}

// A 差评 given days later from the phone page (补充评价) opens an order like one
// at the window, naming the visit that finished the ticket (service, window,
// staff), due five working days after the rating's day: rated Wednesday
// 6 March, due Wednesday 13 March.
TEST_F(WorkOrderTest, ALaterPoorRatingOpensAnOrderNamingTheEarlierVisit) {
  ok(IssueTicket{"social"}, at(0));
  ok(OpenWindow{"w1", "zhang"}, at(1));
  ASSERT_EQ(serve_next("w1", at(2)), "A001");  // finished, not rated
  ok(IssueTicket{"civil"}, at(2 * 24 * 60));   // Wednesday: the day rolls twice
  ASSERT_EQ(hall_->find_ticket(1), nullptr);
  Evaluate later{"A001", 2, ""};
  later.channel = EvaluationChannel::kPhone;
  later.day = kDay;
  const auto ev = ok(later, at(2 * 24 * 60 + 5));
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(std::get<WorkOrderOpened>(ev[1].body), (WorkOrderOpened{1, kDay + 9}));
  ASSERT_EQ(hall_->work_orders().size(), 1u);
  const WorkOrder& o = hall_->work_orders()[0];
  EXPECT_EQ(o.number, "A001");
  EXPECT_EQ(o.service, kSocial);
  EXPECT_EQ(o.window, kW1);
  EXPECT_EQ(o.staff, "zhang");
  EXPECT_EQ(o.level, 2);
  EXPECT_EQ(o.opened_at, at(2 * 24 * 60 + 5));
  ok(RecordCallback{1, true, "已回访", "manager"}, at(2 * 24 * 60 + 10));
  ok(RecordRectification{1, "已整改", "chief"}, at(2 * 24 * 60 + 20));
  EXPECT_TRUE(hall_->work_orders()[0].closed());
  // A later 好评 opens none.
  Evaluate good = later;
  good.number = "A001";
  EXPECT_TRUE(refused(good, ErrorCode::kAlreadyRated, at(2 * 24 * 60 + 30)));
}

TEST_F(WorkOrderTest, HolidaysPushTheDueDay) {
  build([](HallConfig& c) { c.closed_days = {kDay + 2}; });  // Wednesday 6 March closed
  serve_and_rate({1});
  EXPECT_EQ(hall_->work_orders().at(0).due_day, kDay + 8);  // Tuesday 12 March
}

TEST_F(WorkOrderTest, CallbacksThenRectificationCloseTheOrder) {
  serve_and_rate({2});
  ok(RecordCallback{1, false, "电话未接通", "manager"}, at(10));
  EXPECT_TRUE(bodies_are(ok(RecordCallback{1, true, "已致歉，群众表示理解", "manager"}, at(20)),
                         {WorkOrderCalledBack{1, true, "已致歉，群众表示理解", "manager"}}));
  EXPECT_TRUE(refused(RecordCallback{1, true, "再次回访", "manager"}, ErrorCode::kWrongTicketState, at(21)))
      << "reached already";
  EXPECT_TRUE(bodies_are(ok(RecordRectification{1, "窗口人员业务培训", "chief"}, at(30)),
                         {WorkOrderRectified{1, "窗口人员业务培训", "chief"}}));
  const WorkOrder& o = hall_->work_orders().at(0);
  ASSERT_EQ(o.callbacks.size(), 2u);
  EXPECT_EQ(o.callbacks[0], (WorkOrderCallback{at(10), false, "电话未接通", "manager"}));
  EXPECT_TRUE(o.reached());
  EXPECT_TRUE(o.closed());
  EXPECT_EQ(o.rectified_at, at(30));
  EXPECT_EQ(o.rectified_by, "chief");
  EXPECT_TRUE(refused(RecordCallback{1, false, "x", "manager"}, ErrorCode::kWrongTicketState, at(31)));
  EXPECT_TRUE(refused(RecordRectification{1, "x", "manager"}, ErrorCode::kWrongTicketState, at(31)));
}

TEST_F(WorkOrderTest, RefusalsChangeNothing) {
  serve_and_rate({2, 4});
  EXPECT_TRUE(refused(RecordRectification{1, "整改", "manager"}, ErrorCode::kWrongTicketState, at(10)))
      << "no callback yet";
  EXPECT_TRUE(refused(RecordCallback{2, true, "好评无工单", "manager"}, ErrorCode::kUnknownTicket, at(10)));
  EXPECT_TRUE(refused(RecordCallback{99, true, "x", "manager"}, ErrorCode::kUnknownTicket, at(10)));
  EXPECT_TRUE(refused(RecordCallback{1, true, "", "manager"}, ErrorCode::kBadArgument, at(10))) << "empty";
  std::string long_note;
  for (std::size_t i = 0; i <= kMaxWorkOrderNoteChars; ++i) long_note += "字";
  EXPECT_TRUE(refused(RecordCallback{1, true, long_note, "manager"}, ErrorCode::kBadArgument, at(10)));
  EXPECT_TRUE(refused(RecordCallback{1, true, "第一行\n第二行", "manager"}, ErrorCode::kBadArgument, at(10)));
  EXPECT_TRUE(refused(RecordCallback{1, true, "好", ""}, ErrorCode::kBadArgument, at(10))) << "no author";
  // 500 characters (1500 bytes) are fine.
  long_note.erase(long_note.size() - 3);
  ok(RecordCallback{1, false, long_note, "manager"}, at(11));
  EXPECT_TRUE(refused(RecordRectification{1, "", "manager"}, ErrorCode::kBadArgument, at(12)));
}

TEST_F(WorkOrderTest, RefusalMessagesSayWhat) {
  serve_and_rate({1});
  Status st = apply(RecordRectification{1, "整改", "manager"}, at(10));
  EXPECT_EQ(st.message(), "差评工单 1（A001）尚未回访，须先记录回访再记录整改");
  std::string long_note(501, 'x');
  st = apply(RecordCallback{1, true, long_note, "manager"}, at(10));
  EXPECT_EQ(st.message(), "回访记录过长（501 字，最多 500 字）");
  st = apply(RecordCallback{7, true, "x", "manager"}, at(10));
  EXPECT_EQ(st.message(), "没有差评工单 7（或已整改办结并归档）");
}

TEST_F(WorkOrderTest, OpenOrdersOutliveTheDayClosedOnesGoWithIt) {
  serve_and_rate({1, 2});
  ok(RecordCallback{1, true, "已联系", "manager"}, at(10));
  ok(RecordRectification{1, "已整改", "manager"}, at(11));
  ok(Tick{}, at(24 * 60));  // Tuesday: the tickets are gone, order 2 stays
  ASSERT_EQ(hall_->work_orders().size(), 1u);
  EXPECT_EQ(hall_->work_orders()[0].ticket, 2u);
  EXPECT_EQ(hall_->work_orders()[0].number, "A002");
  EXPECT_EQ(hall_->find_ticket(2), nullptr);
  ok(RecordCallback{2, false, "无人接听", "manager"}, at(24 * 60 + 5));
  ok(Tick{}, at(3 * 24 * 60));  // Thursday
  ok(RecordCallback{2, true, "已联系", "manager"}, at(3 * 24 * 60 + 5));
  ok(RecordRectification{2, "已整改", "manager"}, at(3 * 24 * 60 + 6));
  EXPECT_TRUE(hall_->work_orders()[0].closed());
  ok(Tick{}, at(4 * 24 * 60));
  EXPECT_TRUE(hall_->work_orders().empty());
}

TEST_F(WorkOrderTest, StatusByDueDay) {
  serve_and_rate({2});
  const WorkOrder& o = hall_->work_orders().at(0);  // due Monday 11 March
  EXPECT_EQ(status_on(*config_, o, kDay), WorkOrderStatus::kOpen);
  EXPECT_EQ(status_on(*config_, o, kDay + 3), WorkOrderStatus::kOpen);     // Thursday: 2 working days left
  EXPECT_EQ(status_on(*config_, o, kDay + 4), WorkOrderStatus::kDueSoon);  // Friday: 1 left
  EXPECT_EQ(status_on(*config_, o, kDay + 5), WorkOrderStatus::kDueSoon);  // Saturday
  EXPECT_EQ(status_on(*config_, o, kMonday11), WorkOrderStatus::kDueSoon);
  EXPECT_EQ(status_on(*config_, o, kMonday11 + 1), WorkOrderStatus::kOverdue);
  WorkOrder closed = o;
  closed.rectified_at = 1;
  EXPECT_EQ(status_on(*config_, closed, kMonday11 + 1), WorkOrderStatus::kClosed);
  EXPECT_EQ(to_string(WorkOrderStatus::kDueSoon), "due_soon");
  EXPECT_EQ(display_name(WorkOrderStatus::kOverdue), "已逾期");
}

}  // namespace
}  // namespace hallq::test
