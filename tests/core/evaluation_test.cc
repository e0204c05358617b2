// 好差评 beyond the level (issue 21): 差评 reasons and comment, the channel,
// the case number given at finish, and the supplementary rating (补充评价) of
// an earlier day's ticket from its phone page. Each refusal changes nothing
// (the fixture's `refused` compares the whole state), and the teardown folds
// the log into a fresh hall.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class EvaluationTest : public HallFixture {
 public:
  // A001 issued and finished at w1 on the test day.
  void finished_a001(std::string_view case_number = {}) {
    ok(OpenWindow{"w1", ""}, at(0));
    ok(IssueTicket{"social"}, at(1));
    ASSERT_EQ(call_next("w1", at(2)), "A001");
    ok(StartService{"w1"}, at(2));
    ok(Finish{"w1", case_number}, at(3));
  }
  static Evaluate poor(std::string_view number, int level, std::vector<std::string_view> reasons,
                       std::string_view comment = {}) {
    Evaluate e{number, level, ""};
    e.reasons = std::move(reasons);
    e.comment = comment;
    return e;
  }
  std::string message_of(const CommandBody& body, TimeUs now) { return apply(body, now).message(); }
};

TEST_F(EvaluationTest, APoorRatingCarriesItsReasonsCommentAndChannel) {
  finished_a001();
  Evaluate e = poor("A001", 2, {"02", "05"}, "等了一上午，材料还要补");
  e.window = "w1";
  auto ev = ok(e, at(4));
  TicketEvaluated want{ticket("A001").id, 2};
  want.reasons = {"02", "05"};
  want.comment = "等了一上午，材料还要补";
  // A 差评 opens a work order due 5 working days later: Monday 2024-03-04 -> Monday 03-11,
  // with the rating's reasons and comment, which the order keeps.
  WorkOrderOpened order{ticket("A001").id, kDay + 7};
  order.reasons = {"02", "05"};
  order.comment = "等了一上午，材料还要补";
  ASSERT_TRUE(bodies_are(ev, {want, order}));
  EXPECT_EQ(ticket("A001").rating, 2);
  const WorkOrder* kept = hall_->find_work_order(ticket("A001").id);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->reasons, (std::vector<std::string>{"02", "05"}));
  EXPECT_EQ(kept->comment, "等了一上午，材料还要补");
}

TEST_F(EvaluationTest, ReasonsAndCommentsAreRefusedWhereTheyDoNotBelong) {
  finished_a001();
  EXPECT_TRUE(refused(poor("A001", 4, {"01"}), ErrorCode::kBadArgument, at(4))) << "reason with 满意";
  EXPECT_TRUE(refused(poor("A001", 3, {}, "一般"), ErrorCode::kBadArgument, at(4)))
      << "comment with 基本满意";
  EXPECT_TRUE(refused(poor("A001", 1, {"99"}), ErrorCode::kBadArgument, at(4))) << "not in the list";
  EXPECT_TRUE(refused(poor("A001", 1, {"01", "01"}), ErrorCode::kBadArgument, at(4))) << "twice";
  EXPECT_TRUE(refused(poor("A001", 1, {}, "a\x01"), ErrorCode::kBadArgument, at(4))) << "control character";
  EXPECT_TRUE(refused(poor("A001", 1, {}, "\xff\xfe"), ErrorCode::kBadArgument, at(4))) << "not UTF-8";
  std::string long_comment;
  for (int i = 0; i < 201; ++i) long_comment += "慢";
  EXPECT_TRUE(refused(poor("A001", 1, {}, long_comment), ErrorCode::kBadArgument, at(4))) << "201 characters";
  Evaluate odd = poor("A001", 5, {});
  odd.channel = static_cast<EvaluationChannel>(9);
  EXPECT_TRUE(refused(odd, ErrorCode::kBadArgument, at(4))) << "unknown channel";
  EXPECT_THAT(message_of(poor("A001", 1, {"99"}), at(4)), HasSubstr("不在本厅的原因列表"));

  // 200 characters (600 bytes) is the limit, and is accepted.
  long_comment.resize(200 * 3);
  ok(poor("A001", 1, {"01"}, long_comment), at(4));
}

