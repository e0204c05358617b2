// A 差评's work order in the 好差评 records (engine/stats/evaluation_record.h)
// on hand-made events: the evaluation record of a level 1..2 rating is the
// order's opening and carries its id and due day (follow_up_working_days
// working days after the rating's day, holidays skipped); a step carries
// the due day its WorkOrderOpened event set; a rating of 3..5 carries none.
// Expected dates are read off a calendar of March 2024, not computed.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/core/calendar.h"
#include "engine/core/event.h"
#include "engine/stats/evaluation_record.h"
#include "tests/stats/stats_test_hall.h"

namespace hallq::stats {
namespace {

using namespace core;
using namespace stats::test;  // kSocial, kW1, kDay, make_config

std::int64_t day(const char* text) { return *parse_day(text); }

class WorkOrderRecordTest : public ::testing::Test {
 protected:
  // 09:00 + minutes on local day `d`.
  TimeUs at(std::int64_t d, int minutes) const {
    return config_->day_start(d) + (9 * 60 + minutes) * 60 * kUsPerSecond;
  }
  std::optional<EvaluationRecord> ev(TimeUs t, EventBody body) {
    return records_->add(Event{++seq_, t, std::move(body)});
  }
  // Ticket `id` served at w1 on day `d` and rated `level` at 09:12.
  std::optional<EvaluationRecord> serve_and_rate(TicketId id, std::int64_t d, int level) {
    ev(at(d, 0), TicketIssued{id, kSocial, static_cast<std::uint32_t>(id), Priority::kNormal, 0, 0});
    ev(at(d, 1), TicketCalled{id, kW1});
    ev(at(d, 2), ServiceStarted{id, kW1});
    ev(at(d, 10), TicketFinished{id, kW1});
    return ev(at(d, 12), TicketEvaluated{id, level});
  }
  void use(std::shared_ptr<HallConfig> c) {
    config_ = std::move(c);
    records_ = std::make_unique<EvaluationRecords>(config_);
  }

  std::shared_ptr<HallConfig> config_ = make_config();  // follow_up_working_days: the default, 5
  std::unique_ptr<EvaluationRecords> records_ = std::make_unique<EvaluationRecords>(config_);
  Seq seq_ = 0;
};

TEST_F(WorkOrderRecordTest, APoorRatingsRecordOpensTheOrderDueInWorkingDays) {
  ev(at(day("2024-03-08"), -30), WindowOpened{kW1, "s1"});
  // Friday 8 March: five working days later is Friday 15 March.
  const std::optional<EvaluationRecord> poor = serve_and_rate(1, day("2024-03-08"), 2);
  ASSERT_TRUE(poor.has_value());
  EXPECT_EQ(poor->kind, RecordKind::kEvaluation);
  EXPECT_EQ(poor->work_order_due_day, day("2024-03-15"));
  nlohmann::json j = nlohmann::json::parse(record_json(*poor));
  EXPECT_EQ(j["workOrderId"], "t-1");
  EXPECT_EQ(j["workOrderDue"], "2024-03-15");
  EXPECT_FALSE(j.contains("workOrderNote")) << j.dump();
  // The order's opening is no record of its own; its step carries the due day the engine set.
  EXPECT_FALSE(ev(at(day("2024-03-08"), 12), WorkOrderOpened{1, day("2024-03-18"), {}, ""}).has_value());
  const std::optional<EvaluationRecord> step =
      ev(at(day("2024-03-11"), 0), WorkOrderCalledBack{1, true, "已致歉", "chief"});
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->kind, RecordKind::kWorkOrderCalledBack);
  j = nlohmann::json::parse(record_json(*step));
  EXPECT_EQ(j["recordKind"], "work_order_called_back");
  EXPECT_EQ(j["workOrderId"], "t-1");
  EXPECT_EQ(j["workOrderDue"], "2024-03-18");
  EXPECT_EQ(j["workOrderNote"], "已联系：已致歉");

  // A rating of 3..5 opens nothing.
  const std::optional<EvaluationRecord> fine = serve_and_rate(2, day("2024-03-08"), 4);
  ASSERT_TRUE(fine.has_value());
  EXPECT_EQ(fine->work_order_due_day, 0);
  j = nlohmann::json::parse(record_json(*fine));
  EXPECT_FALSE(j.contains("workOrderId")) << j.dump();
  EXPECT_FALSE(j.contains("workOrderDue")) << j.dump();
}

TEST_F(WorkOrderRecordTest, TheDueDaySkipsTheHallsHolidaysAndCountsItsWorkedWeekends) {
  auto c = make_config();
  c->closed_days = {day("2024-03-12")};  // a Tuesday off
  c->extra_days = {day("2024-03-16")};   // a Saturday worked (调休)
  c->evaluation.follow_up_working_days = 3;
  ASSERT_FALSE(c->validate_and_index().has_value());
  use(c);
  ev(at(day("2024-03-08"), -30), WindowOpened{kW1, "s1"});
  // Friday 8 March, 3 working days: Mon 11, (Tue 12 off), Wed 13, Thu 14.
  std::optional<EvaluationRecord> r = serve_and_rate(1, day("2024-03-08"), 1);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(core::format_date(r->work_order_due_day), "2024-03-14");
  // Thursday 14 March: Fri 15, Sat 16 (worked), Mon 18.
  r = serve_and_rate(2, day("2024-03-14"), 1);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(core::format_date(r->work_order_due_day), "2024-03-18");
}

}  // namespace
}  // namespace hallq::stats
