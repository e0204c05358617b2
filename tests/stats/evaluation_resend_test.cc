// A re-send request (UploadResendRequested) in the records fold
// (engine/stats/evaluation_record.h) on hand-made events: the record it
// names comes out again at the request's event, same id, `seq` the
// request's, `resend` counting the requests; a work-order step's record
// too; nothing without keep_for_resend (the CSV export), for an id not
// kept, or for a record whose own event the fold did not see.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "engine/core/event.h"
#include "engine/stats/evaluation_record.h"
#include "tests/stats/stats_test_hall.h"

namespace hallq::stats {
namespace {

using namespace core;
using namespace stats::test;  // kSocial, kW1, kDay, make_config

class EvaluationResendTest : public ::testing::Test {
 protected:
  TimeUs at(int h, int m) const { return config_->day_start(kDay) + (h * 60 + m) * 60 * kUsPerSecond; }
  // Folds one event; the record it yields, if any.
  std::optional<EvaluationRecord> ev(TimeUs t, EventBody body) {
    return records_.add(Event{++seq_, t, std::move(body)});
  }
  // Ticket 1 (A001) served at w1 by s1 and rated 2 at 9:12 (event 6).
  void rated_ticket() {
    ev(at(8, 30), WindowOpened{kW1, "s1"});
    ev(at(9, 0), TicketIssued{1, kSocial, 1, Priority::kNormal, 0, 0});
    ev(at(9, 1), TicketCalled{1, kW1});
    ev(at(9, 2), ServiceStarted{1, kW1});
    ev(at(9, 10), TicketFinished{1, kW1});
    ASSERT_TRUE(ev(at(9, 12), TicketEvaluated{1, 2}).has_value());
  }

  std::shared_ptr<HallConfig> config_ = make_config();
  EvaluationRecords records_{config_};
  Seq seq_ = 0;
};

TEST_F(EvaluationResendTest, TheKeptRecordAgainAtEachRequest) {
  records_.keep_for_resend({"t-E-1", "t-W-1-8"});
  rated_ticket();
  ev(at(9, 13), UploadRejected{"t-E-1", 422, "事项编码不存在"});  // event 7: yields nothing
  ASSERT_TRUE(ev(at(9, 20), WorkOrderCalledBack{1, true, "已回访", "chief"}).has_value());      // event 8
  const std::optional<EvaluationRecord> first = ev(at(10, 0), UploadResendRequested{"t-E-1"});  // 9
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->id, "t-E-1");
  EXPECT_EQ(first->kind, RecordKind::kEvaluation);
  EXPECT_EQ(first->seq, 9u);
  EXPECT_EQ(first->resend, 1);
  EXPECT_EQ(first->ticket_number, "A001");
  EXPECT_EQ(first->level, 2);
  EXPECT_EQ(first->rated_at, at(9, 12));  // the rating's time, not the request's
  EXPECT_EQ(first->window_id, "w1");
  EXPECT_EQ(first->staff_id, "s1");
  const std::optional<EvaluationRecord> second = ev(at(11, 0), UploadResendRequested{"t-E-1"});  // 10
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->seq, 10u);
  EXPECT_EQ(second->resend, 2);
  const nlohmann::json j = nlohmann::json::parse(record_json(*second));
  EXPECT_EQ(j["recordId"], "t-E-1");
  EXPECT_EQ(j["resend"], 2);
  EXPECT_EQ(j["seq"], 10);
  // A work-order step's record.
  const std::optional<EvaluationRecord> step = ev(at(11, 5), UploadResendRequested{"t-W-1-8"});
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->kind, RecordKind::kWorkOrderCalledBack);
  EXPECT_EQ(step->work_order_note, "已联系：已回访");
  EXPECT_EQ(step->work_order_by, "chief");
  EXPECT_EQ(step->work_order_at, at(9, 20));  // the step's own time, not the request's
  EXPECT_EQ(step->resend, 1);
  // Not kept, never made: nothing.
  EXPECT_FALSE(ev(at(11, 10), UploadResendRequested{"t-E-2"}).has_value());
  // A first send carries no "resend".
  EvaluationRecord plain = *first;
  plain.resend = 0;
  EXPECT_FALSE(nlohmann::json::parse(record_json(plain)).contains("resend"));
}

TEST_F(EvaluationResendTest, NothingWithoutKeepOrWithoutTheRecordsOwnEvent) {
  rated_ticket();
  EXPECT_FALSE(ev(at(10, 0), UploadResendRequested{"t-E-1"}).has_value());
  // A fold that starts after the rating (kept, but never made).
  EvaluationRecords late(config_);
  late.keep_for_resend({"t-E-1"});
  EXPECT_FALSE(late.add(Event{20, at(12, 0), UploadResendRequested{"t-E-1"}}).has_value());
}

}  // namespace
}  // namespace hallq::stats