TEST_F(EvaluationTest, AHallsOwnReasonListReplacesTheDefault) {
  build([](HallConfig& c) {
    c.evaluation.reasons_version = "cq-2024.1";
    c.evaluation.reasons = {{"A1", "窗口人员离岗"}, {"A2", "一次性告知不到位"}};
  });
  finished_a001();
  EXPECT_TRUE(refused(poor("A001", 2, {"01"}), ErrorCode::kBadArgument, at(4))) << "a default code";
  EXPECT_THAT(message_of(poor("A001", 2, {"01"}), at(4)), HasSubstr("cq-2024.1"));
  ok(poor("A001", 2, {"A2"}), at(4));
}

TEST_F(EvaluationTest, TheCaseNumberGivenAtFinishIsInTheEvent) {
  finished_a001("GA-2024-0304/0017");
  const auto* f = std::get_if<TicketFinished>(&log_.back().body);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->case_number, "GA-2024-0304/0017");

  ok(IssueTicket{"social"}, at(5));
  ASSERT_EQ(call_next("w1", at(6)), "A002");
  ok(StartService{"w1"}, at(6));
  EXPECT_TRUE(refused(Finish{"w1", "案件 1"}, ErrorCode::kBadArgument, at(7))) << "space and Chinese";
  EXPECT_TRUE(refused(Finish{"w1", std::string(65, '7')}, ErrorCode::kBadArgument, at(7))) << "65 bytes";
  ok(Finish{"w1", std::string(64, '7')}, at(7));
}

// The keypad's time ran out (未评价): the citizen may still rate from the
// phone page, once; a rating of 1..5 is never overwritten.
TEST_F(EvaluationTest, NotRatedAtTheWindowMayBeRatedLaterOnce) {
  finished_a001();
  ok(Evaluate{"A001", 0, "w1"}, at(4));
  EXPECT_TRUE(refused(Evaluate{"A001", 0, "w1"}, ErrorCode::kAlreadyRated, at(5)));
  Evaluate phone{"A001", 5, ""};
  phone.channel = EvaluationChannel::kPhone;
  auto ev = ok(phone, at(30));
  TicketEvaluated want{ticket("A001").id, 5};
  want.channel = EvaluationChannel::kPhone;
  EXPECT_TRUE(bodies_are(ev, {want}));
  EXPECT_TRUE(refused(phone, ErrorCode::kAlreadyRated, at(31)));
  EXPECT_TRUE(refused(Evaluate{"A001", 1, "w1"}, ErrorCode::kAlreadyRated, at(31)));
  EXPECT_EQ(ticket("A001").rating, 5);
}

