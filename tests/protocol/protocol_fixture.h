// Shared support for the protocol tests: a hall driven through a scripted
// day that produces every event kind, each event encoded as the engine does
// and paired with what `describe_event` must say about it; helpers to
// hand-craft messages with the generated builder; and `exercise`, which runs
// every decoder that applies to a buffer (used on hostile input, where the
// only requirement is to refuse without crashing).
//
// Builds on the test hall (tests/support/test_hall.h) for the default hall
// and the assertions on events and states.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/hallq_generated.h"
#include "engine/protocol/message.h"
#include "engine/protocol/reply_codec.h"
#include "engine/protocol/request_codec.h"
#include "engine/protocol/snapshot_codec.h"
#include "tests/support/test_hall.h"

namespace hallq::protocol {

inline void PrintTo(MessageKind kind, std::ostream* os) {
  constexpr const char* kNames[] = {"kInvalid", "kRequest", "kReply", "kEvent", "kHeartbeat", "kSnapshot"};
  const auto i = static_cast<std::size_t>(kind);
  *os << (i < std::size(kNames) ? kNames[i] : "?");
}

inline void PrintTo(RequestKind kind, std::ostream* os) {
  constexpr const char* kNames[] = {"kCommand", "kSnapshot", "kPing"};
  const auto i = static_cast<std::size_t>(kind);
  *os << (i < std::size(kNames) ? kNames[i] : "?");
}

}  // namespace hallq::protocol

namespace hallq::test {

namespace protocol = hallq::protocol;
namespace wire = hallq::wire;
using protocol::as_bytes;
using protocol::MessageKind;

// ---------------------------------------------------------------- hand-crafting

// Finishes `fbb` as a Message with the given body and returns its bytes.
inline std::string finish_message(flatbuffers::FlatBufferBuilder& fbb, wire::Body type,
                                  flatbuffers::Offset<void> body) {
  auto msg = wire::CreateMessage(fbb, type, body);
  wire::FinishMessageBuffer(fbb, msg);
  return std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
}

// A Request message with an arbitrary command (type and table chosen by the caller).
inline std::string craft_request(
    std::string_view request_id, std::string_view hall, wire::Command type,
    const std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)>& body) {
  flatbuffers::FlatBufferBuilder fbb;
  auto rid = fbb.CreateString(request_id.data(), request_id.size());
  auto hid =
      hall.empty() ? flatbuffers::Offset<flatbuffers::String>() : fbb.CreateString(hall.data(), hall.size());
  auto cmd = body ? body(fbb) : flatbuffers::Offset<void>();
  return finish_message(fbb, wire::Body::Request, wire::CreateRequest(fbb, rid, hid, type, cmd).Union());
}

