// Requests: every command kind, snapshot requests and pings survive the wire;
// incomplete or out-of-range requests are refused with a message that names
// what is wrong, before the core sees them.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/protocol/protocol_fixture.h"

namespace hallq::test {
namespace {

// One sample of every command that travels, with every field set to a
// non-default value where it has one.
std::vector<CommandBody> every_command() {
  return {
      IssueTicket{"social", Priority::kAppointment},
      OpenWindow{"w1", "zhang"},
      CloseWindow{"w2"},
      PauseWindow{"w3"},
      ResumeWindow{"W-4_x"},
      CallNext{"w1"},
      CallTicket{"w2", "B012"},
      Recall{"w3"},
      StartService{"w1"},
      SkipTicket{"w2"},
      Reactivate{"A001"},
      HoldTicket{"w3"},
      UnholdTicket{"AB123456"},
      Transfer{"w1", "civil"},
      Finish{"w2", "GA-2024/0017.b_c"},
      Evaluate{"C007", 4, "w3"},
      Evaluate{"C007", 2, "", {"01", "08"}, "窗口离岗二十分钟", EvaluationChannel::kPhone, 20'429},
      Cancel{"A099", LeaveReason::kGaveUp},
      Cancel{"A100", LeaveReason::kNotPrinted},
      SetWindowSkills{"w1", {{"social", 1}, {"civil", 2}, {"tax", 9}}},
      AcceptAdvisory{7, "zhang"},
      SetNotice{"今日 12:00-13:30 午间照常办理"},
      MoveStaff{"zhang", "w3"},
      ReportDevice{"kiosk-town-1", "printer", DeviceState::kPaperOut, "DLE EOT 4: roll paper end (0x72)"},
      Book{"civil", 20'429, 9 * 60 + 30, std::string(64, 'c'), "13800138000", 4'242'424'242},
      CancelBooking{123'456},
      CheckIn{999'999},
      IssueRemote{"civil", std::string(64, 'd'), "13900139000", 3'141'592'653},
      RecordCallback{42, true, "已回访，群众满意", "chief"},
      RecordRectification{42, "窗口整改完成", "chief"},
      RecordUploadRejection{"town-W-42-1234", 422, "事项编码不存在"},
      RequestUploadResend{"town-E-42"},
      RecordUploadAcceptance{"town-E-42", 2},
  };
}

Status decode(const std::string& bytes, protocol::DecodedRequest& out) {
  EXPECT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kRequest);
  return protocol::decode_request(as_bytes(bytes), out);
}

// ------------------------------------------------------------ round trips

TEST(RequestCodec, EveryCommandKindRoundTrips) {
  std::set<std::size_t> kinds;
  for (const CommandBody& body : every_command()) {
    SCOPED_TRACE(verb(body));
    kinds.insert(body.index());
    const std::string bytes = protocol::encode_request("req-1", "test-hall", body);
    protocol::DecodedRequest r;
    const Status st = decode(bytes, r);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(r.kind, protocol::RequestKind::kCommand);
    EXPECT_EQ(r.request_id, "req-1");
    EXPECT_EQ(r.hall, "test-hall");
    EXPECT_EQ(r.command, body);
  }
  // Every variant but Tick and Advise (the engine's own) is covered.
  EXPECT_EQ(kinds.size(), std::variant_size_v<CommandBody> - 2);
}

TEST(RequestCodec, DefaultsAndOptionalFieldsRoundTrip) {
  const std::vector<CommandBody> bodies = {
      IssueTicket{"social"},  // priority normal (the wire default)
      IssueTicket{"tax", Priority::kPriority},
      OpenWindow{"w1", ""},     // halls without a staff list
      Evaluate{"A001", 1, ""},  // window optional
      Evaluate{"A001", 5, ""},
      Finish{"w2"},                   // no case number
      Cancel{"A001"},                 // reason cancelled (the wire default)
      ReportDevice{"k1", "printer"},  // state ok (the wire default), no detail
  };
  for (const CommandBody& body : bodies) {
    SCOPED_TRACE(verb(body));
    protocol::DecodedRequest r;
    const std::string bytes = protocol::encode_request("", "h", body);
    const Status st = decode(bytes, r);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(r.request_id, "");
    EXPECT_EQ(r.hall, "h");
    EXPECT_EQ(r.command, body);
  }
}

TEST(RequestCodec, DecodedStringsPointIntoTheBuffer) {
  const std::string bytes = protocol::encode_request("rid", "test-hall", CallTicket{"w2", "B012"});
  protocol::DecodedRequest r;
  ASSERT_TRUE(decode(bytes, r).ok());
  const auto* c = std::get_if<CallTicket>(&r.command);
  ASSERT_NE(c, nullptr);
  auto inside = [&](std::string_view v) {
    return v.data() >= bytes.data() && v.data() + v.size() <= bytes.data() + bytes.size();
  };
  EXPECT_TRUE(inside(r.request_id));
  EXPECT_TRUE(inside(r.hall));
  EXPECT_TRUE(inside(c->window));
  EXPECT_TRUE(inside(c->number));
}

TEST(RequestCodec, SnapshotRequestRoundTrips) {
  protocol::DecodedRequest r;
  const std::string bytes = protocol::encode_snapshot_request("snap-1", "test-hall");
  const Status st = decode(bytes, r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(r.kind, protocol::RequestKind::kSnapshot);
  EXPECT_EQ(r.request_id, "snap-1");
  EXPECT_EQ(r.hall, "test-hall");
}

TEST(RequestCodec, PingNeedsNoHall) {
  protocol::DecodedRequest r;
  const std::string bytes = protocol::encode_ping("ping-1");
  const Status st = decode(bytes, r);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(r.kind, protocol::RequestKind::kPing);
  EXPECT_EQ(r.request_id, "ping-1");
  EXPECT_EQ(r.hall, "");
}

TEST(RequestCodec, ReusedOutputTakesTheNewRequestsKind) {
  // A server may decode into one DecodedRequest per connection.
  protocol::DecodedRequest r;
  const std::string snapshot = protocol::encode_snapshot_request("a", "test-hall");
  const std::string call = protocol::encode_request("b", "test-hall", CallNext{"w1"});
  const std::string ping = protocol::encode_ping("c");
  ASSERT_TRUE(decode(snapshot, r).ok());
  ASSERT_EQ(r.kind, protocol::RequestKind::kSnapshot);
  ASSERT_TRUE(decode(call, r).ok());
  EXPECT_EQ(r.kind, protocol::RequestKind::kCommand);
  EXPECT_EQ(r.command, CommandBody(CallNext{"w1"}));
  ASSERT_TRUE(decode(ping, r).ok());
  EXPECT_EQ(r.kind, protocol::RequestKind::kPing);
  EXPECT_EQ(r.hall, "");
  ASSERT_TRUE(decode(snapshot, r).ok());
  EXPECT_EQ(r.kind, protocol::RequestKind::kSnapshot);
}

// ------------------------------------------------------------ refusals

void expect_refused(const std::string& bytes, ErrorCode code, std::string_view names) {
  protocol::DecodedRequest r;
  const Status st = decode(bytes, r);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(to_string(st.code()), to_string(code)) << st.message();
  EXPECT_NE(st.message().find(names), std::string::npos)
      << "message \"" << st.message() << "\" should name " << names;
}

TEST(RequestCodec, CommandWithoutHallIsMalformed) {
  for (const CommandBody& body : every_command()) {
    SCOPED_TRACE(verb(body));
    expect_refused(protocol::encode_request("r", "", body), ErrorCode::kMalformed, "hall");
  }
  expect_refused(protocol::encode_snapshot_request("r", ""), ErrorCode::kMalformed, "hall");
  // Absent rather than empty.
  expect_refused(craft_request("r", "", wire::Command::CallNext,
                               [](auto& fbb) { return wire::CreateCallNextDirect(fbb, "w1").Union(); }),
                 ErrorCode::kMalformed, "hall");
}

TEST(RequestCodec, RequestWithoutCommandIsMalformed) {
  expect_refused(craft_request("r", "test-hall", wire::Command::NONE, {}), ErrorCode::kMalformed, "command");
}

TEST(RequestCodec, UnknownCommandTypeIsMalformed) {
  // A command type from a newer schema: verification passes, decoding refuses.
  expect_refused(craft_request("r", "test-hall", static_cast<wire::Command>(200),
                               [](auto& fbb) { return wire::CreatePing(fbb).Union(); }),
                 ErrorCode::kMalformed, "command");
}

TEST(RequestCodec, MissingRequiredFieldIsMalformedAndNamed) {
  struct Case {
    CommandBody body;
    std::string_view field;
  };
  const std::vector<Case> cases = {
      {IssueTicket{""}, "service"},
      {OpenWindow{"", "zhang"}, "window"},
      {CloseWindow{""}, "window"},
      {PauseWindow{""}, "window"},
      {ResumeWindow{""}, "window"},
      {CallNext{""}, "window"},
      {CallTicket{"", "A001"}, "window"},
      {CallTicket{"w1", ""}, "number"},
      {Recall{""}, "window"},
      {StartService{""}, "window"},
      {SkipTicket{""}, "window"},
      {Reactivate{""}, "number"},
      {HoldTicket{""}, "window"},
      {UnholdTicket{""}, "number"},
      {Transfer{"", "tax"}, "window"},
      {Transfer{"w1", ""}, "service"},
      {Finish{""}, "window"},
      {Evaluate{"", 5, "w1"}, "number"},
      {Cancel{""}, "number"},
      {SetWindowSkills{"", {{"social", 1}}}, "window"},
      {SetWindowSkills{"w1", {}}, "serves"},
      {SetWindowSkills{"w1", {{"", 1}}}, "service"},
      {MoveStaff{"", "w1"}, "staff"},
      {MoveStaff{"zhang", ""}, "window"},
      {ReportDevice{"", "printer"}, "device id"},
      {ReportDevice{"k1", ""}, "kind"},
      {Book{"", 20'429, 540, std::string(64, 'c'), "", 1}, "service"},
      {Book{"civil", 20'429, 540, "", "", 1}, "person"},
      {IssueRemote{"", std::string(64, 'd'), "", 1}, "service"},
      {IssueRemote{"civil", "", "", 1}, "person"},
  };
  std::set<std::size_t> kinds;
  for (const Case& c : cases) {
    SCOPED_TRACE(fmt::format("{} without {}", verb(c.body), c.field));
    kinds.insert(c.body.index());
    expect_refused(protocol::encode_request("r", "test-hall", c.body), ErrorCode::kMalformed, c.field);
  }
  // All but Tick, Advise (internal), AcceptAdvisory and SetNotice (no
  // required string: an empty notice withdraws it), CancelBooking and CheckIn
  // (a code: 0 is refused by the core as an unknown booking), RecordCallback
  // and RecordRectification (a ticket id, and notes the core refuses empty in Chinese),
  // RecordUploadRejection (its record id and reason: the core refuses them empty in Chinese),
  // RequestUploadResend (likewise its record id), RecordUploadAcceptance (its
  // record id, and a re-send number 0 the core refuses).
  EXPECT_EQ(kinds.size(), std::variant_size_v<CommandBody> - 11);
}

TEST(RequestCodec, AbsentRequiredFieldIsMalformedAndNamed) {
  // Fields left out by the builder entirely (not empty strings).
  expect_refused(craft_request("r", "test-hall", wire::Command::IssueTicket,
                               [](auto& fbb) { return wire::CreateIssueTicket(fbb).Union(); }),
                 ErrorCode::kMalformed, "service");
  expect_refused(
      craft_request("r", "test-hall", wire::Command::CallTicket,
                    [](auto& fbb) { return wire::CreateCallTicketDirect(fbb, "w1", nullptr).Union(); }),
      ErrorCode::kMalformed, "number");
  expect_refused(
      craft_request("r", "test-hall", wire::Command::Transfer,
                    [](auto& fbb) { return wire::CreateTransferDirect(fbb, nullptr, "tax").Union(); }),
      ErrorCode::kMalformed, "window");
  expect_refused(
      craft_request("r", "test-hall", wire::Command::Evaluate,
                    [](auto& fbb) { return wire::CreateEvaluateDirect(fbb, nullptr, 5, "w1").Union(); }),
      ErrorCode::kMalformed, "number");
  expect_refused(
      craft_request("r", "test-hall", wire::Command::MoveStaff,
                    [](auto& fbb) { return wire::CreateMoveStaffDirect(fbb, nullptr, "w1").Union(); }),
      ErrorCode::kMalformed, "staff");
}

TEST(RequestCodec, RequestIdOfAtMost64Bytes) {
  const std::string max(kMaxRequestIdLength, 'x');
  const std::string over(kMaxRequestIdLength + 1, 'x');
  protocol::DecodedRequest r;
  const std::string bytes = protocol::encode_request(max, "test-hall", CallNext{"w1"});
  ASSERT_TRUE(decode(bytes, r).ok());
  EXPECT_EQ(r.request_id, max);
  expect_refused(protocol::encode_request(over, "test-hall", CallNext{"w1"}), ErrorCode::kBadArgument, "64");
  expect_refused(protocol::encode_snapshot_request(over, "test-hall"), ErrorCode::kBadArgument, "64");
  expect_refused(protocol::encode_ping(over), ErrorCode::kBadArgument, "64");
}

TEST(RequestCodec, TickCannotBeEncoded) {
  EXPECT_THROW((void)protocol::encode_request("r", "test-hall", Tick{}), std::invalid_argument);
}

// ------------------------------------------------------------ out-of-range values

TEST(RequestCodec, UnknownPriorityIsRefusedNotCast) {
  for (int p : {3, 7, 255}) {
    SCOPED_TRACE(p);
    const std::string bytes = craft_request("r", "test-hall", wire::Command::IssueTicket, [&](auto& fbb) {
      return wire::CreateIssueTicketDirect(fbb, "social", static_cast<wire::Priority>(p)).Union();
    });
    protocol::DecodedRequest r;
    EXPECT_FALSE(decode(bytes, r).ok());
    // Also when a client casts a number into the core enum.
    EXPECT_FALSE(
        decode(protocol::encode_request("r", "test-hall", IssueTicket{"social", static_cast<Priority>(p)}), r)
            .ok());
  }
}

TEST(RequestCodec, UnknownLeaveReasonIsRefusedNotCast) {
  for (int reason : {3, 9, 255}) {  // 2 is not_printed
    SCOPED_TRACE(reason);
    const std::string bytes = craft_request("r", "test-hall", wire::Command::Cancel, [&](auto& fbb) {
      return wire::CreateCancelDirect(fbb, "A001", static_cast<wire::LeaveReason>(reason)).Union();
    });
    protocol::DecodedRequest r;
    EXPECT_FALSE(decode(bytes, r).ok());
  }
}

TEST(RequestCodec, EvaluationLevelIsNotWrappedIntoRange) {
  // The wire carries a byte; a level that does not fit must not arrive as a
  // valid one (261 would wrap to 5, -255 to 1, 256 to 0: not rated).
  for (int level : {256, 257, 261, 1000, -1, -255, -251}) {
    SCOPED_TRACE(level);
    protocol::DecodedRequest r;
    const std::string bytes = protocol::encode_request("r", "test-hall", Evaluate{"A001", level, ""});
    ASSERT_TRUE(decode(bytes, r).ok());
    const auto* e = std::get_if<Evaluate>(&r.command);
    ASSERT_NE(e, nullptr);
    EXPECT_GT(e->level, 5) << "arrived as " << e->level;
  }
  // In-range and plainly wrong byte values pass through for the core to judge.
  for (int level : {0, 1, 5, 6, 255}) {
    protocol::DecodedRequest r;
    const std::string bytes = protocol::encode_request("r", "test-hall", Evaluate{"A001", level, ""});
    ASSERT_TRUE(decode(bytes, r).ok());
    EXPECT_EQ(std::get<Evaluate>(r.command).level, level);
  }
}

TEST(RequestCodec, RequestsAreSmall) {
  // A request with maximal ids stays far below the request size limit.
  const std::string id(64, 'x');
  const std::string bytes = protocol::encode_request(id, id, Evaluate{id, 5, id});
  EXPECT_LT(bytes.size(), 1024u);
  EXPECT_LT(bytes.size(), protocol::kMaxRequestBytes);
}

}  // namespace
}  // namespace hallq::test
