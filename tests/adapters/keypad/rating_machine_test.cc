// The keypad's rating state machine, driven by hand-made time.
#include "adapters/keypad/rating_machine.h"

#include <gtest/gtest.h>

#include "adapters/keypad/line_protocol.h"
#include "adapters/keypad/outbox.h"

namespace hallq::keypad {
namespace {

using namespace std::chrono_literals;

class RatingMachineTest : public ::testing::Test {
 protected:
  Clock::time_point t0_ = Clock::now();
  RatingMachine m_{RatingOptions{30s, 3s, 3s}};
};

TEST_F(RatingMachineTest, AskPressAcknowledgeThankIdle) {
  EXPECT_EQ(m_.state(), KeypadState::kIdle);
  EXPECT_FALSE(m_.finished("B001", t0_));
  EXPECT_EQ(m_.view(t0_).state, KeypadState::kAsking);
  EXPECT_EQ(m_.view(t0_).number, "B001");
  EXPECT_EQ(m_.view(t0_ + 10s).seconds_left, 20);
  auto e = m_.press(5, t0_ + 10s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->number, "B001");
  EXPECT_EQ(e->level, 5);
  EXPECT_EQ(m_.state(), KeypadState::kSending);
  m_.acknowledged("B001", true, "", t0_ + 11s);
  EXPECT_EQ(m_.state(), KeypadState::kThanks);
  EXPECT_FALSE(m_.tick(t0_ + 13s));
  EXPECT_EQ(m_.state(), KeypadState::kThanks);
  EXPECT_FALSE(m_.tick(t0_ + 14s));
  EXPECT_EQ(m_.state(), KeypadState::kIdle);
}

TEST_F(RatingMachineTest, TimeoutRecordsNotRatedOnce) {
  m_.finished("A007", t0_);
  EXPECT_FALSE(m_.tick(t0_ + 29s));
  auto e = m_.tick(t0_ + 30s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->number, "A007");
  EXPECT_EQ(e->level, 0);
  EXPECT_EQ(m_.state(), KeypadState::kIdle);
  EXPECT_FALSE(m_.tick(t0_ + 60s));
  EXPECT_FALSE(m_.press(5, t0_ + 61s)) << "a late press after the timeout";
  EXPECT_EQ(m_.view(t0_ + 61s).message, "当前没有待评价的业务");
}

TEST_F(RatingMachineTest, SecondPressIdlePressAndUnknownKeyAreIgnoredVisibly) {
  EXPECT_FALSE(m_.press(3, t0_));
  EXPECT_EQ(m_.view(t0_).message, "当前没有待评价的业务");
  EXPECT_EQ(m_.view(t0_ + 4s).message, "") << "messages fade";
  m_.finished("C010", t0_);
  EXPECT_FALSE(m_.press(0, t0_ + 1s));
  EXPECT_EQ(m_.view(t0_ + 1s).message, "无效按键，请按 1-5 键评价");
  EXPECT_EQ(m_.state(), KeypadState::kAsking);
  ASSERT_TRUE(m_.press(4, t0_ + 2s));
  EXPECT_FALSE(m_.press(1, t0_ + 2s));  // sending
  EXPECT_EQ(m_.view(t0_ + 2s).message, "C010 已评价，请勿重复按键");
  m_.acknowledged("C010", true, "", t0_ + 3s);
  EXPECT_FALSE(m_.press(1, t0_ + 4s));  // thanks
  EXPECT_EQ(m_.view(t0_ + 4s).level, 4);
}

TEST_F(RatingMachineTest, NextFinishWhileAskingRecordsThePreviousAsNotRated) {
  m_.finished("A001", t0_);
  EXPECT_FALSE(m_.finished("A001", t0_ + 1s)) << "the same finish twice is one question";
  auto unrated = m_.finished("A002", t0_ + 5s);
  ASSERT_TRUE(unrated);
  EXPECT_EQ(unrated->number, "A001");
  EXPECT_EQ(unrated->level, 0);
  EXPECT_EQ(m_.view(t0_ + 5s).number, "A002");
  EXPECT_EQ(m_.view(t0_ + 5s).seconds_left, 30);
}

TEST_F(RatingMachineTest, RefusalShowsTheReasonAndReturnsToIdle) {
  m_.finished("A001", t0_);
  m_.press(2, t0_);
  m_.acknowledged("A001", false, "该业务已评价", t0_ + 1s);
  EXPECT_EQ(m_.state(), KeypadState::kIdle);
  EXPECT_EQ(m_.view(t0_ + 1s).message, "A001 评价未记录：该业务已评价");
}

// 差评 reasons: a list of three, as a hall's config would give it.
class ReasonsTest : public RatingMachineTest {
 protected:
  void SetUp() override {
    m_ = RatingMachine{RatingOptions{30s, 3s, 3s, 20s}};
    m_.set_reasons({{"01", "态度差"}, {"02", "等太久"}, {"03", "材料反复"}});
  }
  using Codes = std::vector<std::string>;
};

TEST_F(ReasonsTest, LevelTwoAsksForReasonsThenConfirmSendsTheTickedOnesInListOrder) {
  m_.finished("A001", t0_);
  EXPECT_FALSE(m_.press(2, t0_ + 5s)) << "not sent yet: the reasons question";
  EXPECT_EQ(m_.state(), KeypadState::kReasons);
  KeypadView v = m_.view(t0_ + 5s);
  EXPECT_EQ(v.message, "");
  EXPECT_EQ(v.seconds_left, 20) << "the reasons' own time, not the 25 s left of the question";
  ASSERT_EQ(v.reasons.size(), 3u);
  EXPECT_EQ(v.chosen, (std::vector<bool>{false, false, false}));
  m_.toggle_reason(3, t0_ + 6s);
  m_.toggle_reason(1, t0_ + 7s);
  m_.toggle_reason(2, t0_ + 7s);
  m_.toggle_reason(2, t0_ + 8s);  // unticked again
  EXPECT_EQ(m_.view(t0_ + 8s).chosen, (std::vector<bool>{true, false, true}));
  m_.toggle_reason(4, t0_ + 8s);
  EXPECT_EQ(m_.view(t0_ + 8s).message, "无效按键，请按 1-3 键选择原因，# 键提交，0 键跳过");
  EXPECT_EQ(m_.state(), KeypadState::kReasons);
  auto e = m_.confirm(t0_ + 9s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->number, "A001");
  EXPECT_EQ(e->level, 2);
  EXPECT_EQ(e->reasons, (Codes{"01", "03"}));
  EXPECT_EQ(m_.state(), KeypadState::kSending);
  m_.acknowledged("A001", true, "", t0_ + 10s);
  EXPECT_EQ(m_.state(), KeypadState::kThanks);
}

TEST_F(ReasonsTest, SkipSendsTheLevelWithoutReasons) {
  m_.finished("A001", t0_);
  m_.press(1, t0_);
  m_.toggle_reason(2, t0_ + 1s);
  auto e = m_.skip(t0_ + 2s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->level, 1);
  EXPECT_TRUE(e->reasons.empty());
}

TEST_F(ReasonsTest, TimeRunningOutSendsTheLevelWithTheReasonsChosenSoFar) {
  m_.finished("A001", t0_);
  m_.press(1, t0_ + 25s);  // the question's 30 s would end at t0 + 30 s
  m_.toggle_reason(2, t0_ + 26s);
  EXPECT_FALSE(m_.tick(t0_ + 44s));
  EXPECT_EQ(m_.view(t0_ + 44s).seconds_left, 1);
  auto e = m_.tick(t0_ + 45s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->level, 1);
  EXPECT_EQ(e->reasons, (Codes{"02"}));
  EXPECT_FALSE(m_.tick(t0_ + 46s)) << "once";
}

TEST_F(ReasonsTest, ALevelKeyChangesTheLevelAndThreeToFiveSendAtOnce) {
  m_.finished("A001", t0_);
  m_.press(2, t0_);
  m_.toggle_reason(1, t0_);
  EXPECT_FALSE(m_.press(1, t0_ + 1s));
  EXPECT_EQ(m_.view(t0_ + 1s).level, 1);
  EXPECT_EQ(m_.view(t0_ + 1s).chosen, (std::vector<bool>{true, false, false})) << "ticks kept";
  auto e = m_.press(4, t0_ + 2s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->level, 4);
  EXPECT_TRUE(e->reasons.empty()) << "reasons are for 差评 only";
}

TEST_F(ReasonsTest, GoodLevelsAndNoListSendAtOnce) {
  m_.finished("A001", t0_);
  ASSERT_TRUE(m_.press(3, t0_));
  RatingMachine bare{RatingOptions{30s, 3s, 3s, 20s}};  // a hall whose config lists no reasons
  bare.finished("A002", t0_);
  auto e = bare.press(1, t0_);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->level, 1);
}

TEST_F(ReasonsTest, NextFinishWhileChoosingSendsTheRatingAsFarAsItGot) {
  m_.finished("A001", t0_);
  m_.press(2, t0_);
  m_.toggle_reason(3, t0_ + 1s);
  auto e = m_.finished("A002", t0_ + 2s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->number, "A001");
  EXPECT_EQ(e->level, 2);
  EXPECT_EQ(e->reasons, (Codes{"03"}));
  EXPECT_EQ(m_.state(), KeypadState::kAsking);
  EXPECT_EQ(m_.view(t0_ + 2s).number, "A002");
  EXPECT_TRUE(m_.view(t0_ + 2s).reasons.empty());
}

TEST_F(ReasonsTest, ReasonKeysOutsideTheReasonsScreenOnlyShowAMessage) {
  m_.toggle_reason(1, t0_);
  EXPECT_EQ(m_.view(t0_).message, "当前没有待评价的业务");
  EXPECT_FALSE(m_.confirm(t0_));
  m_.finished("A001", t0_ + 4s);
  EXPECT_FALSE(m_.skip(t0_ + 4s));
  EXPECT_EQ(m_.view(t0_ + 4s).message, "请先按 1-5 键评价");
  EXPECT_EQ(m_.state(), KeypadState::kAsking);
}

TEST(OutboxTest, ResendsWithTheSameIdUntilAcknowledged) {
  const auto t0 = Clock::now();
  Outbox box(2s);
  box.add("id-1", {"A001", 5, {}}, t0);
  box.add("id-2", {"A002", 0, {}}, t0 + 1s);
  auto due = box.due(t0);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].request_id, "id-1");
  EXPECT_TRUE(box.due(t0 + 500ms).empty());
  due = box.due(t0 + 2s);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].request_id, "id-1");
  EXPECT_EQ(due[0].sends, 2);
  EXPECT_EQ(due[1].request_id, "id-2");
  EXPECT_EQ(box.acknowledge("id-1")->number, "A001");
  EXPECT_FALSE(box.acknowledge("id-1")) << "a late repeat's answer";
  EXPECT_EQ(box.size(), 1u);
}

