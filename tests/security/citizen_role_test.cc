// The citizen role (the public gateway's key, issue 20) against the real
// hallqd with --keys over CURVE: each command of the phone is accepted
// (remote ticket, check-in, book, cancel a booking, 我不等了, 好差评 from the
// phone page), and every other one is refused with the role's reason, in its
// hall and in a hall it does not serve, leaving both halls as they were
// (compared through a manager's snapshots, sequence included).
//
// Which ticket is the citizen's own is the gateway's check (the link's token;
// tests/adapters/citizen: another ticket's token is refused before anything
// reaches the engine): the engine holds no ticket secret, so here a cancel of
// any ticket of its hall with the citizen's reason is accepted.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/client/client.h"
#include "engine/core/calendar.h"
#include "engine/core/command.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/time/system_clock.h"
#include "tests/support/secure_engine.h"

namespace hallq::testing {
namespace {

using core::ErrorCode;

const std::string kSourceDir = HALLQ_SOURCE_DIR;

// The role's reason as access_policy.h states it, written out here.
const std::string kScope =
    "无权执行此操作：citizen gw may only take remote tickets, book, cancel and check in bookings, and cancel "
    "and "
    "evaluate tickets from the phone page in town";

// conf/town.toml with estate's remote tickets open all day and social
// bookable all day, so that the test runs at any hour.
std::string all_day_town(const std::string& dir) {
  std::ifstream in(kSourceDir + "/conf/town.toml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto replace = [&](const std::string& what, const std::string& with) {
    const std::size_t at = text.find(what);
    if (at == std::string::npos) throw std::runtime_error("conf/town.toml: not found: " + what);
    text.replace(at, what.size(), with);
  };
  replace("hours = [\"08:30-16:30\"]", "hours = [\"00:00-24:00\"]");
  replace("expected_handle_min = 6\n",
          "expected_handle_min = 6\n\n[service.appointments]\ncapacity = 2\nslot_min = 30\n"
          "hours = [\"00:00-24:00\"]\nbook_ahead_days = 7\n");
  const std::string path = dir + "/town.toml";
  std::ofstream(path) << text;
  return path;
}

class CitizenRoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_.add_device("gw", "citizen", "town");
    engine_.add_device("m1", "manager", "town");
    engine_.add_device("m2", "manager", "district");
    engine_.start({all_day_town(engine_.dir()), kSourceDir + "/conf/district.toml"}, {"--advise-every", "0"});
  }
  client::Client& as(const std::string& who) {
    auto& c = clients_[who];
    if (!c) {
      client::ClientOptions o;
      o.attempts = 1;
      o.curve = engine_.curve(who);
      c = std::make_unique<client::Client>(ctx_, engine_.engine().cmd(), o);
    }
    return *c;
  }
  protocol::DecodedReply send(const std::string& who, std::string_view hall, const core::CommandBody& body) {
    auto r = as(who).command(hall, body);
    if (!r) throw std::runtime_error(fmt::format("{}: no reply to {}", who, core::verb(body)));
    return *r;
  }
  void ok(const std::string& who, std::string_view hall, const core::CommandBody& body) {
    const protocol::DecodedReply r = send(who, hall, body);
    ASSERT_EQ(r.code, ErrorCode::kOk) << who << " " << core::verb(body) << ": " << r.message;
  }
  // The hall as its manager sees it (the clock aside: it follows the engine's time).
  core::HallState state(const std::string& manager, std::string_view hall) {
    auto snap = as(manager).snapshot(hall);
    protocol::DecodedSnapshot d;
    if (!snap || !protocol::decode_snapshot(protocol::as_bytes(snap->snapshot), d).ok())
      throw std::runtime_error("no snapshot of " + std::string(hall));
    d.state.clock = 0;
    return d.state;
  }

  SecureEngine engine_{"hallq-citizen-role"};
  zmq::context_t ctx_;
  std::map<std::string, std::unique_ptr<client::Client>> clients_;
};

