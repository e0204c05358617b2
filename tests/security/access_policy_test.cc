// The role table, request by request, without sockets.
#include "engine/server/access_policy.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace hallq::server {
namespace {

using keys::DeviceRole;
using keys::KeyEntry;
using protocol::DecodedRequest;
using protocol::RequestKind;

KeyEntry key(DeviceRole role, std::vector<std::string> halls, std::string window = {}) {
  return {
      .name = "d1", .public_key = {}, .role = role, .halls = std::move(halls), .window = std::move(window)};
}

DecodedRequest cmd(std::string_view hall, core::CommandBody body) {
  return {.request_id = "r", .hall = hall, .kind = RequestKind::kCommand, .command = std::move(body)};
}
DecodedRequest snapshot(std::string_view hall) {
  return {.request_id = "r", .hall = hall, .kind = RequestKind::kSnapshot};
}

// Tickets "A001" was last at w1, "A002" at w2.
std::string_view lookup(std::string_view, std::string_view number) {
  return number == "A001" ? "w1" : number == "A002" ? "w2" : "";
}

bool allowed(const KeyEntry& k, const DecodedRequest& r) { return authorize(k, r, lookup).ok(); }

TEST(AccessPolicy, KioskIssuesInItsHallOnly) {
  const KeyEntry k = key(DeviceRole::kKiosk, {"town"});
  EXPECT_TRUE(allowed(k, cmd("town", core::IssueTicket{"social"})));
  EXPECT_FALSE(allowed(k, cmd("district", core::IssueTicket{"social"})));
  const core::Status st = authorize(k, cmd("town", core::CallNext{"w1"}), lookup);
  EXPECT_EQ(st.code(), core::ErrorCode::kForbidden);
  EXPECT_EQ(st.message(),
            "无权执行此操作：kiosk d1 may only issue tickets and check in bookings in town (not call)");
  EXPECT_FALSE(allowed(k, cmd("town", core::Cancel{"A001"})));
  EXPECT_FALSE(allowed(k, cmd("town", core::MoveStaff{"s01", "w1"})));
  EXPECT_TRUE(allowed(k, snapshot("town")));
  EXPECT_FALSE(allowed(k, snapshot("district")));
}

// A kiosk cancels a ticket only as not printed (it could not print it in time).
TEST(AccessPolicy, KioskCancelsOnlyAsNotPrinted) {
  const KeyEntry k = key(DeviceRole::kKiosk, {"town"});
  EXPECT_TRUE(allowed(k, cmd("town", core::Cancel{"A001", core::LeaveReason::kNotPrinted})));
  EXPECT_FALSE(allowed(k, cmd("district", core::Cancel{"A001", core::LeaveReason::kNotPrinted})));
  EXPECT_FALSE(allowed(k, cmd("town", core::Cancel{"A001", core::LeaveReason::kCancelled})));
  EXPECT_FALSE(allowed(k, cmd("town", core::Cancel{"A001", core::LeaveReason::kGaveUp})));
  EXPECT_FALSE(allowed(key(DeviceRole::kDisplay, {"town"}),
                       cmd("town", core::Cancel{"A001", core::LeaveReason::kNotPrinted})));
}

// A kiosk reports its printer's state (ReportDevice) in its hall; a display
// (subscribe only) may not, nor may a caller or keypad.
TEST(AccessPolicy, KioskReportsItsDevicesDisplayMayNot) {
  const core::ReportDevice report{"kiosk-1", "printer", core::DeviceState::kPaperOut, "roll paper end"};
  EXPECT_TRUE(allowed(key(DeviceRole::kKiosk, {"town"}), cmd("town", report)));
  EXPECT_FALSE(allowed(key(DeviceRole::kKiosk, {"town"}), cmd("district", report)));
  const core::Status st = authorize(key(DeviceRole::kDisplay, {"town"}), cmd("town", report), lookup);
  EXPECT_EQ(st.code(), core::ErrorCode::kForbidden);
  EXPECT_EQ(st.message(), "无权执行此操作：display d1 may only subscribe to town (no commands) (not device)");
  EXPECT_FALSE(allowed(key(DeviceRole::kSpeaker, {"town"}), cmd("town", report)));
  EXPECT_FALSE(allowed(key(DeviceRole::kCaller, {"town"}, "w1"), cmd("town", report)));
  EXPECT_FALSE(allowed(key(DeviceRole::kKeypad, {"town"}, "w1"), cmd("town", report)));
  EXPECT_TRUE(allowed(key(DeviceRole::kManager, {"town"}), cmd("town", report)));
}

TEST(AccessPolicy, CallerActsOnItsOwnWindowOnly) {
  const KeyEntry k = key(DeviceRole::kCaller, {"town"}, "w1");
  for (const core::CommandBody& body :
       {core::CommandBody(core::OpenWindow{"w1", "s01"}), core::CommandBody(core::CallNext{"w1"}),
        core::CommandBody(core::CallTicket{"w1", "A009"}), core::CommandBody(core::Recall{"w1"}),
        core::CommandBody(core::StartService{"w1"}), core::CommandBody(core::SkipTicket{"w1"}),
        core::CommandBody(core::HoldTicket{"w1"}), core::CommandBody(core::Transfer{"w1", "tax"}),
        core::CommandBody(core::Finish{"w1"}), core::CommandBody(core::PauseWindow{"w1"}),
        core::CommandBody(core::ResumeWindow{"w1"}), core::CommandBody(core::CloseWindow{"w1"}),
        core::CommandBody(core::Reactivate{"A001"}), core::CommandBody(core::UnholdTicket{"A001"})}) {
    EXPECT_TRUE(allowed(k, cmd("town", body))) << core::verb(body);
  }
  EXPECT_FALSE(allowed(k, cmd("town", core::CallNext{"w2"})));
  EXPECT_FALSE(allowed(k, cmd("town", core::Reactivate{"A002"})));  // last at w2
  EXPECT_FALSE(allowed(k, cmd("town", core::Reactivate{"Z999"})));  // unknown: no window
  EXPECT_FALSE(allowed(k, cmd("town", core::IssueTicket{"social"})));
  EXPECT_FALSE(allowed(k, cmd("town", core::Evaluate{"A001", 5, "w1"})));
  EXPECT_FALSE(allowed(k, cmd("town", core::SetNotice{"x"})));
  // Moving staff involves two windows: managers only, even onto its own window.
  EXPECT_FALSE(allowed(k, cmd("town", core::MoveStaff{"s01", "w1"})));
  EXPECT_EQ(authorize(k, cmd("town", core::MoveStaff{"s01", "w1"}), lookup).message(),
            "无权执行此操作：caller d1 may only act on window w1 in town (not move)");
  EXPECT_FALSE(allowed(k, cmd("district", core::CallNext{"w1"})));
  EXPECT_EQ(authorize(k, cmd("town", core::CallNext{"w2"}), lookup).message(),
            "无权执行此操作：caller d1 may only act on window w1 in town (not call)");
}

TEST(AccessPolicy, KeypadEvaluatesNamingItsWindow) {
  const KeyEntry k = key(DeviceRole::kKeypad, {"town"}, "w3");
  EXPECT_TRUE(allowed(k, cmd("town", core::Evaluate{"A001", 5, "w3"})));
  EXPECT_FALSE(allowed(k, cmd("town", core::Evaluate{"A001", 5, "w4"})));
  EXPECT_FALSE(allowed(k, cmd("town", core::Evaluate{"A001", 5, ""})));  // must name it
  core::Evaluate phone{"A001", 2, "w3"};
  phone.channel = core::EvaluationChannel::kPhone;  // only the gateway speaks for the phone page
  EXPECT_FALSE(allowed(k, cmd("town", phone)));
  core::Evaluate earlier{"A001", 2, "w3"};
  earlier.day = 20'400;  // 补充评价 is the phone page's
  EXPECT_FALSE(allowed(k, cmd("town", earlier)));
  EXPECT_FALSE(allowed(k, cmd("town", core::CallNext{"w3"})));
  EXPECT_FALSE(allowed(k, cmd("town", core::MoveStaff{"s01", "w3"})));
}

TEST(AccessPolicy, DisplaySpeakerAndNotifierOnlySubscribe) {
  for (DeviceRole role : {DeviceRole::kDisplay, DeviceRole::kSpeaker, DeviceRole::kNotifier}) {
    const KeyEntry k = key(role, {"town"});
    EXPECT_TRUE(allowed(k, snapshot("town")));
    EXPECT_TRUE(allowed(k, {.request_id = "p", .hall = "", .kind = RequestKind::kPing}));
    EXPECT_FALSE(allowed(k, cmd("town", core::IssueTicket{"social"})));
    EXPECT_FALSE(allowed(k, cmd("town", core::SetNotice{""})));
    EXPECT_FALSE(allowed(k, cmd("town", core::MoveStaff{"s01", "w1"})));
  }
  EXPECT_EQ(
      authorize(key(DeviceRole::kSpeaker, {"town"}), cmd("town", core::CallNext{"w1"}), lookup).message(),
      "无权执行此操作：speaker d1 may only subscribe to town (no commands) (not call)");
  const KeyEntry n = key(DeviceRole::kNotifier, {"town", "district"});
  EXPECT_TRUE(allowed(n, snapshot("district")));
  EXPECT_FALSE(allowed(n, snapshot("bank")));
  for (const core::CommandBody& body :
       {core::CommandBody{core::Book{"social", 20'000, 570, std::string(64, 'a'), "", 7}},
        core::CommandBody{core::IssueRemote{"social", std::string(64, 'a'), "", 7}},
        core::CommandBody{core::CancelBooking{100'001}}, core::CommandBody{core::Cancel{"A001"}}})
    EXPECT_FALSE(allowed(n, cmd("town", body))) << core::verb(body);
  EXPECT_EQ(authorize(n, cmd("town", core::CallNext{"w1"}), lookup).message(),
            "无权执行此操作：notifier d1 may only subscribe to town, district (no commands) (not call)");
}

TEST(AccessPolicy, ManagerDoesEverythingInItsHallsOnly) {
  const KeyEntry k = key(DeviceRole::kManager, {"town", "bank"});
  EXPECT_TRUE(allowed(k, cmd("town", core::SetNotice{"x"})));
  EXPECT_TRUE(allowed(k, cmd("bank", core::CallNext{"w9"})));
  EXPECT_TRUE(allowed(k, cmd("town", core::AcceptAdvisory{1, ""})));
  EXPECT_TRUE(allowed(k, cmd("town", core::MoveStaff{"s01", "w2"})));
  EXPECT_FALSE(allowed(k, cmd("district", core::IssueTicket{"social"})));
  EXPECT_FALSE(allowed(k, cmd("district", core::MoveStaff{"s01", "w2"})));
  EXPECT_FALSE(allowed(k, snapshot("district")));
}

// The public gateway (issue 20): remote tickets, bookings, and 我不等了 and
// 好差评 of a ticket, in its halls; a walk-in ticket (the kiosk's), every
// command that acts on a window, the staff, the notices or the devices, and
// a cancel or rating in another role's name are refused, naming the role and
// the command.
constexpr std::string_view kCitizenScope =
    "无权执行此操作：citizen d1 may only take remote tickets, book, cancel and check in bookings, and cancel "
    "and evaluate tickets from the phone page in town, bank";

TEST(AccessPolicy, CitizenOnlyTheCommandsOfThePhoneInItsHalls) {
  const KeyEntry k = key(DeviceRole::kCitizen, {"town", "bank"});
  const std::string person(64, 'a');
  EXPECT_TRUE(allowed(k, cmd("town", core::IssueRemote{"estate", person, "", 7})));
  EXPECT_TRUE(allowed(k, cmd("bank", core::IssueRemote{"cash", person, "", 7})));
  EXPECT_TRUE(allowed(k, cmd("town", core::Book{"social", 20'000, 570, person, "", 7})));
  EXPECT_TRUE(allowed(k, cmd("town", core::CancelBooking{100'001})));
  EXPECT_TRUE(allowed(k, cmd("town", core::CheckIn{100'001})));
  EXPECT_TRUE(allowed(k, cmd("town", core::Cancel{"A001"})));
  EXPECT_TRUE(allowed(k, cmd("town", core::Cancel{"A001", core::LeaveReason::kCancelled})));
  core::Evaluate phone{"A001", 2, ""};
  phone.channel = core::EvaluationChannel::kPhone;
  EXPECT_TRUE(allowed(k, cmd("town", phone)));
  phone.day = 20'400;  // 补充评价 of an earlier day's ticket
  EXPECT_TRUE(allowed(k, cmd("town", phone)));
  // The gateway speaks for the phone page only, never for a keypad or a terminal.
  for (core::EvaluationChannel channel : {core::EvaluationChannel::kKeypad, core::EvaluationChannel::kTablet,
                                          core::EvaluationChannel::kTerminal}) {
    core::Evaluate other{"A001", 5, ""};
    other.channel = channel;
    const core::Status st = authorize(k, cmd("town", other), lookup);
    EXPECT_EQ(st.code(), core::ErrorCode::kForbidden);
    EXPECT_EQ(st.message(), fmt::format("{} (an evaluation from the phone page only, not {})", kCitizenScope,
                                        core::to_string(channel)));
  }
  // Nor for a kiosk's ticket it could not print, nor a citizen who gave up
  // (the statistics' abandonment): only the citizen's own 我不等了.
  for (core::LeaveReason reason : {core::LeaveReason::kNotPrinted, core::LeaveReason::kGaveUp}) {
    const core::Status st = authorize(k, cmd("town", core::Cancel{"A001", reason}), lookup);
    EXPECT_EQ(st.code(), core::ErrorCode::kForbidden);
    EXPECT_EQ(st.message(), fmt::format("{} (a cancel by the citizen only, not {})", kCitizenScope,
                                        core::to_string(reason)));
  }
  EXPECT_TRUE(allowed(k, snapshot("town")));
  EXPECT_TRUE(allowed(k, {.request_id = "p", .hall = "", .kind = RequestKind::kPing}));
  for (const core::CommandBody& body :
       {core::CommandBody(core::IssueTicket{"social"}),
        core::CommandBody(core::IssueTicket{"social", core::Priority::kPriority}),
        core::CommandBody(core::OpenWindow{"w1", "s01"}),
        core::CommandBody(core::CloseWindow{"w1"}),
        core::CommandBody(core::PauseWindow{"w1"}),
        core::CommandBody(core::ResumeWindow{"w1"}),
        core::CommandBody(core::CallNext{"w1"}),
        core::CommandBody(core::CallTicket{"w1", "A001"}),
        core::CommandBody(core::Recall{"w1"}),
        core::CommandBody(core::StartService{"w1"}),
        core::CommandBody(core::SkipTicket{"w1"}),
        core::CommandBody(core::Reactivate{"A001"}),
        core::CommandBody(core::HoldTicket{"w1"}),
        core::CommandBody(core::UnholdTicket{"A001"}),
        core::CommandBody(core::Transfer{"w1", "tax"}),
        core::CommandBody(core::Finish{"w1"}),
        core::CommandBody(core::Tick{}),
        core::CommandBody(core::SetWindowSkills{}),
        core::CommandBody(core::Advise{}),
        core::CommandBody(core::AcceptAdvisory{1, ""}),
        core::CommandBody(core::SetNotice{"x"}),
        core::CommandBody(core::MoveStaff{"s01", "w1"}),
        core::CommandBody(core::ReportDevice{"kiosk-1", "printer", core::DeviceState::kOk, ""}),
        core::CommandBody(core::RecordCallback{}),
        core::CommandBody(core::RecordRectification{}),
        core::CommandBody(core::RecordUploadRejection{}),
        core::CommandBody(core::RequestUploadResend{}),
        core::CommandBody(core::RecordUploadAcceptance{})}) {
    const core::Status st = authorize(k, cmd("town", body), lookup);
    EXPECT_EQ(st.code(), core::ErrorCode::kForbidden) << core::verb(body);
    EXPECT_EQ(st.message(), fmt::format("{} (not {})", kCitizenScope, core::verb(body)));
  }
  for (const core::CommandBody& body :
       {core::CommandBody(core::IssueRemote{"social", person, "", 7}),
        core::CommandBody(core::Cancel{"A001"}), core::CommandBody(core::Evaluate{"A001", 5, ""}),
        core::CommandBody(core::CancelBooking{100001}), core::CommandBody(core::CheckIn{100001})}) {
    const core::Status st = authorize(k, cmd("district", body), lookup);
    EXPECT_EQ(st.code(), core::ErrorCode::kForbidden) << core::verb(body);
    EXPECT_EQ(st.message(), fmt::format("{} (not district)", kCitizenScope));
  }
  EXPECT_FALSE(allowed(k, snapshot("district")));
}

// Bookings (预约): who may book, cancel a booking and check in. Managers and
// the citizen gateway all three in their halls; a kiosk only checks in (a
// citizen typing or scanning the code); every other role none.
TEST(AccessPolicy, BookingCommandsByRole) {
  const std::string person(64, 'a');
  const core::CommandBody book = core::Book{"social", 20'000, 570, person, "", 7};
  const core::CommandBody cancel = core::CancelBooking{100'001};
  const core::CommandBody check_in = core::CheckIn{100'001};
  for (DeviceRole role : {DeviceRole::kManager, DeviceRole::kCitizen}) {
    const KeyEntry k = key(role, {"town"});
    for (const core::CommandBody& body : {book, cancel, check_in}) {
      EXPECT_TRUE(allowed(k, cmd("town", body))) << to_string(role) << " " << core::verb(body);
      EXPECT_FALSE(allowed(k, cmd("district", body))) << to_string(role) << " " << core::verb(body);
    }
  }
  const KeyEntry kiosk = key(DeviceRole::kKiosk, {"town"});
  EXPECT_TRUE(allowed(kiosk, cmd("town", check_in)));
  EXPECT_FALSE(allowed(kiosk, cmd("district", check_in)));
  EXPECT_FALSE(allowed(kiosk, cmd("town", book)));
  const core::Status st = authorize(kiosk, cmd("town", cancel), lookup);
  EXPECT_EQ(st.code(), core::ErrorCode::kForbidden);
  EXPECT_EQ(st.message(),
            fmt::format("无权执行此操作：kiosk d1 may only issue tickets and check in bookings in "
                        "town (not {})",
                        core::verb(cancel)));
  for (const KeyEntry& k :
       {key(DeviceRole::kCaller, {"town"}, "w1"), key(DeviceRole::kKeypad, {"town"}, "w1"),
        key(DeviceRole::kDisplay, {"town"}), key(DeviceRole::kSpeaker, {"town"})})
    for (const core::CommandBody& body : {book, cancel, check_in})
      EXPECT_FALSE(allowed(k, cmd("town", body))) << to_string(k.role) << " " << core::verb(body);
}

// Remote tickets (网上取号, IssueRemote): the citizen gateway and managers in
// their halls; a kiosk (it issues walk-in tickets and checks remote ones in),
// a caller, keypad, display or speaker never.
TEST(AccessPolicy, RemoteTicketsByRole) {
  const core::CommandBody remote = core::IssueRemote{"social", std::string(64, 'a'), "", 7};
  for (DeviceRole role : {DeviceRole::kManager, DeviceRole::kCitizen}) {
    EXPECT_TRUE(allowed(key(role, {"town"}), cmd("town", remote))) << to_string(role);
    EXPECT_FALSE(allowed(key(role, {"town"}), cmd("district", remote))) << to_string(role);
  }
  for (const KeyEntry& k : {key(DeviceRole::kKiosk, {"town"}), key(DeviceRole::kCaller, {"town"}, "w1"),
                            key(DeviceRole::kKeypad, {"town"}, "w1"), key(DeviceRole::kDisplay, {"town"}),
                            key(DeviceRole::kSpeaker, {"town"})}) {
    const core::Status st = authorize(k, cmd("town", remote), lookup);
    EXPECT_EQ(st.code(), core::ErrorCode::kForbidden) << to_string(k.role);
    EXPECT_NE(st.message().find("issue_remote"), std::string::npos) << st.message();
  }
}

// The 好差评 upload's bookkeeping is the managers' HTTP API's alone (it
// checks re-sends and acceptances against the event log): refused on the
// devices' socket whoever sends it, naming the command and the route;
// every other command of a manager still goes.
TEST(AccessPolicy, UploadBookkeepingNeverOverTheDeviceSocket) {
  const std::vector<std::pair<core::CommandBody, std::string>> bookkeeping = {
      {core::RecordUploadRejection{"town-E-3", 422, "事项编码不存在"}, "upload_rejection"},
      {core::RequestUploadResend{"town-E-3"}, "upload_resend"},
      {core::RecordUploadAcceptance{"town-E-3", 1}, "upload_acceptance"}};
  for (const auto& [body, verb] : bookkeeping) {
    EXPECT_EQ(core::verb(body), verb);
    const core::Status st = socket_may_send(cmd("town", body));
    EXPECT_EQ(st.code(), core::ErrorCode::kForbidden) << verb;
    EXPECT_EQ(st.message(),
              "无权执行此操作：" + verb +
                  " is taken over the managers' HTTP API only (/api/halls/town/upload-rejections), "
                  "which checks it against the event log");
  }
  for (const core::CommandBody& body : {core::CommandBody{core::IssueTicket{"social"}},
                                        core::CommandBody{core::RecordCallback{7, true, "已致歉", "boss"}},
                                        core::CommandBody{core::SetNotice{"x"}}})
    EXPECT_TRUE(socket_may_send(cmd("town", body)).ok()) << core::verb(body);
  EXPECT_TRUE(socket_may_send(snapshot("town")).ok());
}

}  // namespace
}  // namespace hallq::server
