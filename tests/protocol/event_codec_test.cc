// Events as stored and published: a real hall's events of every kind are
// encoded, described for people, decoded back into identical core events and
// folded into a replica that ends equal to the live hall. Heartbeats and PUB
// topics too.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "engine/protocol/personal_data.h"
#include "tests/protocol/protocol_fixture.h"

namespace hallq::test {
namespace {

class EventCodecTest : public ProtocolFixture {};

protocol::Bytes bytes_of(const Sent& s) { return as_bytes(s.bytes); }

TEST_F(EventCodecTest, SessionCoversEveryEventKind) {
  run_full_session();
  std::set<std::size_t> kinds;
  for (const Sent& s : sent_) kinds.insert(s.event.body.index());
  EXPECT_EQ(kinds.size(), std::variant_size_v<EventBody>);
  EXPECT_EQ(sent_.size(), hall_->seq());
}

TEST_F(EventCodecTest, EveryEventIsAVerifiedEventWithItsHallAndSeq) {
  run_full_session();
  for (const Sent& s : sent_) {
    SCOPED_TRACE(describe(s.event));
    std::string why;
    ASSERT_EQ(protocol::inspect(bytes_of(s), &why), MessageKind::kEvent) << why;
    const protocol::EventHeader h = protocol::peek_event(bytes_of(s));
    EXPECT_EQ(h.hall, "test-hall");
    EXPECT_EQ(h.seq, s.event.seq);
  }
}

TEST_F(EventCodecTest, DescribeNamesEverythingPeopleSee) {
  run_full_session();
  bool some_ahead = false;
  for (const Sent& s : sent_) {
    SCOPED_TRACE(describe(s.event));
    const protocol::EventSummary d = protocol::describe_event(bytes_of(s));
    const Want& w = s.want;
    EXPECT_EQ(d.hall, "test-hall");
    EXPECT_EQ(d.seq, s.event.seq);
    EXPECT_EQ(d.time, s.event.time);
    EXPECT_EQ(d.kind, w.kind);
    EXPECT_EQ(d.kind, event_name(s.event.body));  // the core's names are the wire's
    EXPECT_EQ(d.request_id, s.request_id);
    EXPECT_EQ(d.ticket, w.ticket != 0 ? w.ticket : ticket_of(s.event.body));
    EXPECT_EQ(d.number, w.number);
    EXPECT_EQ(d.window, w.window);
    EXPECT_EQ(d.window_number, w.window_number);
    EXPECT_EQ(d.service, w.service);
    EXPECT_EQ(d.staff, w.staff);
    EXPECT_EQ(d.priority, w.priority);
    EXPECT_EQ(d.level, w.level);
    EXPECT_EQ(d.reason, w.reason);
    EXPECT_EQ(d.text, w.text);
    EXPECT_EQ(d.day, w.day);
    EXPECT_EQ(d.device, w.device);
    EXPECT_EQ(d.device_kind, w.device_kind);
    EXPECT_EQ(d.device_state, w.device_state);
    EXPECT_EQ(d.booking, w.booking);
    EXPECT_EQ(d.slot_min, w.slot_min);
    EXPECT_EQ(d.reasons, w.reasons);
    EXPECT_EQ(d.channel, w.channel);
    EXPECT_EQ(d.supplementary, w.supplementary);
    EXPECT_EQ(d.case_number, w.case_number);
    EXPECT_EQ(d.reached, w.reached);
    EXPECT_EQ(d.by, w.by);
    EXPECT_EQ(d.record_id, w.record_id);
    EXPECT_EQ(d.status, w.status);
    EXPECT_EQ(d.resend, w.resend);
    if (const auto* issued = std::get_if<TicketIssued>(&s.event.body)) {
      EXPECT_EQ(d.ahead, issued->ahead);
      EXPECT_EQ(d.predicted_wait_s, issued->predicted_wait_s);
      some_ahead = some_ahead || (issued->ahead > 0 && issued->predicted_wait_s > 0);
    } else if (const auto* remote = std::get_if<RemoteTicketIssued>(&s.event.body)) {
      EXPECT_EQ(d.ahead, remote->ahead);
      EXPECT_EQ(d.predicted_wait_s, remote->predicted_wait_s);
    } else {
      EXPECT_EQ(d.ahead, 0u);
      EXPECT_EQ(d.predicted_wait_s, 0);
    }
  }
  EXPECT_TRUE(some_ahead) << "the session should issue a ticket with people ahead";
}

TEST_F(EventCodecTest, DecodeGivesTheSameEvent) {
  run_full_session();
  protocol::DecodedEvent d;  // reused, as recovery does
  for (const Sent& s : sent_) {
    SCOPED_TRACE(describe(s.event));
    const Status st = protocol::decode_event(bytes_of(s), *config_, d);
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(d.event, s.event);
    EXPECT_EQ(d.hall, "test-hall");
    EXPECT_EQ(d.request_id, s.request_id);
    EXPECT_EQ(d.number, s.want.number);
    EXPECT_EQ(d.window_number, s.want.window_number);
  }
}

TEST_F(EventCodecTest, TimeDrivenEventsCarryNoRequestId) {
  run_full_session();
  for (const Sent& s : sent_) {
    if (!std::holds_alternative<DayRolled>(s.event.body)) continue;
    EXPECT_EQ(protocol::describe_event(bytes_of(s)).request_id, "");
  }
}

TEST_F(EventCodecTest, FoldOfDecodedEventsEqualsTheLiveHall) {
  run_full_session();
  Hall replica(config_, policy_, predictor_);
  protocol::DecodedEvent d;
  for (const Sent& s : sent_) {
    ASSERT_TRUE(protocol::decode_event(bytes_of(s), *config_, d).ok());
    replica.apply_event(d.event);
  }
  EXPECT_TRUE(same_state(hall_->export_state(), replica.export_state(), /*with_requests=*/false));
  // A replica that decodes and folds is observably the live hall: the same
  // next command gives the same events.
  std::vector<Event> live, copy;
  const TimeUs later = hall_->clock() + minutes(1);
  ASSERT_TRUE(hall_->apply(Command{{}, IssueTicket{"civil"}}, later, live).ok());
  ASSERT_TRUE(replica.apply(Command{{}, IssueTicket{"civil"}}, later, copy).ok());
  log_.insert(log_.end(), live.begin(), live.end());
  EXPECT_TRUE(same_events(live, copy));
}

TEST_F(EventCodecTest, FoldOfDecodedEventsIntoAReorderedConfig) {
  // A replica whose config lists the same services and windows in another
  // order maps ids, not indices.
  run_full_session();
  auto reordered = std::make_shared<HallConfig>(*config_);
  std::reverse(reordered->services.begin(), reordered->services.end());
  std::reverse(reordered->windows.begin(), reordered->windows.end());
  for (WindowConfig& w : reordered->windows)
    for (Skill& k : w.serves) k.service = static_cast<ServiceIdx>(2 - k.service);
  ASSERT_FALSE(reordered->validate_and_index().has_value());

  Hall replica(reordered, policy_, predictor_);
  protocol::DecodedEvent d;
  for (const Sent& s : sent_) {
    ASSERT_TRUE(protocol::decode_event(bytes_of(s), *reordered, d).ok());
    replica.apply_event(d.event);
  }
  for (const Ticket& t : hall_->tickets()) {
    const Ticket* r = replica.find_ticket(t.id);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(replica.number_of(*r), hall_->number_of(t));
    EXPECT_EQ(reordered->services[r->service].id, config_->services[t.service].id);
    EXPECT_EQ(r->state, t.state);
  }
  for (std::size_t i = 0; i < config_->windows.size(); ++i) {
    const WindowIdx j = *reordered->find_window(config_->windows[i].id);
    EXPECT_EQ(replica.window(j).state, hall_->window(static_cast<WindowIdx>(i)).state);
    EXPECT_EQ(replica.window(j).served, hall_->window(static_cast<WindowIdx>(i)).served);
  }
}

TEST_F(EventCodecTest, DecodeAgainstAConfigWithoutTheWindowNamesIt) {
  run_full_session();
  // w3 is the last window, so the other indices stay.
  auto without_w3 = make_config([](HallConfig& c) {
    with_staff_list(c);
    c.windows.pop_back();
  });
  int refused = 0;
  for (const Sent& s : sent_) {
    SCOPED_TRACE(describe(s.event));
    protocol::DecodedEvent d;
    const Status st = protocol::decode_event(bytes_of(s), *without_w3, d);
    if (s.want.window == "w3") {
      ++refused;
      EXPECT_EQ(st.code(), ErrorCode::kMalformed);
      EXPECT_NE(st.message().find("\"w3\""), std::string::npos) << st.message();
    } else {
      EXPECT_TRUE(st.ok()) << st.message();
    }
  }
  EXPECT_GT(refused, 5);
}

TEST_F(EventCodecTest, DecodeAgainstAConfigWithoutTheServiceNamesIt) {
  run_full_session();
  auto without_tax = make_config([](HallConfig& c) {
    with_staff_list(c);
    c.services.pop_back();
    c.windows[2].serves = {{kSocial, 2}, {kCivil, 2}};
  });
  int refused = 0;
  for (const Sent& s : sent_) {
    protocol::DecodedEvent d;
    const Status st = protocol::decode_event(bytes_of(s), *without_tax, d);
    if (s.want.service == "tax") {
      ++refused;
      EXPECT_EQ(st.code(), ErrorCode::kMalformed);
      EXPECT_NE(st.message().find("\"tax\""), std::string::npos) << st.message();
    } else {
      EXPECT_TRUE(st.ok()) << st.message();
    }
  }
  EXPECT_EQ(refused, 2);  // C001 issued, B001 transferred
}

// ------------------------------------------------------------ hand-crafted events

TEST(EventCodec, TicketEventWithoutATicketIsMalformed) {
  const std::string bytes = craft_event(0, wire::EventBody::TicketCalled, [](auto& fbb) {
    return wire::CreateTicketCalledDirect(fbb, "w1").Union();
  });
  ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kEvent);
  protocol::DecodedEvent d;
  const Status st = protocol::decode_event(as_bytes(bytes), *make_config(), d);
  EXPECT_EQ(st.code(), ErrorCode::kMalformed);
  EXPECT_NE(st.message().find("ticket"), std::string::npos) << st.message();
}

TEST(EventCodec, OutOfRangeEnumsAreRefusedNotCast) {
  const auto cfg = make_config();
  const std::vector<std::string> odd = {
      craft_event(
          1, wire::EventBody::TicketIssued,
          [](auto& fbb) {
            return wire::CreateTicketIssuedDirect(fbb, "social", 1, static_cast<wire::Priority>(7)).Union();
          }),
      craft_event(
          1, wire::EventBody::TicketLeft,
          [](auto& fbb) { return wire::CreateTicketLeft(fbb, static_cast<wire::LeaveReason>(3)).Union(); }),
      craft_event(0, wire::EventBody::DeviceReported,
                  [](auto& fbb) {
                    return wire::CreateDeviceReportedDirect(fbb, "k1", "printer",
                                                            static_cast<wire::DeviceState>(6))
                        .Union();
                  }),
  };
  for (const std::string& bytes : odd) {
    ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kEvent);
    protocol::DecodedEvent d;
    const Status st = protocol::decode_event(as_bytes(bytes), *cfg, d);
    EXPECT_EQ(st.code(), ErrorCode::kMalformed) << st.message();
    EXPECT_NE(st.message().find("unknown"), std::string::npos) << st.message();
    (void)protocol::describe_event(as_bytes(bytes));  // describes without crashing
  }
}

