// 补充评价 through the uploader (issue 21): a ticket finished on one day
// without a rating (the window's keypad timed out: 未评价) is rated the next
// day over the path the phone uses — hallqd's Evaluate command for an
// earlier day with the channel phone, as hallq-citizen sends it
// (adapters/citizen/citizen_api.cc) — and the real hallq-upload delivers
// it. hallqd runs on a simulated clock (--time-scale 1 --time-start),
// stopped and started again on the same store the next morning, so the
// dates hold whatever the real date. The local HTTP receiver holds the
// record once, with isSupplement, channel phone and pf 3 (二维码), and the
// values the test sent; a second rating of the same ticket is refused in
// Chinese and nothing more reaches the receiver.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/calendar.h"
#include "tests/adapters/upload/upload_fixture.h"

namespace hallq::testing {
namespace {

// Monday and Tuesday; conf/town.toml is open 08:30-17:30 on weekdays.
const char* const kFirstDay = "2026-03-02";
const char* const kNextDay = "2026-03-03";

class SupplementUploadTest : public UploadTest {
 protected:
  SupplementUploadTest() {
    engine_extra_ = {"--time-scale", "1", "--time-start", std::string(kFirstDay) + " 09:00"};
  }
};

TEST_F(SupplementUploadTest, RatedTheNextDayFromThePhoneReachesThePlatformOnce) {
  // Monday: social at w1 (s01 张三), finished; the keypad's time ran out (未评价).
  const std::vector<protocol::EventSummary> issued = command(core::IssueTicket{"social"});
  ASSERT_FALSE(issued.empty());
  const std::string number = issued.front().number;
  const std::string record_id = fmt::format("town-E-{}", issued.front().ticket);
  command(core::CallNext{"w1"});
  command(core::StartService{"w1"});
  command(core::Finish{"w1"});
  command(core::Evaluate{number, 0, "w1"});

  // Tuesday morning: hallqd started again on the same store.
  engine_->terminate();
  engine_ = std::make_unique<EngineProcess>(
      std::vector<std::string>{hall_}, dir_.sub("data"),
      std::vector<std::string>{"--advise-every", "0", "--time-scale", "1", "--time-start",
                               std::string(kNextDay) + " 09:00"});
  client::ClientOptions o;
  o.timeout = 3s;
  client_ = std::make_unique<client::Client>(ctx_, engine_->cmd(), o);
  config_ = write_config();
  auto uploader = start_uploader();

  // The citizen rates it from the ticket's phone page: the gateway's command.
  const std::optional<std::int64_t> monday = core::parse_day(kFirstDay);
  ASSERT_TRUE(monday.has_value());
  const std::string comment = "材料清单和窗口说的不一样，跑了两次";
  core::Evaluate rating{number, 2, {}, {}, comment, core::EvaluationChannel::kPhone, *monday};
  rating.reasons = {kReasons[1].first, kReasons[2].first};
  int supplements = 0;  // the command's events (the day may roll first)
  for (const protocol::EventSummary& e : command(rating))
    supplements += e.kind == "ticket_evaluated" && e.supplementary && e.channel == "phone";
  EXPECT_EQ(supplements, 1);
  ASSERT_TRUE(receiver_.wait_accepted(1)) << uploader->output();

  // A second rating of the same ticket: refused in Chinese, nothing changes.
  core::Evaluate again{number, 5, {}, {}, {}, core::EvaluationChannel::kPhone, *monday};
  const auto refused = client_->command("town", again);
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->ok());
  EXPECT_EQ(refused->code, core::ErrorCode::kAlreadyRated) << refused->message;
  EXPECT_EQ(refused->message, number + " 已评价过（不满意）");

  // A rating at the window after it: the uploader has gone past the refused one.
  client_->command("town", core::OpenWindow{"w1", "s01"});  // unless still open from Monday
  serve_and_rate("social", "w1", 5);
  ASSERT_TRUE(receiver_.wait_accepted(2)) << uploader->output();
  EXPECT_EQ(uploader->stop(), 0);

  std::map<std::string, int> sent;
  for (const ReceivedRequest& q : receiver_.requests()) ++sent[q.header("idempotency-key")];
  EXPECT_EQ(sent, (std::map<std::string, int>{{record_id, 1}, {expected_[0].id, 1}}));
  ASSERT_EQ(receiver_.accepted().size(), 2u);
  const json b = json::parse(receiver_.accepted()[0].body, nullptr, false);
  ASSERT_TRUE(b.is_object()) << receiver_.accepted()[0].body;
  EXPECT_EQ(b["recordId"], record_id);
  EXPECT_EQ(b["recordKind"], "evaluation");
  EXPECT_EQ(b["isSupplement"], true);
  EXPECT_EQ(b["channel"], "phone");
  EXPECT_EQ(b["pf"], 3);  // 二维码: the phone page is reached by the ticket's QR code
  EXPECT_EQ(b["alternate"], 2);
  EXPECT_EQ(b["appraisald"], (json{kReasons[1].first, kReasons[2].first}));
  EXPECT_EQ(b["appraisaldn"], (json{kReasons[1].second, kReasons[2].second}));
  EXPECT_EQ(b["appraisalVersion"], kReasonsVersion);
  EXPECT_EQ(b["writingevaluation"], comment);
  EXPECT_EQ(b["ticketNo"], number);
  EXPECT_EQ(b["ticketDate"], kFirstDay);
  EXPECT_EQ(b["issueTime"].get<std::string>().substr(0, 10), kFirstDay);
  EXPECT_EQ(b["finishTime"].get<std::string>().substr(0, 10), kFirstDay);
  EXPECT_EQ(b["assessTime"].get<std::string>().substr(0, 10), kNextDay);
  EXPECT_EQ(b["serviceId"], "social");
  EXPECT_EQ(b["taskName"], "社保医保");
  EXPECT_EQ(b["taskCode"], kSocialItem);
  EXPECT_EQ(b["areaCode"], kDivision);
  EXPECT_EQ(b["windowId"], "w1");
  EXPECT_EQ(b["windowNo"], 1);
  EXPECT_EQ(b["handleUserId"], "s01");
  EXPECT_EQ(b["handleUserName"], "张三");
  const json today = json::parse(receiver_.accepted()[1].body, nullptr, false);
  ASSERT_TRUE(today.is_object()) << receiver_.accepted()[1].body;
  EXPECT_EQ(today["isSupplement"], false);
  EXPECT_EQ(today["channel"], "keypad");
}

}  // namespace
}  // namespace hallq::testing