TEST_F(CitizenRoleTest, ThePhonesCommandsAreAcceptedAndNothingElse) {
  const std::string remote_person(64, 'a'), booking_person(64, 'b');
  const std::int64_t today = core::local_day(time::system_clock().now_us(), 8 * 60);

  // What the phone does, as the gateway's key.
  ok("gw", "town", core::IssueRemote{"estate", remote_person, "", 7});  // B001, not arrived
  core::HallState town = state("m1", "town");
  ASSERT_EQ(town.remotes.size(), 1u);
  ok("gw", "town", core::CheckIn{town.remotes[0].code});  // 扫码签到
  ok("gw", "town", core::Book{"social", today + 1, 9 * 60, booking_person, "", 8});
  town = state("m1", "town");
  ASSERT_EQ(town.bookings.size(), 1u);
  ok("gw", "town", core::CancelBooking{town.bookings[0].code});
  ok("gw", "town", core::Book{"social", today + 1, 9 * 60 + 30, booking_person, "", 9});
  // A walk-in ticket from the manager (a kiosk's), served and finished: rated from the phone.
  ok("m1", "town", core::IssueTicket{"social"});  // A001
  ok("m1", "town", core::OpenWindow{"w1", "s01"});
  ok("m1", "town", core::CallTicket{"w1", "A001"});
  ok("m1", "town", core::StartService{"w1"});
  ok("m1", "town", core::Finish{"w1"});
  core::Evaluate rating{"A001", 4};
  rating.channel = core::EvaluationChannel::kPhone;
  ok("gw", "town", rating);
  ok("m1", "town", core::IssueTicket{"social"});  // A002: 我不等了
  ok("gw", "town", core::Cancel{"A002"});
  ok("m1", "town", core::IssueTicket{"social"});  // A003, waiting: what the refusals aim at
  ok("m1", "town", core::CallTicket{"w1", "A003"});
  ok("m2", "district", core::IssueTicket{"social"});  // district's A001

  town = state("m1", "town");
  const core::HallState district = state("m2", "district");
  ASSERT_EQ(town.bookings.size(), 1u) << "the cancelled booking is gone, the second one kept";
  EXPECT_EQ(town.bookings[0].slot_min, 9 * 60 + 30);
  ASSERT_EQ(town.remotes[0].state, core::RemoteState::kCheckedIn);
  ASSERT_EQ(town.tickets.size(), 4u);  // B001, A001, A002, A003
  EXPECT_EQ(town.tickets[1].state, core::TicketState::kRated);
  EXPECT_EQ(town.tickets[1].rating, 4);
  EXPECT_EQ(town.tickets[2].state, core::TicketState::kLeft);
  const std::uint32_t booking = town.bookings[0].code, remote_code = town.remotes[0].code;
  core::Evaluate keypad{"A001", 1};  // the default channel: a keypad's
  core::Evaluate terminal{"A001", 1};
  terminal.channel = core::EvaluationChannel::kTerminal;
  core::Evaluate phone_elsewhere{"A001", 5};
  phone_elsewhere.channel = core::EvaluationChannel::kPhone;
  const std::vector<std::pair<core::CommandBody, std::string>> refused_in_town = {
      {core::IssueTicket{"social"}, "not issue"},  // a walk-in ticket: the kiosk's
      {core::IssueTicket{"social", core::Priority::kPriority}, "not issue"},
      {core::Cancel{"A003", core::LeaveReason::kNotPrinted}, "a cancel by the citizen only, not not_printed"},
      {core::Cancel{"A003", core::LeaveReason::kGaveUp}, "a cancel by the citizen only, not gave_up"},
      {keypad, "an evaluation from the phone page only, not keypad"},
      {terminal, "an evaluation from the phone page only, not terminal"},
      {core::OpenWindow{"w2", "s02"}, "not open"},
      {core::CloseWindow{"w1"}, "not close"},
      {core::PauseWindow{"w1"}, "not pause"},
      {core::ResumeWindow{"w1"}, "not resume"},
      {core::CallNext{"w1"}, "not call"},
      {core::CallTicket{"w1", "A003"}, "not call_ticket"},
      {core::Recall{"w1"}, "not recall"},
      {core::StartService{"w1"}, "not start"},
      {core::SkipTicket{"w1"}, "not skip"},
      {core::Reactivate{"A003"}, "not reactivate"},
      {core::HoldTicket{"w1"}, "not hold"},
      {core::UnholdTicket{"A003"}, "not unhold"},
      {core::Transfer{"w1", "tax"}, "not transfer"},
      {core::Finish{"w1"}, "not finish"},
      {core::SetNotice{"今日暂停办理"}, "not notice"},
      {core::SetWindowSkills{"w1", {{"social", 1}}}, "not skills"},
      {core::AcceptAdvisory{1, "gw"}, "not accept"},
      {core::MoveStaff{"s01", "w2"}, "not move"},
      {core::ReportDevice{"kiosk-1", "printer", core::DeviceState::kPaperOut, ""}, "not device"},
      {core::RecordCallback{1, true, "已回访", "gw"}, "not callback"},
      {core::RecordRectification{1, "已整改", "gw"}, "not rectify"},
      {core::RecordUploadRejection{"town-1", 400, "x"}, "not upload_rejection"},
      {core::RequestUploadResend{"town-E-1"}, "not upload_resend"},
      {core::RecordUploadAcceptance{"town-E-1", 1}, "not upload_acceptance"},
  };
  for (const auto& [body, why] : refused_in_town) {
    const protocol::DecodedReply r = send("gw", "town", body);
    EXPECT_EQ(r.code, ErrorCode::kForbidden) << core::verb(body);
    EXPECT_EQ(r.message, kScope + " (" + why + ")") << core::verb(body);
  }
  // A hall it does not serve: even the phone's own commands.
  const std::vector<core::CommandBody> refused_in_district = {
      core::IssueRemote{"social", remote_person, "", 10},
      core::Book{"social", today + 1, 9 * 60, booking_person, "", 11},
      core::CancelBooking{booking},
      core::CheckIn{remote_code},
      core::Cancel{"A001"},
      phone_elsewhere,
      core::IssueTicket{"social"},
  };
  for (const core::CommandBody& body : refused_in_district) {
    const protocol::DecodedReply r = send("gw", "district", body);
    EXPECT_EQ(r.code, ErrorCode::kForbidden) << core::verb(body);
    EXPECT_EQ(r.message, kScope + " (not district)") << core::verb(body);
  }
  auto snap = as("gw").snapshot("district");
  ASSERT_TRUE(snap.has_value());
  EXPECT_EQ(snap->code, ErrorCode::kForbidden);

  // Both halls as they were: not one event.
  const core::HallState town_after = state("m1", "town"), district_after = state("m2", "district");
  EXPECT_EQ(town_after.seq, town.seq);
  EXPECT_EQ(town_after, town);
  EXPECT_EQ(district_after.seq, district.seq);
  EXPECT_EQ(district_after, district);
  ASSERT_NE(town.windows.size(), 0u);
  std::string out;
  EXPECT_EQ(engine_.engine().stop(out), 0);
  // + the snapshot of district.
  EXPECT_NE(out.find(fmt::format("hallqd security: {} forbidden",
                                 refused_in_town.size() + refused_in_district.size() + 1)),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace hallq::testing