TEST(EventCodec, EventWithoutOrWithAnUnknownBodyIsMalformed) {
  const auto cfg = make_config();
  for (auto type : {wire::EventBody::NONE, static_cast<wire::EventBody>(99)}) {
    const std::string bytes =
        craft_event(1, type, [](auto& fbb) { return wire::CreateDayRolled(fbb, 5).Union(); });
    ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kEvent);
    protocol::DecodedEvent d;
    EXPECT_EQ(protocol::decode_event(as_bytes(bytes), *cfg, d).code(), ErrorCode::kMalformed);
    EXPECT_EQ(protocol::describe_event(as_bytes(bytes)).seq, 1u);
  }
}

TEST(EventCodec, NonEventsArePeekedAndDescribedAsNothing) {
  const std::string hb = protocol::encode_heartbeat({"test-hall", 3, 4, 5});
  EXPECT_EQ(protocol::peek_event(as_bytes(hb)).hall, "");
  EXPECT_EQ(protocol::peek_event(as_bytes(hb)).seq, 0u);
  EXPECT_EQ(protocol::describe_event(as_bytes(hb)).kind, "");
  protocol::DecodedEvent d;
  EXPECT_EQ(protocol::decode_event(as_bytes(hb), *make_config(), d).code(), ErrorCode::kMalformed);
}

