// Snapshots: a hall's whole state with its config survives the wire (with the
// request-id memory only when asked), a replica built from one behaves like
// the live hall, and remap_state carries a state onto a changed config by id.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "engine/protocol/personal_data.h"
#include "tests/protocol/protocol_fixture.h"

namespace hallq::test {
namespace {

class SnapshotCodecTest : public ProtocolFixture {
 public:
  protocol::DecodedSnapshot round_trip(const Hall& hall, std::uint64_t epoch, bool with_requests) {
    const std::string bytes = protocol::encode_snapshot(hall, epoch, with_requests);
    std::string why;
    EXPECT_EQ(protocol::inspect(as_bytes(bytes), &why), MessageKind::kSnapshot) << why;
    protocol::DecodedSnapshot d;
    const Status st = protocol::decode_snapshot(as_bytes(bytes), d);
    EXPECT_TRUE(st.ok()) << st.message();
    return d;
  }

  // Applies the same commands to the live hall and to `copy`; both must emit
  // the same events and end in the same state.
  void continue_both(Hall& copy, const std::vector<CommandBody>& commands, bool compare_requests) {
    TimeUs now = hall_->clock();
    for (const CommandBody& body : commands) {
      now += minutes(1);
      SCOPED_TRACE(verb(body));
      std::vector<Event> theirs;
      const Status mine = apply(body, now);
      const Status other = copy.apply(Command{{}, body}, now, theirs);
      EXPECT_EQ(to_string(mine.code()), to_string(other.code()))
          << mine.message() << " / " << other.message();
      EXPECT_TRUE(same_events(last_, theirs));
    }
    EXPECT_TRUE(same_state(hall_->export_state(), copy.export_state(), compare_requests));
  }
};

const std::vector<CommandBody> kAfterMorning = {
    IssueTicket{"social"},
    IssueTicket{"civil"},
    Finish{"w1"},
    CallNext{"w1"},
    StartService{"w1"},
    Finish{"w1"},
    OpenWindow{"w2", "zhang"},
    CallNext{"w2"},
    Evaluate{"A001", 4, "w1"},
};

// ------------------------------------------------------------ round trips

TEST_F(SnapshotCodecTest, EmptyHallRoundTrips) {
  const protocol::DecodedSnapshot d = round_trip(*hall_, 1, true);
  ASSERT_TRUE(d.config);
  EXPECT_EQ(d.hall, "test-hall");
  EXPECT_EQ(d.seq, 0u);
  EXPECT_EQ(d.epoch, 1u);
  EXPECT_TRUE(same_value(*d.config, *config_, "config"));
  Hall copy(d.config, policy_, predictor_);
  copy.import_state(d.state);
  EXPECT_TRUE(same_state(hall_->export_state(), copy.export_state()));
}

// A hall without tickets has empty struct vectors, which FlatBuffers leaves
// unaligned; whatever the hall id's length shifts them to, they decode.
TEST_F(SnapshotCodecTest, EmptyHallRoundTripsWhateverItsIdsLength) {
  for (std::string id = "h"; id.size() <= 16; id += 'x') {
    SCOPED_TRACE(id);
    build([&](HallConfig& c) { c.id = id; });
    const protocol::DecodedSnapshot d = round_trip(*hall_, 1, false);
    EXPECT_EQ(d.hall, id);
    EXPECT_TRUE(d.state.tickets.empty());
  }
}

TEST_F(SnapshotCodecTest, BusyHallRoundTripsWithRequests) {
  run_morning();
  const HallState want = hall_->export_state();
  ASSERT_FALSE(want.requests.empty());
  const protocol::DecodedSnapshot d = round_trip(*hall_, 0xABCD'EF01'2345'6789ull, true);
  ASSERT_TRUE(d.config);
  EXPECT_EQ(d.hall, "test-hall");
  EXPECT_EQ(d.seq, hall_->seq());
  EXPECT_EQ(d.epoch, 0xABCD'EF01'2345'6789ull);
  EXPECT_TRUE(same_value(*d.config, *config_, "config"));
  EXPECT_TRUE(same_state(want, d.state));

  Hall copy(d.config, policy_, predictor_);
  copy.import_state(d.state);
  EXPECT_TRUE(same_state(want, copy.export_state()));
  ASSERT_NE(copy.find_request("kiosk-1"), nullptr);  // retries are still recognised
  EXPECT_EQ(copy.find_request("kiosk-1")->first_seq, hall_->find_request("kiosk-1")->first_seq);
  continue_both(copy, kAfterMorning, true);
}

TEST_F(SnapshotCodecTest, BusyHallRoundTripsWithoutRequests) {
  run_morning();
  const protocol::DecodedSnapshot d = round_trip(*hall_, 5, false);
  EXPECT_TRUE(d.state.requests.empty());
  Hall copy(d.config, policy_, predictor_);
  copy.import_state(d.state);
  const HallState got = copy.export_state();
  EXPECT_TRUE(got.requests.empty());
  EXPECT_TRUE(same_state(hall_->export_state(), got, /*with_requests=*/false));
  EXPECT_EQ(copy.find_request("kiosk-1"), nullptr);
  continue_both(copy, kAfterMorning, false);
}

// A subscriber gets a snapshot inside ZeroMQ's receive buffer, at whatever
// address the frames before it left; it must decode there just the same.
TEST_F(SnapshotCodecTest, DecodesAtAnyAddress) {
  run_morning();
  const std::string bytes = protocol::encode_snapshot(*hall_, 3, true);
  std::vector<std::uint64_t> storage(bytes.size() / 8 + 2);
  for (std::size_t shift = 0; shift < 8; ++shift) {
    SCOPED_TRACE(shift);
    auto* at = reinterpret_cast<std::uint8_t*>(storage.data()) + shift;
    std::memcpy(at, bytes.data(), bytes.size());
    protocol::DecodedSnapshot d;
    const Status st = protocol::decode_snapshot(protocol::Bytes(at, bytes.size()), d);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_TRUE(same_state(hall_->export_state(), d.state));
  }
}

TEST_F(SnapshotCodecTest, WithRequestsIsTheOnlyDifference) {
  run_morning();
  const std::string with = protocol::encode_snapshot(*hall_, 9, true);
  const std::string without = protocol::encode_snapshot(*hall_, 9, false);
  EXPECT_GT(with.size(), without.size());
}

TEST_F(SnapshotCodecTest, HallAfterTheDayRolledRoundTrips) {
  run_full_session();
  const protocol::DecodedSnapshot d = round_trip(*hall_, 2, true);
  EXPECT_EQ(d.state.day, kDay + 1);
  Hall copy(d.config, policy_, predictor_);
  copy.import_state(d.state);
  EXPECT_TRUE(same_state(hall_->export_state(), copy.export_state()));
  // Today's numbers are indexed again; yesterday's are not.
  ASSERT_NE(copy.find_number("A001"), nullptr);
  EXPECT_EQ(copy.find_number("A001")->id, hall_->find_number("A001")->id);
  continue_both(copy, {IssueTicket{"social"}, OpenWindow{"w1", "li"}, CallNext{"w1"}, Cancel{"A001"}}, true);
}

// An earlier day's ticket open to 补充评价 keeps the visit that finished it
// (service, window, staff): a replica opens the same work order for a later 差评.
TEST_F(SnapshotCodecTest, AnEarlierDaysTicketKeepsItsVisitForALaterPoorRating) {
  ok(IssueTicket{"civil"}, at(0));
  ok(OpenWindow{"w2", "zhang"}, at(1));
  ASSERT_EQ(serve_next("w2", at(2)), "B001");
  ok(IssueTicket{"social"}, at(24 * 60));
  const protocol::DecodedSnapshot d = round_trip(*hall_, 2, false);
  ASSERT_EQ(d.state.rateable.size(), 1u);
  EXPECT_EQ(d.state.rateable[0].service, kCivil);
  EXPECT_EQ(d.state.rateable[0].window, kW2);
  EXPECT_EQ(d.state.rateable[0].staff, "zhang");
  Hall copy(d.config, policy_, predictor_);
  copy.import_state(d.state);
  Evaluate later{"B001", 1, ""};
  later.channel = EvaluationChannel::kPhone;
  later.day = kDay;
  continue_both(copy, {later}, false);
  ASSERT_EQ(copy.work_orders().size(), 1u);
  EXPECT_EQ(copy.work_orders()[0].window, kW2);
  EXPECT_EQ(copy.work_orders()[0].staff, "zhang");
}

// The hall's devices (ReportDevice) survive: id order, kind, state, detail and
// since; a replica built from the snapshot goes on like the live hall.
TEST_F(SnapshotCodecTest, DevicesRoundTrip) {
  run_morning();
  ok(ReportDevice{"kiosk-2", "printer", DeviceState::kCoverOpen, "DLE EOT 2: cover open (0x16)"}, at(60));
  ok(ReportDevice{"kiosk-1", "printer", DeviceState::kPaperLow, ""}, at(61));
  ok(ReportDevice{"kiosk-1", "printer", DeviceState::kPaperLow, "near end"}, at(62));  // since stays
  const HallState want = hall_->export_state();
  ASSERT_EQ(want.devices.size(), 2u);
  const protocol::DecodedSnapshot d = round_trip(*hall_, 3, false);
  ASSERT_EQ(d.state.devices.size(), 2u);
  EXPECT_EQ(d.state.devices[0].first, "kiosk-1");
  EXPECT_EQ(d.state.devices[0].second, (DeviceStatus{"printer", DeviceState::kPaperLow, "near end", at(61)}));
  EXPECT_EQ(d.state.devices[1].first, "kiosk-2");
  EXPECT_EQ(d.state.devices[1].second,
            (DeviceStatus{"printer", DeviceState::kCoverOpen, "DLE EOT 2: cover open (0x16)", at(60)}));
  Hall copy(d.config, policy_, predictor_);
  copy.import_state(d.state);
  EXPECT_TRUE(same_state(want, copy.export_state(), false));
  continue_both(copy,
                {ReportDevice{"kiosk-2", "printer", DeviceState::kOk, ""},
                 ReportDevice{"kiosk-2", "printer", DeviceState::kOk, ""},  // unchanged: no event
                 ReportDevice{"kiosk-0", "printer", DeviceState::kUnreachable, "connect: refused"}},
                false);
}

// Bookings (appointments) survive in every state, and the replica goes on
// like the live hall (check-in, no-show, the next day forgetting them).
TEST_F(SnapshotCodecTest, BookingsRoundTrip) {
  build(with_staff_and_appointments);
  ok(Book{"civil", kDay, 10 * 60, kPersonA, "13800138000", 11}, at(0));
  ok(Book{"civil", kDay, 10 * 60 + 30, kPersonB, "", 12}, at(1));
  ok(Book{"civil", kDay + 1, 9 * 60, kPersonA, "", 13}, at(2));
  ok(CheckIn{100'011}, at(35));
  const HallState want = hall_->export_state();
  ASSERT_EQ(want.bookings.size(), 3u);
  const protocol::DecodedSnapshot d = round_trip(*hall_, 3, false);
  EXPECT_EQ(d.state.bookings, want.bookings);
  Hall copy(d.config, policy_, predictor_);
  copy.import_state(d.state);
  EXPECT_TRUE(same_state(want, copy.export_state(), false));
  continue_both(copy, {CheckIn{100'012}, CancelBooking{100'013}, Tick{}}, false);
}

// Withheld (issue 20: the form for devices without access to personal
// data): every booking's person and phone empty, everything else as in full;
// a replica imports it and folds the hall's later events, the personal ones
// withheld too (protocol/personal_data.h), without refusing the empty persons.
TEST_F(SnapshotCodecTest, WithheldBookingsKeepAllButWhoAndThePhone) {
  build(with_staff_and_appointments);
  ok(Book{"civil", kDay, 10 * 60, kPersonA, "13800138000", 11}, at(0));
  ok(Book{"civil", kDay, 10 * 60 + 30, kPersonB, "13900139000", 12}, at(1));
  ok(Book{"civil", kDay + 1, 9 * 60, kPersonA, "", 13}, at(2));
  const std::string bytes = protocol::encode_snapshot(*hall_, 3, false, protocol::PersonalData::kWithhold);
  for (const std::string& secret :
       {kPersonA, kPersonB, std::string("13800138000"), std::string("13900139000")})
    EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
  protocol::DecodedSnapshot d;
  ASSERT_TRUE(protocol::decode_snapshot(as_bytes(bytes), d).ok());
  auto blanked = [](HallState st) {
    for (core::Booking& b : st.bookings) b.person.clear(), b.phone.clear();
    for (core::RemoteTicket& r : st.remotes) r.person.clear(), r.phone.clear();
    return st;
  };
  ASSERT_EQ(d.state.bookings.size(), 3u);
  EXPECT_EQ(d.state.bookings, blanked(hall_->export_state()).bookings);
  Hall copy(d.config, policy_, predictor_);
  copy.import_state(d.state);
  const std::vector<CommandBody> later = {Book{"civil", kDay + 1, 9 * 60 + 30, kPersonB, "13900139000", 14},
                                          CheckIn{100'011}, CancelBooking{100'013}};
  TimeUs now = at(35);
  for (const CommandBody& body : later) {
    SCOPED_TRACE(verb(body));
    for (const Event& e : ok(body, now += minutes(1))) {
      std::string wire_event = protocol::encode_event(*hall_, e, "r1");
      if (protocol::carries_personal_data(as_bytes(wire_event)))
        wire_event = protocol::withhold_personal_data(as_bytes(wire_event));
      EXPECT_EQ(wire_event.find(kPersonB), std::string::npos);
      protocol::DecodedEvent decoded;
      ASSERT_TRUE(protocol::decode_event(as_bytes(wire_event), *d.config, decoded).ok());
      EXPECT_EQ(decoded.request_id, protocol::carries_personal_data(as_bytes(wire_event)) ? "" : "r1");
      copy.apply_event(decoded.event);
    }
  }
  EXPECT_TRUE(same_state(blanked(hall_->export_state()), copy.export_state(), false));
  EXPECT_EQ(copy.bookings().size(), 3u);
}

// A 差评 work order's comment (the citizen's, copied from the rating) and its
// callback and rectification notes (what the citizen said, a phone number
// reached) are withheld like a booking's phone: in the withheld snapshot and
// events they are empty, the reasons, who recorded the steps and when stay,
// and a replica folds the withheld form.
TEST_F(SnapshotCodecTest, WithheldWorkOrdersKeepAllButTheCommentAndNotes) {
  const std::string phone = "13812345678", fixed = "已对王某某窗口服务整改";
  const std::string missed = "拨打 " + phone + " 未接通", reached = "已联系 " + phone;  // commands hold views
  const std::string comment = "请回电 " + phone;
  ok(IssueTicket{"social"}, at(0));
  ok(IssueTicket{"social"}, at(0));
  ok(OpenWindow{"w1", "zhang"}, at(1));
  ASSERT_EQ(serve_next("w1", at(2)), "A001");
  ok(Evaluate{"A001", 2, "w1", {"01", "06"}, comment}, at(3));
  ok(RecordCallback{1, false, missed, "manager"}, at(10));
  ASSERT_EQ(hall_->work_orders().at(0).comment, comment);
  // In full, the comment and reasons round-trip.
  const protocol::DecodedSnapshot full = round_trip(*hall_, 3, false);
  ASSERT_EQ(full.state.work_orders.size(), 1u);
  EXPECT_EQ(full.state.work_orders, hall_->export_state().work_orders);
  const std::string bytes = protocol::encode_snapshot(*hall_, 3, false, protocol::PersonalData::kWithhold);
  EXPECT_EQ(bytes.find(phone), std::string::npos);
  protocol::DecodedSnapshot d;
  ASSERT_TRUE(protocol::decode_snapshot(as_bytes(bytes), d).ok());
  auto blanked = [](HallState st) {
    for (core::WorkOrder& o : st.work_orders) {
      for (core::WorkOrderCallback& c : o.callbacks) c.note.clear();
      o.rectification.clear();
      o.comment.clear();
    }
    return st;
  };
  ASSERT_EQ(d.state.work_orders.size(), 1u);
  EXPECT_EQ(d.state.work_orders, blanked(hall_->export_state()).work_orders);
  EXPECT_EQ(d.state.work_orders[0].callbacks.at(0).by, "manager");
  EXPECT_EQ(d.state.work_orders[0].reasons, (std::vector<std::string>{"01", "06"}));
  Hall copy(d.config, policy_, predictor_);
  copy.import_state(d.state);
  const std::vector<CommandBody> later = {RecordCallback{1, true, reached, "manager"},
                                          RecordRectification{1, fixed, "chief"}};
  TimeUs now = at(30);
  for (const CommandBody& body : later) {
    SCOPED_TRACE(verb(body));
    for (const Event& e : ok(body, now += minutes(1))) {
      std::string wire_event = protocol::encode_event(*hall_, e, "r1");
      ASSERT_TRUE(protocol::carries_personal_data(as_bytes(wire_event)));
      wire_event = protocol::withhold_personal_data(as_bytes(wire_event));
      EXPECT_EQ(wire_event.find(phone), std::string::npos);
      EXPECT_EQ(wire_event.find(fixed), std::string::npos);
      protocol::DecodedEvent decoded;
      ASSERT_TRUE(protocol::decode_event(as_bytes(wire_event), *d.config, decoded).ok());
      copy.apply_event(decoded.event);
    }
  }
  EXPECT_EQ(copy.work_orders(), blanked(hall_->export_state()).work_orders);
  EXPECT_TRUE(copy.work_orders().at(0).closed());
  EXPECT_EQ(copy.work_orders().at(0).rectified_by, "chief");
}

TEST_F(SnapshotCodecTest, EveryConfigFieldSurvives) {
  for (double help_load : {7.25, 0.0}) {
    SCOPED_TRACE(help_load);
    build([&](HallConfig& c) {
      with_staff_list(c);
      c.id = "district-7";
      c.name = "商家镇便民服务中心";
      c.hours = {{8 * 60 + 30, 12 * 60}, {13 * 60 + 30, 17 * 60 + 45}};
      c.wait_target_min = 35.5;
      c.utc_offset_min = -(5 * 60 + 30);
      c.weekdays = 0b0111110;
      c.closed_days = {20362, 20363};  // 2025-10-01, 02
      c.extra_days = {20358};          // 2025-09-27
      core::AppointmentConfig a;
      a.service = kTax;
      a.slot_min = 20;
      a.capacity = 3;
      a.hours = {{9 * 60, 11 * 60}};
      a.weekdays = 0b0000110;
      a.sessions = {{0b1000000, {{8 * 60, 9 * 60}, {10 * 60, 12 * 60}}}, {0, {{18 * 60, 19 * 60}}}};
      a.check_in_before_min = 25;
      a.check_in_after_min = 5;
      a.book_ahead_days = 14;
      c.appointments = {a};
      c.rules.policy = "oldest";
      c.rules.recall_limit = 4;
      c.rules.reactivate_min = 45;
      c.rules.reactivate_behind = 0;
      c.rules.priority_ratio = 5;
      c.rules.help_load = help_load;
      c.rules.number_digits = 4;
      c.rules.max_tickets_per_service = 500;
      c.services[1].kind = ServiceKind::kPromise;
      c.services[2].expected_handle_min = 0.125;
      c.services.push_back({"passport", "出入境", "PX", ServiceKind::kInstant, 12.5});
      c.windows.push_back({"W-4", 40, "帮办窗口", WindowKind::kAssist, {{3, 1}, {kTax, 3}}});
      c.windows.push_back({"w5", 9999, "即办窗口", WindowKind::kInstant, {{kSocial, 9}}});
      c.windows.push_back({"w6", 6, "优先窗口", WindowKind::kPriority, {{kCivil, 1}, {kSocial, 1}}});
      c.division_code = "500240";
      c.services[0].item_code = "11500240MB1532113R400011710200001";
      c.services[0].department_code = "11500240MB1532113R";
      c.evaluation = {"cq-2024.1", {{"A1", "窗口人员离岗"}, {"A2", "一次性告知不到位"}}, 12, 15, 3};
    });
    ok(OpenWindow{"W-4", "li"}, at(0));
    ok(IssueTicket{"passport"}, at(1));
    const protocol::DecodedSnapshot d = round_trip(*hall_, 3, false);
    ASSERT_TRUE(d.config);
    EXPECT_EQ(d.hall, "district-7");
    EXPECT_TRUE(same_value(*d.config, *config_, "config"));
    EXPECT_TRUE(d.config->find_window("W-4").has_value());  // decoded config is indexed
    EXPECT_EQ(d.config->find_prefix("PX"), std::optional<ServiceIdx>(3));
    Hall copy(d.config, policy_, predictor_);
    copy.import_state(d.state);
    EXPECT_TRUE(same_state(hall_->export_state(), copy.export_state(), false));
    EXPECT_EQ(copy.number_of(copy.tickets().front()), "PX0001");
  }
}

// ------------------------------------------------------------ refusals

// Overwrites one byte of an encoded message (tests patch what they decode).
void patch_byte(const void* at, std::uint8_t value) {
  *static_cast<std::uint8_t*>(const_cast<void*>(at)) = value;
}

// Offset of the first byte in which two structs differ.
template <class T>
std::size_t first_difference(const T& a, const T& b) {
  const auto* x = reinterpret_cast<const std::uint8_t*>(&a);
  const auto* y = reinterpret_cast<const std::uint8_t*>(&b);
  for (std::size_t i = 0; i < sizeof(T); ++i)
    if (x[i] != y[i]) return i;
  ADD_FAILURE() << "no difference";
  return 0;
}

wire::TicketLive ticket_live(std::uint16_t service, std::uint8_t priority, std::uint8_t state,
                             std::uint8_t qc) {
  return wire::TicketLive(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, service, 0,
                          static_cast<wire::Priority>(priority), static_cast<wire::TicketState>(state),
                          static_cast<wire::QueueClass>(qc), 0, 0, 0);
}

// Patches an encoded snapshot in place (same size, still verifiable) and
// checks decode_snapshot refuses it.
class SnapshotRefusalTest : public SnapshotCodecTest {
 public:
  void SetUp() override {
    SnapshotCodecTest::SetUp();
    run_morning();
    bytes_ = protocol::encode_snapshot(*hall_, 1, true);
    snap_ = wire::GetMessage(bytes_.data())->body_as_HallSnapshot();
    ASSERT_NE(snap_, nullptr);
    ASSERT_TRUE(snap_->tickets() && snap_->tickets()->size() > 0);
  }

  template <class T>
  static std::uint8_t* writable(const T* p) {
    return reinterpret_cast<std::uint8_t*>(const_cast<T*>(p));
  }

  void expect_refused(std::string_view names) {
    ASSERT_EQ(protocol::inspect(as_bytes(bytes_)), MessageKind::kSnapshot);
    protocol::DecodedSnapshot d;
    const Status st = protocol::decode_snapshot(as_bytes(bytes_), d);
    EXPECT_EQ(st.code(), ErrorCode::kMalformed) << st.message();
    EXPECT_NE(st.message().find(names), std::string::npos) << st.message();
  }

  std::string bytes_;
  const wire::HallSnapshot* snap_ = nullptr;
};

// Devices out of id order or twice (a hand-made snapshot), or in a state no
// version knows, are refused.
TEST_F(SnapshotCodecTest, DevicesOutOfOrderTwiceOrOfAnUnknownStateAreRefused) {
  ok(ReportDevice{"a", "printer", DeviceState::kPaperOut, ""}, at(1));
  ok(ReportDevice{"b", "printer", DeviceState::kPaperOut, ""}, at(2));
  // patch(snapshot) changes the encoded snapshot in place (same size).
  using Patch = std::function<void(const wire::HallSnapshot&)>;
  const std::vector<std::pair<std::string, Patch>> patches = {
      {"out of order",
       [](const wire::HallSnapshot& s) { patch_byte(s.devices()->Get(0)->id()->data(), 'c'); }},
      {"twice", [](const wire::HallSnapshot& s) { patch_byte(s.devices()->Get(1)->id()->data(), 'a'); }},
      {"unknown state",
       [](const wire::HallSnapshot& s) {
         const auto* table = reinterpret_cast<const flatbuffers::Table*>(s.devices()->Get(0));
         patch_byte(table->GetAddressOf(wire::DeviceLive::VT_STATE), 42);
       }},
  };
  for (const auto& [what, patch] : patches) {
    SCOPED_TRACE(what);
    std::string bytes = protocol::encode_snapshot(*hall_, 1, false);
    protocol::DecodedSnapshot d;
    ASSERT_TRUE(protocol::decode_snapshot(as_bytes(bytes), d).ok());
    patch(*wire::GetMessage(bytes.data())->body_as_HallSnapshot());
    ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kSnapshot);
    const Status st = protocol::decode_snapshot(as_bytes(bytes), d);
    EXPECT_EQ(st.code(), ErrorCode::kMalformed) << st.message();
    EXPECT_NE(st.message().find("device"), std::string::npos) << st.message();
  }
}

TEST_F(SnapshotRefusalTest, TicketStateOutOfRange) {
  writable(snap_->tickets()->Get(0))[first_difference(ticket_live(0, 0, 0, 0), ticket_live(0, 0, 42, 0))] =
      42;
  expect_refused("ticket");
}

TEST_F(SnapshotRefusalTest, TicketPriorityOutOfRange) {
  writable(snap_->tickets()->Get(1))[first_difference(ticket_live(0, 0, 0, 0), ticket_live(0, 7, 0, 0))] = 7;
  expect_refused("ticket");
}

TEST_F(SnapshotRefusalTest, QueueClassOutOfRange) {
  writable(snap_->tickets()->Get(1))[first_difference(ticket_live(0, 0, 0, 0), ticket_live(0, 0, 0, 3))] = 3;
  expect_refused("ticket");
}

TEST_F(SnapshotRefusalTest, TicketOfAnUnknownService) {
  const std::size_t at = first_difference(ticket_live(0, 0, 0, 0), ticket_live(1, 0, 0, 0));
  flatbuffers::WriteScalar<std::uint16_t>(writable(snap_->tickets()->Get(0)) + at, 3);
  expect_refused("service");
}

TEST_F(SnapshotRefusalTest, WindowStateOutOfRange) {
  const wire::WindowLive* w1 = snap_->windows()->Get(kW1);  // open: its state is stored
  const std::uint8_t* state =
      reinterpret_cast<const flatbuffers::Table*>(w1)->GetAddressOf(wire::WindowLive::VT_STATE);
  ASSERT_NE(state, nullptr);
  *const_cast<std::uint8_t*>(state) = 3;
  expect_refused("window state");
}

TEST_F(SnapshotRefusalTest, SkillOfAnUnknownService) {
  const wire::Skill* k = snap_->windows()->Get(kW1)->skills()->Get(0);
  flatbuffers::WriteScalar<std::uint16_t>(writable(k), 3);
  expect_refused("skill");
}

TEST_F(SnapshotRefusalTest, FewerWindowsThanTheConfig) {
  const auto* windows = snap_->windows();
  flatbuffers::WriteScalar<flatbuffers::uoffset_t>(writable(windows), windows->size() - 1);
  expect_refused("config");
}

TEST_F(SnapshotRefusalTest, FewerLastNumbersThanServices) {
  const auto* v = snap_->last_number();
  flatbuffers::WriteScalar<flatbuffers::uoffset_t>(writable(v), v->size() - 1);
  expect_refused("config");
}

TEST_F(SnapshotRefusalTest, InvalidConfig) {
  const flatbuffers::String* prefix = snap_->config()->services()->Get(0)->prefix();
  writable(prefix->c_str())[0] = 'a';  // prefixes are capital letters
  expect_refused("prefix");
}

TEST_F(SnapshotRefusalTest, ServiceKindOutOfRange) {
  const wire::ServiceConf* tax = snap_->config()->services()->Get(kTax);  // promise: its kind is stored
  const std::uint8_t* kind =
      reinterpret_cast<const flatbuffers::Table*>(tax)->GetAddressOf(wire::ServiceConf::VT_KIND);
  ASSERT_NE(kind, nullptr);
  *const_cast<std::uint8_t*>(kind) = 2;
  expect_refused("service kind");
}

TEST_F(SnapshotRefusalTest, WindowKindOutOfRange) {
  const wire::WindowConf* w3 = snap_->config()->windows()->Get(kW3);  // fallback: its kind is stored
  const std::uint8_t* kind =
      reinterpret_cast<const flatbuffers::Table*>(w3)->GetAddressOf(wire::WindowConf::VT_KIND);
  ASSERT_NE(kind, nullptr);
  *const_cast<std::uint8_t*>(kind) = 5;
  expect_refused("window kind");
}

// A consistent one-service, one-window snapshot with one ticket, whose tickets
// (or statistics) vector starts `shift` bytes after where the builder would
// put it: 4-byte aligned, as the verifier demands, but not 8.
std::string snapshot_with_vector_at(bool shift_tickets, std::size_t shift) {
  flatbuffers::FlatBufferBuilder fbb;
  const std::vector<wire::Skill> serves = {wire::Skill(0, 1)};
  std::vector<flatbuffers::Offset<wire::ServiceConf>> services = {
      wire::CreateServiceConfDirect(fbb, "social", "社保", "A", wire::ServiceKind::instant, 5)};
  std::vector<flatbuffers::Offset<wire::WindowConf>> windows = {
      wire::CreateWindowConfDirect(fbb, "w1", 1, "一号", wire::WindowKind::classified, &serves)};
  auto rules = wire::CreateRulesDirect(fbb, "balanced", 2, 30, 3, 3, 3, 9999);
  auto config = wire::CreateHallConfDirect(fbb, "h", "大厅", nullptr, 20, 480, rules, &services, &windows);
  std::vector<flatbuffers::Offset<wire::WindowLive>> live = {wire::CreateWindowLiveDirect(fbb)};
  const wire::TicketLive ticket(1, 1'709'514'000'000'000, 1'709'514'000'000'000, 1, 0, 0, 0, 0, 0, 1, 0, 0,
                                0xFFFFFFFF, 0, 0, kNoWindow, wire::Priority::normal,
                                wire::TicketState::waiting, wire::QueueClass::normal, 0, 0, 0);
  const wire::StatsLive stats(0, 0, 0, 0, 0);
  // Builds a vector of one struct aligned to 4 only, after `pad` bytes.
  auto vector_of = [&](const auto& item, std::size_t pad) {
    fbb.StartVector(sizeof(item) / 4 + pad / 4, 4);
    for (std::size_t i = 0; i < pad; ++i) fbb.PushElement<std::uint8_t>(0);
    fbb.PushBytes(reinterpret_cast<const std::uint8_t*>(&item), sizeof(item));
    return fbb.EndVector(1);
  };
  const flatbuffers::uoffset_t tickets =
      shift_tickets ? vector_of(ticket, shift) : fbb.CreateVectorOfStructs(&ticket, 1).o;
  const flatbuffers::uoffset_t stat =
      shift_tickets ? fbb.CreateVectorOfStructs(&stats, 1).o : vector_of(stats, shift);
  auto hall = fbb.CreateString("h");
  auto windows_live = fbb.CreateVector(live);
  auto last_number = fbb.CreateVector(std::vector<std::uint32_t>{1});
  auto snap = wire::CreateHallSnapshot(
      fbb, hall, 1, 1, 1'709'514'000'000'000, 19786, 2, 2, config, 0, windows_live,
      flatbuffers::Offset<flatbuffers::Vector<const wire::TicketLive*>>(tickets), last_number,
      flatbuffers::Offset<flatbuffers::Vector<const wire::StatsLive*>>(stat));
  return finish_message(fbb, wire::Body::HallSnapshot, snap.Union());
}

TEST(SnapshotCodec, MisalignedStructVectorsAreRefused) {
  for (bool tickets : {true, false}) {
    SCOPED_TRACE(tickets ? "tickets" : "stats");
    int misaligned = 0;
    for (std::size_t shift : {0, 4}) {
      const std::string bytes = snapshot_with_vector_at(tickets, shift);
      ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kSnapshot);
      const wire::HallSnapshot* s = wire::GetMessage(bytes.data())->body_as_HallSnapshot();
      const void* data = tickets ? static_cast<const void*>(s->tickets()->Data()) : s->stats()->Data();
      protocol::DecodedSnapshot d;
      const Status st = protocol::decode_snapshot(as_bytes(bytes), d);
      if (reinterpret_cast<std::uintptr_t>(data) % 8 == 0) {
        EXPECT_TRUE(st.ok()) << st.message();  // the same snapshot, aligned, is fine
      } else {
        ++misaligned;
        EXPECT_EQ(st.code(), ErrorCode::kMalformed);
        EXPECT_NE(st.message().find("misaligned"), std::string::npos) << st.message();
      }
    }
    EXPECT_EQ(misaligned, 1);
  }
}

TEST(SnapshotCodec, DecodingANonSnapshotIsMalformed) {
  protocol::DecodedSnapshot d;
  EXPECT_EQ(protocol::decode_snapshot(as_bytes(protocol::encode_ping("p")), d).code(), ErrorCode::kMalformed);
}

// ------------------------------------------------------------ remap_state

std::string service_id(const HallConfig& c, ServiceIdx s) { return c.services.at(s).id; }
std::string window_id(const HallConfig& c, WindowIdx w) { return w == kNoWindow ? "-" : c.windows.at(w).id; }

// (service id, level) pairs, sorted: skills compared by meaning.
std::vector<std::pair<std::string, int>> skill_set(const HallConfig& c, const std::vector<Skill>& skills) {
  std::vector<std::pair<std::string, int>> out;
  for (const Skill& k : skills) out.emplace_back(service_id(c, k.service), k.level);
  std::sort(out.begin(), out.end());
  return out;
}

// The default config reordered (services and windows reversed) with one more
// service and one more window; `tweak` changes it further before validation.
std::shared_ptr<HallConfig> reordered_config(const ConfigTweak& tweak = {}) {
  auto c = std::make_shared<HallConfig>();
  c->id = "test-hall";
  c->name = "测试便民服务中心";
  c->hours = {{8 * 60 + 30, 17 * 60 + 30}};
  c->services = {
      {"passport", "出入境", "D", ServiceKind::kInstant, 8},
      {"tax", "税务", "C", ServiceKind::kPromise, 4},
      {"civil", "民政", "B", ServiceKind::kInstant, 10},
      {"social", "社保医保", "A", ServiceKind::kInstant, 6},
  };
  c->windows = {
      {"w4", 4, "出入境窗口", WindowKind::kClassified, {{0, 1}}},
      {"w3", 3, "综合窗口", WindowKind::kFallback, {{3, 2}, {2, 2}, {1, 1}}},
      {"w2", 2, "民政窗口", WindowKind::kClassified, {{2, 1}}},
      {"w1", 1, "社保窗口", WindowKind::kClassified, {{3, 1}, {2, 2}}},
  };
  with_staff_list(*c);
  if (tweak) tweak(*c);
  if (auto problem = c->validate_and_index()) ADD_FAILURE() << problem->section << " " << problem->message;
  return c;
}

class RemapTest : public SnapshotCodecTest {};

TEST_F(RemapTest, ReorderedConfigWithAnExtraServiceAndWindowMapsById) {
  run_morning();
  const protocol::DecodedSnapshot d = round_trip(*hall_, 1, true);
  const HallState from = d.state;
  auto target = reordered_config();
  const HallState s = protocol::remap_state(d, *target);

  EXPECT_EQ(s.seq, from.seq);
  EXPECT_EQ(s.clock, from.clock);
  EXPECT_EQ(s.day, from.day);
  EXPECT_EQ(s.next_ticket, from.next_ticket);
  EXPECT_EQ(s.next_queue_order, from.next_queue_order);
  EXPECT_EQ(s.staff_names, from.staff_names);
  EXPECT_EQ(s.requests.size(), from.requests.size());

  // Windows by id; the new one closed, idle, with its configured skills.
  ASSERT_EQ(s.windows.size(), target->windows.size());
  for (WindowIdx j = 0; j < target->windows.size(); ++j) {
    const std::string id = target->windows[j].id;
    SCOPED_TRACE(id);
    const Window& got = s.windows[j];
    if (auto i = config_->find_window(id)) {
      Window want = from.windows[*i];
      want.skills = got.skills;  // compared by meaning below
      EXPECT_EQ(got, want);
      EXPECT_EQ(skill_set(*target, got.skills), skill_set(*config_, from.windows[*i].skills));
    } else {
      EXPECT_EQ(id, "w4");
      EXPECT_EQ(got.state, WindowState::kClosed);
      EXPECT_EQ(got.current, 0u);
      EXPECT_EQ(got.staff, kNoStaff);
      EXPECT_EQ(got.served, 0u);
      EXPECT_EQ(got.skills, target->windows[j].serves);
    }
  }
  EXPECT_EQ(s.windows[*target->find_window("w1")].state, WindowState::kOpen);

  // Tickets keep ids, numbers and everything else; services and windows by id.
  ASSERT_EQ(s.tickets.size(), from.tickets.size());
  for (std::size_t i = 0; i < s.tickets.size(); ++i) {
    const Ticket& a = from.tickets[i];
    const Ticket& b = s.tickets[i];
    SCOPED_TRACE(hall_->number_of(a));
    EXPECT_EQ(service_id(*target, b.service), service_id(*config_, a.service));
    EXPECT_EQ(service_id(*target, b.issued_service), service_id(*config_, a.issued_service));
    EXPECT_EQ(window_id(*target, b.window), window_id(*config_, a.window));
    Ticket want = a;
    want.service = b.service;
    want.issued_service = b.issued_service;
    want.window = b.window;
    EXPECT_EQ(b, want);
  }

  // Per-service numbering and statistics by id; the new service starts at zero.
  for (ServiceIdx j = 0; j < target->services.size(); ++j) {
    const std::string id = target->services[j].id;
    SCOPED_TRACE(id);
    if (auto i = config_->find_service(id)) {
      EXPECT_EQ(s.last_number[j], from.last_number[*i]);
      EXPECT_EQ(s.stats[j], from.stats[*i]);
    } else {
      EXPECT_EQ(s.last_number[j], 0u);
      EXPECT_EQ(s.stats[j].finished, 0u);
    }
  }

  // The remapped state fits the target: numbers print the same and the hall
  // carries on where the live one is.
  Hall moved(target, policy_, predictor_);
  moved.import_state(s);
  for (const Ticket& t : hall_->tickets())
    EXPECT_EQ(moved.number_of(*moved.find_ticket(t.id)), hall_->number_of(t));
  ASSERT_NE(moved.find_number("A002"), nullptr);
  std::vector<Event> out;
  ASSERT_TRUE(moved.apply(Command{{}, IssueTicket{"social"}}, hall_->clock() + minutes(1), out).ok());
  EXPECT_EQ(moved.number_of(*moved.find_ticket(ticket_of(out.back().body))), "A004");
  ASSERT_TRUE(moved.apply(Command{{}, IssueTicket{"passport"}}, hall_->clock() + minutes(2), out).ok());
  EXPECT_EQ(moved.number_of(*moved.find_ticket(ticket_of(out.back().body))), "D001");
}

TEST_F(RemapTest, AgreesWithFoldingTheEventsIntoTheTargetConfig) {
  // Two ways for a replica with a reordered config to catch up: a remapped
  // snapshot, or the events decoded against its config. They must agree.
  run_full_session();
  auto target = reordered_config();
  Hall by_events(target, policy_, predictor_);
  protocol::DecodedEvent e;
  for (const Sent& s : sent_) {
    ASSERT_TRUE(protocol::decode_event(as_bytes(s.bytes), *target, e).ok());
    by_events.apply_event(e.event);
  }
  Hall by_snapshot(target, policy_, predictor_);
  by_snapshot.import_state(protocol::remap_state(round_trip(*hall_, 1, false), *target));
  auto normalized = [](HallState s) {
    for (Window& w : s.windows)
      std::sort(w.skills.begin(), w.skills.end(), [](const Skill& a, const Skill& b) {
        return std::tie(a.level, a.service) < std::tie(b.level, b.service);
      });
    return s;
  };
  EXPECT_TRUE(
      same_state(normalized(by_events.export_state()), normalized(by_snapshot.export_state()), false));
}

TEST_F(RemapTest, RefusesATargetWithoutAnOpenWindow) {
  run_morning();  // w1 is open, serving A001
  const protocol::DecodedSnapshot d = round_trip(*hall_, 1, true);
  auto target = reordered_config([](HallConfig& c) { c.windows.pop_back(); });  // no w1
  ASSERT_FALSE(target->find_window("w1").has_value());
  EXPECT_THROW((void)protocol::remap_state(d, *target), CorruptionError);
}

TEST_F(RemapTest, RefusesATargetWithoutAServiceInUse) {
  run_morning();  // C001 was a tax ticket, B001 was transferred to tax
  const protocol::DecodedSnapshot d = round_trip(*hall_, 1, true);
  auto target = reordered_config([](HallConfig& c) {
    c.services[1] = {"visa", "签证", "C", ServiceKind::kPromise, 4};  // tax gone
  });
  EXPECT_THROW((void)protocol::remap_state(d, *target), CorruptionError);
}

TEST_F(RemapTest, DropsAClosedWindowAndForgetsItOnTickets) {
  run_morning();  // w3 closed; B001 was served at w3
  const protocol::DecodedSnapshot d = round_trip(*hall_, 1, true);
  auto target = reordered_config([](HallConfig& c) { c.windows.erase(c.windows.begin() + 1); });  // no w3
  const HallState s = protocol::remap_state(d, *target);
  ASSERT_EQ(s.windows.size(), 3u);
  const TicketId b001 = hall_->find_number("B001")->id;
  for (const Ticket& t : s.tickets) {
    if (t.id == b001) {
      EXPECT_EQ(t.window, kNoWindow);
    }
  }
  Hall moved(target, policy_, predictor_);
  moved.import_state(s);
  EXPECT_EQ(moved.find_number("B001")->state, TicketState::kRated);
}

TEST_F(RemapTest, ChangedServesTakeTheConfigUnchangedKeepTheirLiveSkills) {
  run_morning();
  protocol::DecodedSnapshot d = round_trip(*hall_, 1, true);
  // Live skills that differ from the config (as a manager's adjustment would).
  d.state.windows[kW1].skills = {{kSocial, 1}};
  d.state.windows[kW2].skills = {{kCivil, 1}, {kTax, 3}};
  auto target = reordered_config([](HallConfig& c) {
    c.windows[2].serves = {{2, 1}, {1, 2}};  // w2: civil@1, tax@2 (was civil@1)
  });
  const HallState s = protocol::remap_state(d, *target);
  const WindowIdx w1 = *target->find_window("w1");
  const WindowIdx w2 = *target->find_window("w2");
  const WindowIdx w3 = *target->find_window("w3");
  using Set = std::vector<std::pair<std::string, int>>;
  EXPECT_EQ(skill_set(*target, s.windows[w1].skills), (Set{{"social", 1}}));
  EXPECT_EQ(skill_set(*target, s.windows[w2].skills), (Set{{"civil", 1}, {"tax", 2}}));
  EXPECT_EQ(skill_set(*target, s.windows[w3].skills), (Set{{"civil", 2}, {"social", 2}, {"tax", 1}}));
}

// ------------------------------------------------------------ request-id memory forms

// The packed memory's records and bytes must agree; a snapshot whose do not
// is refused (the verifier cannot see it), whichever way they disagree.
TEST_F(SnapshotCodecTest, PackedRequestIdsThatDoNotMatchTheirLengthsAreRefused) {
  run_morning();
  const std::string good = protocol::encode_snapshot(*hall_, 1, true);
  const wire::HallSnapshot* snap = wire::GetMessage(good.data())->body_as_HallSnapshot();
  ASSERT_NE(snap->request_ids(), nullptr);
  ASSERT_GT(snap->requests_packed()->size(), 1u);
  auto refused = [](std::string bytes, std::string_view why) {
    ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kSnapshot) << "still verifies";
    protocol::DecodedSnapshot d;
    const Status st = protocol::decode_snapshot(as_bytes(bytes), d);
    EXPECT_EQ(st.code(), ErrorCode::kMalformed) << why;
    EXPECT_NE(st.message().find("request"), std::string::npos) << st.message();
  };
  // The ids' byte vector one byte shorter, and one byte longer than the records say.
  const std::size_t ids_len_at =
      static_cast<std::size_t>(reinterpret_cast<const char*>(snap->request_ids()->data()) - good.data()) - 4;
  for (int delta : {-1, +1}) {
    std::string bad = good;
    std::uint32_t n;
    std::memcpy(&n, bad.data() + ids_len_at, 4);
    n = static_cast<std::uint32_t>(static_cast<int>(n) + delta);
    std::memcpy(bad.data() + ids_len_at, &n, 4);
    refused(bad, delta < 0 ? "ids shorter" : "ids longer");
  }
  // A record longer than any request id may be.
  {
    std::string bad = good;
    const auto* first = snap->requests_packed()->Get(0);
    const std::size_t length_at =
        static_cast<std::size_t>(reinterpret_cast<const char*>(first) - good.data()) +
        12;  // after ulong, uint
    ASSERT_EQ(static_cast<std::uint8_t>(bad[length_at]), first->length());
    bad[length_at] = static_cast<char>(200);
    refused(bad, "a length over kMaxRequestIdLength");
  }
}

}  // namespace
}  // namespace hallq::test