// An Event message of hall "test-hall" with an arbitrary body.
inline std::string craft_event(
    std::uint64_t ticket, wire::EventBody type,
    const std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)>& body,
    std::uint64_t seq = 1) {
  flatbuffers::FlatBufferBuilder fbb;
  auto hall = fbb.CreateString("test-hall");
  auto b = body ? body(fbb) : flatbuffers::Offset<void>();
  auto ev = wire::CreateEvent(fbb, hall, seq, 1'700'000'000'000'000, 0, ticket, 0, 0, type, b);
  return finish_message(fbb, wire::Body::Event, ev.Union());
}

// ---------------------------------------------------------------- events

// The ticket an event body names, or 0.
inline TicketId ticket_of(const EventBody& body) {
  return std::visit(
      [](const auto& b) -> TicketId {
        if constexpr (requires { b.ticket; }) {
          return b.ticket;
        } else {
          return 0;
        }
      },
      body);
}

// What describe_event must say about an event, beyond what the core event
// itself gives (seq, time, ticket id, ahead, predicted wait). Unset fields
// must be empty / zero.
struct Want {
  std::string kind;
  std::string number;
  std::string window;
  int window_number = 0;
  std::string service;
  std::string staff;
  std::string priority;
  int level = 0;
  std::string reason;
  std::int64_t day = 0;
  std::string text;
  std::string device, device_kind, device_state;  // device_reported
  std::uint32_t booking = 0;                      // booking_*
  int slot_min = 0;                               // booking_made
  std::vector<std::string> reasons;               // ticket_evaluated
  std::string channel;                            // ticket_evaluated
  bool supplementary = false;                     // ticket_evaluated
  std::string case_number;                        // ticket_finished
  bool reached = false;                           // work_order_called_back
  std::string by;                                 // work_order_called_back, work_order_rectified
  std::string record_id;                          // upload_rejected (its reason is `text`), upload_resend_*
  int status = 0;                                 // upload_rejected
  TicketId ticket = 0;  // upload_rejected, upload_resend_*: the ticket its record names
  int resend = 0;       // upload_resend_accepted
};

// A person's hash as the HTTP layer makes it (booking.h).
inline const std::string kPersonA(64, 'a');
inline const std::string kPersonB(64, 'b');

// The default hall with a staff list, civil bookable 09:00-11:00 in
// 30-minute slots of 2 places (check-in 30 minutes before to 15 after), and
// remote civil tickets 08:00-18:00 (10 a day, 15 minutes of grace).
inline void with_staff_and_appointments(HallConfig& c) {
  with_staff_list(c);
  AppointmentConfig a;
  a.service = kCivil;
  a.slot_min = 30;
  a.capacity = 2;
  a.hours = {{9 * 60, 11 * 60}};
  c.appointments = {a};
  c.remote = {RemoteConfig{kCivil, {{8 * 60, 18 * 60}}, 10, 15}};
}

// One event as applied by the live hall and as the engine would publish it.
struct Sent {
  Event event;
  std::string request_id;
  std::string bytes;
  Want want;
};

// The default hall with a staff list, and a scripted day through it.
class ProtocolFixture : public HallFixture {
 public:
  void SetUp() override { build(with_staff_and_appointments); }

  // Applies a command that must be accepted, encodes its events as the engine
  // does (after the whole command is applied) and records them with `wants`.
  void send(const CommandBody& body, TimeUs now, std::string_view request_id, std::vector<Want> wants) {
    const std::vector<Event> events = ok(body, now, request_id);
    if (events.size() != wants.size()) {
      ADD_FAILURE() << verb(body) << " at seq " << hall_->seq() << " emitted " << events.size()
                    << " events, want " << wants.size();
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
      const bool timed = std::holds_alternative<DayRolled>(events[i].body);
      sent_.push_back({events[i], timed ? std::string() : std::string(request_id),
                       protocol::encode_event(*hall_, events[i], timed ? std::string_view() : request_id),
                       i < wants.size() ? wants[i] : Want{}});
    }
  }

  // 09:00 - 09:50 on the test day. Ends with w1 open (staff wang) serving A001,
  // w2 never opened, w3 closed; A002 waiting (returning), A003 (not rated) and B001 rated,
  // B002 and C001 left.
  void run_morning() {
    send(OpenWindow{"w1", "zhang"}, at(0), "r-open-1",
         {{.kind = "window_opened", .window = "w1", .window_number = 1, .staff = "zhang"}});
    send(OpenWindow{"w3", "li"}, at(1), "",
         {{.kind = "window_opened", .window = "w3", .window_number = 3, .staff = "li"}});
    send(OpenWindow{"w1", "wang"}, at(2), "r-handover",
         {{.kind = "staff_changed", .window = "w1", .window_number = 1, .staff = "wang"}});
    send(IssueTicket{"social"}, at(3), "kiosk-1",
         {{.kind = "ticket_issued", .number = "A001", .service = "social", .priority = "normal"}});
    send(IssueTicket{"social", Priority::kPriority}, at(4), "kiosk-2",
         {{.kind = "ticket_issued", .number = "A002", .service = "social", .priority = "priority"}});
    send(IssueTicket{"civil", Priority::kAppointment}, at(5), "kiosk-3",
         {{.kind = "ticket_issued", .number = "B001", .service = "civil", .priority = "appointment"}});
    send(IssueTicket{"social"}, at(6), "kiosk-4",
         {{.kind = "ticket_issued", .number = "A003", .service = "social", .priority = "normal"}});
    send(IssueTicket{"tax"}, at(7), "kiosk-5",
         {{.kind = "ticket_issued", .number = "C001", .service = "tax", .priority = "normal"}});
    send(IssueTicket{"civil"}, at(7.5), "",
         {{.kind = "ticket_issued", .number = "B002", .service = "civil", .priority = "normal"}});
    send(PauseWindow{"w3"}, at(8), "pad-3-1",
         {{.kind = "window_paused", .window = "w3", .window_number = 3}});
    send(ResumeWindow{"w3"}, at(9), "pad-3-2",
         {{.kind = "window_resumed", .window = "w3", .window_number = 3}});
    send(CallTicket{"w1", "A001"}, at(10), "pad-1-1",
         {{.kind = "ticket_called", .number = "A001", .window = "w1", .window_number = 1}});
    send(Recall{"w1"}, at(11), "pad-1-2",
         {{.kind = "ticket_recalled", .number = "A001", .window = "w1", .window_number = 1}});
    send(SkipTicket{"w1"}, at(12), "pad-1-3",
         {{.kind = "ticket_skipped", .number = "A001", .window = "w1", .window_number = 1}});
    send(Reactivate{"A001"}, at(13), "desk-1", {{.kind = "ticket_requeued", .number = "A001"}});
    send(CallTicket{"w1", "A002"}, at(14), "pad-1-4",
         {{.kind = "ticket_called", .number = "A002", .window = "w1", .window_number = 1}});
    send(StartService{"w1"}, at(15), "pad-1-5",
         {{.kind = "service_started", .number = "A002", .window = "w1", .window_number = 1}});
    send(HoldTicket{"w1"}, at(16), "pad-1-6",
         {{.kind = "ticket_held", .number = "A002", .window = "w1", .window_number = 1}});
    send(UnholdTicket{"A002"}, at(17), "desk-2", {{.kind = "ticket_requeued", .number = "A002"}});
    send(CallTicket{"w3", "B001"}, at(18), "",
         {{.kind = "ticket_called", .number = "B001", .window = "w3", .window_number = 3}});
    send(StartService{"w3"}, at(19), "",
         {{.kind = "service_started", .number = "B001", .window = "w3", .window_number = 3}});
    send(Transfer{"w3", "tax"}, at(25), "pad-3-3",
         {{.kind = "ticket_transferred",
           .number = "B001",
           .window = "w3",
           .window_number = 3,
           .service = "tax"}});
    send(CallTicket{"w1", "A003"}, at(26), "",
         {{.kind = "ticket_called", .number = "A003", .window = "w1", .window_number = 1}});
    send(StartService{"w1"}, at(27), "",
         {{.kind = "service_started", .number = "A003", .window = "w1", .window_number = 1}});
    send(Finish{"w1"}, at(33), "pad-1-7",
         {{.kind = "ticket_finished", .number = "A003", .window = "w1", .window_number = 1}});
    // The counter's keypad timed out (未评价), so the event names the window that served it;
    // the citizen rates A003 the next day from the phone (补充评价).
    send(Evaluate{"A003", 0, "w1"}, at(34), "rate-1",
         {{.kind = "ticket_evaluated",
           .number = "A003",
           .window_number = 1,
           .level = 0,
           .channel = "keypad"}});
    send(Cancel{"B002", LeaveReason::kGaveUp}, at(35), "",
         {{.kind = "ticket_left", .number = "B002", .reason = "gave_up"}});
    send(Cancel{"C001"}, at(36), "kiosk-6",
         {{.kind = "ticket_left", .number = "C001", .reason = "cancelled"}});
    send(CallTicket{"w3", "B001"}, at(37), "",
         {{.kind = "ticket_called", .number = "B001", .window = "w3", .window_number = 3}});
    send(StartService{"w3"}, at(38), "",
         {{.kind = "service_started", .number = "B001", .window = "w3", .window_number = 3}});
    send(Finish{"w3", "GA-0304/17"}, at(45), "",
         {{.kind = "ticket_finished",
           .number = "B001",
           .window = "w3",
           .window_number = 3,
           .case_number = "GA-0304/17"}});
    // 差评: a work order, due five working days later (Monday 2024-03-11).
    send(Evaluate{"B001", 1, "", {"02", "04"}, "等了一上午"}, at(46), "",
         {{.kind = "ticket_evaluated",
           .number = "B001",
           .window_number = 3,
           .level = 1,
           .text = "等了一上午",
           .reasons = {"02", "04"},
           .channel = "keypad"},
          {.kind = "work_order_opened", .number = "B001", .day = kDay + 7}});
    send(CloseWindow{"w3"}, at(47), "pad-3-4",
         {{.kind = "window_closed", .window = "w3", .window_number = 3}});
    send(PauseWindow{"w1"}, at(47.5), "", {{.kind = "window_paused", .window = "w1", .window_number = 1}});
    send(ResumeWindow{"w1"}, at(48), "", {{.kind = "window_resumed", .window = "w1", .window_number = 1}});
    send(CallTicket{"w1", "A001"}, at(49), "",
         {{.kind = "ticket_called", .number = "A001", .window = "w1", .window_number = 1}});
    send(StartService{"w1"}, at(50), "",
         {{.kind = "service_started", .number = "A001", .window = "w1", .window_number = 1}});
  }

  // The next morning: the day rolls while A001 is still at w1 (A002 expires),
  // a new A001 is issued, the old one finished and w1 closed.
  void run_next_day() {
    const TimeUs morning = config_->day_start(kDay + 1) + minutes(8 * 60);
    send(Tick{}, morning, "", {{.kind = "day_rolled", .day = kDay + 1}});
    send(IssueTicket{"social"}, morning + minutes(1), "kiosk-7",
         {{.kind = "ticket_issued", .number = "A001", .service = "social", .priority = "normal"}});
    send(Finish{"w1"}, morning + minutes(2), "pad-1-8",
         {{.kind = "ticket_finished", .number = "A001", .window = "w1", .window_number = 1}});
    // Tidal windows: a manager's skill change, an advisory and its acceptance.
    send(SetWindowSkills{"w1", {{"social", 1}, {"civil", 3}}}, morning + minutes(2), "mgr-1",
         {{.kind = "window_skills_changed", .window = "w1", .window_number = 1}});
    send(Advise{kCivil, kW1, AdvisoryAction::kLend, {{kCivil, 1}, {kSocial, 2}}, 1500, 600},
         morning + minutes(2), "",
         {{.kind = "advisory_issued", .window = "w1", .window_number = 1, .service = "civil"}});
    send(AcceptAdvisory{1, ""}, morning + minutes(2), "mgr-2",
         {{.kind = "window_skills_changed", .window = "w1", .window_number = 1}});
    send(SetNotice{"今日下午暂停办理不动产登记"}, morning + minutes(2), "mgr-3",
         {{.kind = "notice_changed", .text = "今日下午暂停办理不动产登记"}});
    // A kiosk's printer runs out of paper.
    send(ReportDevice{"kiosk-1", "printer", DeviceState::kPaperOut, "roll paper end"}, morning + minutes(2),
         "kiosk-1-dev",
         {{.kind = "device_reported",
           .text = "roll paper end",
           .device = "kiosk-1",
           .device_kind = "printer",
           .device_state = "paper_out"}});
    send(CloseWindow{"w1"}, morning + minutes(3), "pad-1-9",
         {{.kind = "window_closed", .window = "w1", .window_number = 1}});
    // Appointments: booked, one cancelled, one checked in, one missed.
    send(
        Book{"civil", kDay + 1, 9 * 60, kPersonA, "13800138000", 5}, morning + minutes(4), "gw-1",
        {{.kind = "booking_made", .service = "civil", .day = kDay + 1, .booking = 100'005, .slot_min = 540}});
    send(
        Book{"civil", kDay + 1, 9 * 60 + 30, kPersonB, "", 6}, morning + minutes(5), "gw-2",
        {{.kind = "booking_made", .service = "civil", .day = kDay + 1, .booking = 100'006, .slot_min = 570}});
    send(CancelBooking{100'006}, morning + minutes(6), "gw-3",
         {{.kind = "booking_cancelled", .booking = 100'006}});
    send(CheckIn{100'005}, morning + minutes(30), "kiosk-8",
         {{.kind = "ticket_issued", .number = "B001", .service = "civil", .priority = "appointment"},
          {.kind = "booking_checked_in", .number = "B001", .booking = 100'005}});
    send(
        Book{"civil", kDay + 1, 9 * 60 + 30, kPersonB, "", 7}, morning + minutes(31), "gw-4",
        {{.kind = "booking_made", .service = "civil", .day = kDay + 1, .booking = 100'007, .slot_min = 570}});
    send(Tick{}, morning + minutes(106), "", {{.kind = "booking_missed", .booking = 100'007}});
    // Remote tickets: one checked in, one whose turn passes and is dropped.
    send(IssueRemote{"civil", kPersonB, "13900139000", 8}, morning + minutes(107), "gw-5",
         {{.kind = "remote_ticket_issued", .number = "B002", .service = "civil", .booking = 100'008}});
    send(IssueRemote{"civil", kPersonA, "", 9}, morning + minutes(108), "gw-6",
         {{.kind = "remote_ticket_issued", .number = "B003", .service = "civil", .booking = 100'009}});
    send(CheckIn{100'009}, morning + minutes(109), "kiosk-9",
         {{.kind = "remote_checked_in", .number = "B003"}});
    send(IssueTicket{"civil"}, morning + minutes(110), "kiosk-10",
         {{.kind = "ticket_issued", .number = "B004", .service = "civil", .priority = "normal"}});
    send(OpenWindow{"w2", "zhang"}, morning + minutes(111), "",
         {{.kind = "window_opened", .window = "w2", .window_number = 2, .staff = "zhang"}});
    send(CallTicket{"w2", "B004"}, morning + minutes(112), "",
         {{.kind = "ticket_called", .number = "B004", .window = "w2", .window_number = 2},
          {.kind = "remote_turn_came", .number = "B002"}});
    send(Tick{}, morning + minutes(128), "", {{.kind = "remote_missed", .number = "B002"}});
    // Yesterday's A003, not rated at the keypad, rated from its phone page.
    send(Evaluate{"A003", 4, "", {}, "", EvaluationChannel::kPhone, kDay}, morning + minutes(129), "gw-7",
         {{.kind = "ticket_evaluated",
           .number = "A003",
           .level = 4,
           .channel = "phone",
           .supplementary = true}});
    // The follow-up of yesterday's 差评 (B001 is ticket 3): callbacks, then the rectification.
    send(RecordCallback{3, false, "电话无人接听", "chief"}, morning + minutes(129), "mgr-4",
         {{.kind = "work_order_called_back", .number = "B001", .text = "电话无人接听", .by = "chief"}});
    send(RecordCallback{3, true, "已致歉，群众表示理解", "chief"}, morning + minutes(130), "mgr-5",
         {{.kind = "work_order_called_back",
           .number = "B001",
           .text = "已致歉，群众表示理解",
           .reached = true,
           .by = "chief"}});
    send(RecordRectification{3, "复核材料清单，一次性告知", "chief"}, morning + minutes(131), "mgr-6",
         {{.kind = "work_order_rectified",
           .number = "B001",
           .text = "复核材料清单，一次性告知",
           .by = "chief"}});
    // The platform refused B001's rating record (yesterday's ticket, known by its work order)
    // and a record of a ticket the hall no longer knows (no number).
    send(RecordUploadRejection{"test-hall-E-3", 422, "事项编码不存在"}, morning + minutes(132), "rej-E-3",
         {{.kind = "upload_rejected",
           .number = "B001",
           .text = "事项编码不存在",
           .record_id = "test-hall-E-3",
           .status = 422,
           .ticket = 3}});
    send(RecordUploadRejection{"test-hall-W-999-12", 409, "重复上报"}, morning + minutes(133), "",
         {{.kind = "upload_rejected", .text = "重复上报", .record_id = "test-hall-W-999-12", .status = 409}});
    // A manager asks for B001's record to be sent again (the ticket's number goes along).
    send(RequestUploadResend{"test-hall-E-3"}, morning + minutes(134), "resend-E-3",
         {{.kind = "upload_resend_requested", .number = "B001", .record_id = "test-hall-E-3", .ticket = 3}});
    // The platform accepted that re-send (hallq-upload reports it).
    send(RecordUploadAcceptance{"test-hall-E-3", 1}, morning + minutes(135), "acc-E-3~r1",
         {{.kind = "upload_resend_accepted",
           .number = "B001",
           .record_id = "test-hall-E-3",
           .ticket = 3,
           .resend = 1}});
  }

  void run_full_session() {
    run_morning();
    run_next_day();
  }

  std::vector<Sent> sent_;
};

// ---------------------------------------------------------------- hostile input

// Runs `inspect` and every decoder that applies to what it found. Decoders of
// messages that passed verification must return (ok or an error), never crash;
// nested blobs of a reply must themselves pass inspect. Returns the kind.
inline MessageKind exercise(protocol::Bytes bytes, const HallConfig& config) {
  std::string why;
  const MessageKind kind = protocol::inspect(bytes, &why);
  switch (kind) {
    case MessageKind::kInvalid:
      EXPECT_FALSE(why.empty());
      break;
    case MessageKind::kRequest: {
      protocol::DecodedRequest r;
      const Status st = protocol::decode_request(bytes, r);
      if (!st.ok()) {
        EXPECT_FALSE(st.message().empty());
      }
      break;
    }
    case MessageKind::kEvent: {
      (void)protocol::peek_event(bytes);
      (void)protocol::describe_event(bytes);
      protocol::DecodedEvent e;
      const Status st = protocol::decode_event(bytes, config, e);
      if (!st.ok()) {
        EXPECT_EQ(st.code(), ErrorCode::kMalformed);
      }
      break;
    }
    case MessageKind::kSnapshot: {
      protocol::DecodedSnapshot s;
      const Status st = protocol::decode_snapshot(bytes, s);
      if (st.ok()) {
        try {
          (void)protocol::remap_state(s, config);
        } catch (const CorruptionError&) {
        }
      } else {
        EXPECT_EQ(st.code(), ErrorCode::kMalformed);
      }
      break;
    }
    case MessageKind::kReply: {
      const protocol::DecodedReply r = protocol::decode_reply(bytes);
      for (const std::string& e : r.events) {
        EXPECT_EQ(exercise(as_bytes(e), config), MessageKind::kEvent);
      }
      if (!r.snapshot.empty()) {
        EXPECT_EQ(exercise(as_bytes(r.snapshot), config), MessageKind::kSnapshot);
      }
      break;
    }
    case MessageKind::kHeartbeat:
      (void)protocol::decode_heartbeat(bytes);
      break;
  }
  return kind;
}

}  // namespace hallq::test