// ------------------------------------------------------------ heartbeats and topics

TEST(Heartbeat, RoundTrips) {
  const protocol::Heartbeat hb{"district-hall-7", 123'456'789'012ull, 0xFEDC'BA98'7654'3210ull,
                               1'709'514'000'123'456};
  const std::string bytes = protocol::encode_heartbeat(hb);
  ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kHeartbeat);
  const protocol::Heartbeat got = protocol::decode_heartbeat(as_bytes(bytes));
  EXPECT_EQ(got.hall, hb.hall);
  EXPECT_EQ(got.seq, hb.seq);
  EXPECT_EQ(got.epoch, hb.epoch);
  EXPECT_EQ(got.time, hb.time);
}

TEST(Heartbeat, OfANewHallIsZero) {
  const std::string bytes = protocol::encode_heartbeat({"h", 0, 1, 0});
  ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kHeartbeat);
  const protocol::Heartbeat got = protocol::decode_heartbeat(as_bytes(bytes));
  EXPECT_EQ(got.hall, "h");
  EXPECT_EQ(got.seq, 0u);
  EXPECT_EQ(got.epoch, 1u);
}

TEST(Heartbeat, DecodingANonHeartbeatGivesNothing) {
  const protocol::Heartbeat got = protocol::decode_heartbeat(as_bytes(protocol::encode_ping("p")));
  EXPECT_EQ(got.hall, "");
  EXPECT_EQ(got.seq, 0u);
}