TEST(LineProtocol, Commands) {
  EXPECT_EQ(parse_line("R 5").kind, LineCommand::Kind::kRate);
  EXPECT_EQ(parse_line("R 5\r").level, 5);
  EXPECT_EQ(parse_line("R 6").level, 0);
  EXPECT_EQ(parse_line("R").level, 0);
  EXPECT_EQ(parse_line("K KP_3").key, "KP_3");
  EXPECT_EQ(parse_line("P").kind, LineCommand::Kind::kPing);
  EXPECT_EQ(parse_line(" S ").kind, LineCommand::Kind::kState);
  EXPECT_EQ(parse_line("").kind, LineCommand::Kind::kEmpty);
  EXPECT_EQ(parse_line("X 1").kind, LineCommand::Kind::kInvalid);
  EXPECT_EQ(parse_line("RATE 5").kind, LineCommand::Kind::kInvalid);
  EXPECT_EQ(parse_line("K").kind, LineCommand::Kind::kInvalid);
  // Refusals in Chinese after the ASCII prefix the box parses (the app adds "ERR ").
  EXPECT_EQ(parse_line("XYZ").error, "未知命令：XYZ");
  EXPECT_EQ(parse_line(" RATE 5 ").error, "未知命令：RATE 5");
  EXPECT_EQ(parse_line("K").error, "K 命令缺少按键名");
  EXPECT_EQ(parse_line("C 3").kind, LineCommand::Kind::kReason);
  EXPECT_EQ(parse_line("C 12").reason, 12);
  EXPECT_EQ(parse_line("C x").reason, 0);
  EXPECT_EQ(parse_line("C 123").reason, 0);
  EXPECT_EQ(parse_line("Y").kind, LineCommand::Kind::kConfirm);
  EXPECT_EQ(parse_line("n").kind, LineCommand::Kind::kSkip);

  std::string buffer = "R 5\r\nP\nR 4";
  std::vector<std::string> lines;
  for_each_line(buffer, [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(lines, (std::vector<std::string>{"R 5", "P"}));
  EXPECT_EQ(buffer, "R 4");
}

}  // namespace
}  // namespace hallq::keypad