TEST_F(EvaluationTest, AnEarlierDaysUnratedTicketIsRatedFromThePhoneWithinTheWindow) {
  finished_a001();  // not rated at all
  ok(IssueTicket{"social"}, at(10));
  ASSERT_EQ(call_next("w1", at(11)), "A002");
  ok(StartService{"w1"}, at(11));
  ok(Finish{"w1"}, at(12));
  ok(Evaluate{"A002", 4, "w1"}, at(12));  // rated at the window: not open to 补充评价

  // Three days later (2024-03-07), from the phone page of 2024-03-04's A001.
  ok(IssueTicket{"civil"}, at(3 * 24 * 60));
  ASSERT_EQ(hall_->rateable().size(), 1u);
  EXPECT_EQ(hall_->rateable()[0].day, kDay);
  EXPECT_EQ(hall_->printed_number(hall_->rateable()[0].ticket), "A001");

  Evaluate later = poor("A001", 1, {"03"}, "指南写的和窗口说的不一样");
  later.channel = EvaluationChannel::kPhone;
  later.day = kDay;
  auto ev = ok(later, at(3 * 24 * 60 + 1));
  TicketEvaluated want{1, 1};
  want.reasons = {"03"};
  want.comment = "指南写的和窗口说的不一样";
  want.channel = EvaluationChannel::kPhone;
  want.supplementary = true;
  // A 差评 given later opens its work order (work_order_test.cc), due five working days after
  // Thursday 7 March: Thursday 14 March.
  WorkOrderOpened order{1, kDay + 10};
  order.reasons = {"03"};
  order.comment = "指南写的和窗口说的不一样";
  ASSERT_TRUE(bodies_are(ev, {want, order}));
  EXPECT_EQ(hall_->rateable()[0].rating, 1);
  ASSERT_NE(hall_->find_work_order(1), nullptr);
  EXPECT_EQ(hall_->find_work_order(1)->comment, "指南写的和窗口说的不一样");

  EXPECT_TRUE(refused(later, ErrorCode::kAlreadyRated, at(3 * 24 * 60 + 2))) << "twice";
  Evaluate rated = later;
  rated.number = "A002";
  EXPECT_TRUE(refused(rated, ErrorCode::kUnknownTicket, at(3 * 24 * 60 + 2))) << "rated at the window";
  Evaluate unknown = later;
  unknown.number = "A009";
  EXPECT_TRUE(refused(unknown, ErrorCode::kUnknownTicket, at(3 * 24 * 60 + 2)));
  Evaluate with_window = later;
  with_window.number = "A001";
  with_window.window = "w1";
  EXPECT_TRUE(refused(with_window, ErrorCode::kBadArgument, at(3 * 24 * 60 + 2)));
  Evaluate future = later;
  future.day = kDay + 4;
  EXPECT_TRUE(refused(future, ErrorCode::kBadArgument, at(3 * 24 * 60 + 2)));
}

TEST_F(EvaluationTest, PastTheSupplementWindowTheRatingIsRefusedAndTheEntryGoes) {
  build([](HallConfig& c) { c.evaluation.supplement_days = 2; });
  finished_a001();
  Evaluate later{"A001", 5, ""};
  later.channel = EvaluationChannel::kPhone;
  later.day = kDay;
  ok(IssueTicket{"civil"}, at(2 * 24 * 60));  // day + 2: still open
  ASSERT_EQ(hall_->rateable().size(), 1u);
  ok(IssueTicket{"civil"}, at(3 * 24 * 60));  // day + 3: gone
  EXPECT_THAT(hall_->rateable(), IsEmpty());
  EXPECT_TRUE(refused(later, ErrorCode::kWrongTicketState, at(3 * 24 * 60 + 1)));
  EXPECT_THAT(message_of(later, at(3 * 24 * 60 + 1)), HasSubstr("已过补充评价期限"));
}

TEST_F(EvaluationTest, AHallWithoutSupplementKeepsNoEntries) {
  build([](HallConfig& c) { c.evaluation.supplement_days = 0; });
  finished_a001();
  ok(IssueTicket{"civil"}, at(24 * 60));
  EXPECT_THAT(hall_->rateable(), IsEmpty());
  Evaluate later{"A001", 5, ""};
  later.day = kDay;
  EXPECT_THAT(message_of(later, at(24 * 60 + 1)), HasSubstr("不接受补充评价"));
}

TEST(EvaluationConfigTest, TheChecksNameTheKey) {
  EvaluationConfig c{.reasons = default_evaluation_reasons()};
  EXPECT_EQ(check_evaluation_config(c), std::nullopt);
  EXPECT_EQ(c.reasons.front().code, "01");
  auto key_of = [](EvaluationConfig x) {
    return check_evaluation_config(x).value_or(EvaluationProblem{}).key;
  };
  EvaluationConfig empty = c;
  empty.reasons.clear();
  EXPECT_EQ(key_of(empty), "reasons");
  EvaluationConfig twice = c;
  twice.reasons.push_back(c.reasons.front());
  EXPECT_EQ(key_of(twice), "reasons");
  EvaluationConfig days = c;
  days.supplement_days = 31;
  EXPECT_EQ(key_of(days), "supplement_days");
  EvaluationConfig due = c;
  due.follow_up_working_days = 0;
  EXPECT_EQ(key_of(due), "follow_up_working_days");
  EvaluationConfig version = c;
  version.reasons_version = "v 1";
  EXPECT_EQ(key_of(version), "reasons_version");
}

}  // namespace
}  // namespace hallq::test