TEST(Topic, NoHallsTopicIsAPrefixOfAnothersTopic) {
  // PUB/SUB filters by prefix: subscribing to one hall must not deliver another's.
  const std::vector<std::string> halls = {"a",       "ab",       "a-b", "a-", "hall-1",
                                          "hall-10", "hall-1-2", "b",   "1",  "10"};
  for (const std::string& x : halls) {
    EXPECT_FALSE(protocol::topic_of(x).empty());
    EXPECT_EQ(protocol::topic_of(x), protocol::topic_of(x));  // stable
    for (const std::string& y : halls) {
      if (x == y) continue;
      const std::string tx = protocol::topic_of(x), ty = protocol::topic_of(y);
      EXPECT_FALSE(ty.starts_with(tx))
          << "topic of " << x << " (" << tx << ") is a prefix of " << y << "'s (" << ty << ")";
    }
  }
}

}  // namespace
}  // namespace hallq::test

namespace hallq::test {
namespace {

// The platform's reason may quote the record (a citizen's comment, a name):
// an upload_rejected event with a reason is personal data (personal_data.h),
// withheld on hall topics as the same event without its reason and request
// id; its record id and status stay, and the withheld copy still decodes.
TEST_F(EventCodecTest, AnUploadRejectionsReasonIsWithheldOnHallTopics) {
  run_full_session();
  int seen = 0;
  for (const Sent& s : sent_) {
    const auto* rejected = std::get_if<UploadRejected>(&s.event.body);
    if (rejected == nullptr) continue;
    ++seen;
    ASSERT_TRUE(protocol::carries_personal_data(bytes_of(s)));
    const std::string withheld = protocol::withhold_personal_data(bytes_of(s));
    ASSERT_EQ(protocol::inspect(as_bytes(withheld)), MessageKind::kEvent);
    EXPECT_EQ(withheld.find(rejected->reason), std::string::npos);
    const protocol::EventSummary d = protocol::describe_event(as_bytes(withheld));
    EXPECT_EQ(d.kind, "upload_rejected");
    EXPECT_EQ(d.record_id, rejected->record_id);
    EXPECT_EQ(d.status, rejected->status);
    EXPECT_EQ(d.text, "");
    EXPECT_EQ(d.request_id, "");
    EXPECT_EQ(d.seq, s.event.seq);
    EXPECT_EQ(d.number, s.want.number);
    protocol::DecodedEvent decoded;
    ASSERT_TRUE(protocol::decode_event(as_bytes(withheld), *config_, decoded).ok());
    EXPECT_EQ(decoded.event.body, (EventBody{UploadRejected{rejected->record_id, rejected->status, ""}}));
    EXPECT_TRUE(protocol::is_upload_rejection(bytes_of(s)));
  }
  EXPECT_EQ(seen, 2);
  EXPECT_FALSE(protocol::is_upload_rejection(bytes_of(sent_.front())));
}

// The work order a 差评 opens copies the rating's reasons and comment; on
// hall topics the comment is withheld as the rating's is, the reasons stay.
TEST_F(EventCodecTest, AWorkOrdersCopiedCommentIsWithheldOnHallTopics) {
  run_full_session();
  int seen = 0;
  for (const Sent& s : sent_) {
    const auto* opened = std::get_if<WorkOrderOpened>(&s.event.body);
    if (opened == nullptr) continue;
    ++seen;
    SCOPED_TRACE(describe(s.event));
    // B001 was rated 1 with reasons 02, 04 and a comment (protocol_fixture.h).
    EXPECT_EQ(opened->reasons, (std::vector<std::string>{"02", "04"}));
    EXPECT_EQ(opened->comment, "等了一上午");
    protocol::DecodedEvent full;
    ASSERT_TRUE(protocol::decode_event(bytes_of(s), *config_, full).ok());
    EXPECT_EQ(full.event.body, s.event.body);
    ASSERT_TRUE(protocol::carries_personal_data(bytes_of(s)));
    const std::string withheld = protocol::withhold_personal_data(bytes_of(s));
    ASSERT_EQ(protocol::inspect(as_bytes(withheld)), MessageKind::kEvent);
    EXPECT_EQ(withheld.find(opened->comment), std::string::npos);
    protocol::DecodedEvent decoded;
    ASSERT_TRUE(protocol::decode_event(as_bytes(withheld), *config_, decoded).ok());
    WorkOrderOpened want = *opened;
    want.comment.clear();
    EXPECT_EQ(decoded.event.body, (EventBody{want}));
    EXPECT_EQ(decoded.event.seq, s.event.seq);
  }
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace hallq::test
