// Replies: the engine's answers carry events and snapshots as the very bytes
// stored and published (nested Messages that verify on their own), engine
// info for pings, and an error code whose name survives for every code.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/protocol/protocol_fixture.h"

namespace hallq::test {
namespace {

protocol::DecodedReply round_trip(const protocol::ReplySpec& spec) {
  const std::string bytes = protocol::encode_reply(spec);
  std::string why;
  EXPECT_EQ(protocol::inspect(as_bytes(bytes), &why), MessageKind::kReply) << why;
  return protocol::decode_reply(as_bytes(bytes));
}

class ReplyCodecTest : public ProtocolFixture {};

TEST_F(ReplyCodecTest, EventsComeBackAsTheBytesPublished) {
  run_full_session();
  protocol::ReplySpec spec;
  spec.request_id = "kiosk-1";
  for (const Sent& s : sent_) spec.events.push_back(s.bytes);
  const protocol::DecodedReply r = round_trip(spec);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.request_id, "kiosk-1");
  EXPECT_FALSE(r.duplicate);
  EXPECT_FALSE(r.engine.has_value());
  EXPECT_TRUE(r.snapshot.empty());
  ASSERT_EQ(r.events.size(), sent_.size());
  protocol::DecodedEvent d;
  for (std::size_t i = 0; i < sent_.size(); ++i) {
    SCOPED_TRACE(describe(sent_[i].event));
    EXPECT_EQ(r.events[i], sent_[i].bytes);
    std::string why;
    ASSERT_EQ(protocol::inspect(as_bytes(r.events[i]), &why), MessageKind::kEvent) << why;
    ASSERT_TRUE(protocol::decode_event(as_bytes(r.events[i]), *config_, d).ok());
    EXPECT_EQ(d.event, sent_[i].event);
  }
}

// not_owner names the engine that serves the hall and its endpoint in fields
// of their own (the last of the table); a reply written without them (an
// older engine's) reads as "unknown".
TEST_F(ReplyCodecTest, NotOwnerNamesTheOwnerInFieldsOlderRepliesLackThem) {
  protocol::ReplySpec spec;
  spec.request_id = "kiosk-2";
  spec.code = core::ErrorCode::kNotOwner;
  spec.message = "大厅 town 由引擎 engine-a 服务";
  spec.owner_engine = "engine-a";
  spec.owner_endpoint = "tcp://10.0.0.1:5570";
  const protocol::DecodedReply r = round_trip(spec);
  EXPECT_EQ(r.code, core::ErrorCode::kNotOwner);
  EXPECT_EQ(r.owner_engine, "engine-a");
  EXPECT_EQ(r.owner_endpoint, "tcp://10.0.0.1:5570");

  // As an engine built before these fields wrote it: only the older fields.
  flatbuffers::FlatBufferBuilder fbb;
  auto rid = fbb.CreateString("kiosk-3");
  auto msg = fbb.CreateString("大厅 town 已由另一台引擎接管");
  wire::ReplyBuilder b(fbb);
  b.add_request_id(rid);
  b.add_code(wire::ErrorCode::not_owner);
  b.add_message(msg);
  b.add_duplicate(false);
  auto reply = b.Finish();
  wire::FinishMessageBuffer(fbb, wire::CreateMessage(fbb, wire::Body::Reply, reply.Union()));
  const std::string old(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  std::string why;
  ASSERT_EQ(protocol::inspect(as_bytes(old), &why), MessageKind::kReply) << why;
  const protocol::DecodedReply o = protocol::decode_reply(as_bytes(old));
  EXPECT_EQ(o.code, core::ErrorCode::kNotOwner);
  EXPECT_EQ(o.request_id, "kiosk-3");
  EXPECT_TRUE(o.owner_engine.empty());
  EXPECT_TRUE(o.owner_endpoint.empty());
}

TEST_F(ReplyCodecTest, NestedEventsAreAlignedInTheReply) {
  // Readers may use a nested event in place (without copying it out), so its
  // 8-byte scalars must be aligned within the reply.
  run_morning();
  protocol::ReplySpec spec;
  for (const Sent& s : sent_) spec.events.push_back(s.bytes);
  const std::string bytes = protocol::encode_reply(spec);
  const wire::Reply* r = wire::GetMessage(bytes.data())->body_as_Reply();
  ASSERT_NE(r, nullptr);
  for (const wire::Blob* b : *r->events()) {
    EXPECT_EQ((b->data()->data() - reinterpret_cast<const std::uint8_t*>(bytes.data())) % 8, 0);
  }
}

TEST_F(ReplyCodecTest, SnapshotComesBackVerifiable) {
  run_morning();
  const std::string snap = protocol::encode_snapshot(*hall_, 42, false);
  protocol::ReplySpec spec;
  spec.request_id = "snap-1";
  spec.snapshot = snap;
  const protocol::DecodedReply r = round_trip(spec);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.snapshot, snap);
  ASSERT_EQ(protocol::inspect(as_bytes(r.snapshot)), MessageKind::kSnapshot);
  protocol::DecodedSnapshot d;
  ASSERT_TRUE(protocol::decode_snapshot(as_bytes(r.snapshot), d).ok());
  EXPECT_EQ(d.seq, hall_->seq());
  EXPECT_EQ(d.epoch, 42u);
}

TEST(ReplyCodec, EngineInfoRoundTrips) {
  const protocol::EngineInfo info{
      0x0123'4567'89AB'CDEFull, "hallq 0.1.0 (g1234567)", {"district-7", "town-a", "b"}};
  protocol::ReplySpec spec;
  spec.request_id = "ping-1";
  spec.engine = &info;
  const protocol::DecodedReply r = round_trip(spec);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.request_id, "ping-1");
  ASSERT_TRUE(r.engine.has_value());
  EXPECT_EQ(r.engine->epoch, info.epoch);
  EXPECT_EQ(r.engine->version, info.version);
  EXPECT_EQ(r.engine->halls, info.halls);
}

TEST(ReplyCodec, EngineWithoutHalls) {
  const protocol::EngineInfo info{1, "v", {}};
  protocol::ReplySpec spec;
  spec.engine = &info;
  const protocol::DecodedReply r = round_trip(spec);
  ASSERT_TRUE(r.engine.has_value());
  EXPECT_TRUE(r.engine->halls.empty());
}

TEST(ReplyCodec, ErrorWithMessageAndDuplicateFlag) {
  protocol::ReplySpec spec;
  spec.request_id = "r-9";
  spec.code = ErrorCode::kWindowBusy;
  spec.message = "1号窗口当前还有 A012（办理中），请先办结、过号或转出";
  spec.duplicate = true;
  const protocol::DecodedReply r = round_trip(spec);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.code, ErrorCode::kWindowBusy);
  EXPECT_EQ(r.message, spec.message);
  EXPECT_EQ(r.request_id, "r-9");
  EXPECT_TRUE(r.duplicate);
  EXPECT_TRUE(r.events.empty());
  EXPECT_FALSE(r.engine.has_value());
}

TEST(ReplyCodec, EmptyReplyIsOk) {
  const protocol::DecodedReply r = round_trip({});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.request_id, "");
  EXPECT_EQ(r.message, "");
  EXPECT_TRUE(r.events.empty());
  EXPECT_TRUE(r.snapshot.empty());
  EXPECT_FALSE(r.engine.has_value());
  EXPECT_FALSE(r.duplicate);
}

TEST(ReplyCodec, EveryErrorCodeSurvivesByValueAndName) {
  std::set<std::string> names;
  std::size_t codes = 0;
  for (int i = 0; i <= static_cast<int>(kLastErrorCode); ++i) {
    if (!is_error_code(i)) continue;  // a removed code's number
    ++codes;
    const auto code = static_cast<ErrorCode>(i);
    const std::string name(to_string(code));
    SCOPED_TRACE(name);
    names.insert(name);
    EXPECT_EQ(error_code_from_string(name), code);
    // The schema's enum spells the same names in the same order.
    EXPECT_EQ(wire::EnumNameErrorCode(static_cast<wire::ErrorCode>(i)), name);
    protocol::ReplySpec spec;
    spec.code = code;
    spec.message = name;
    const protocol::DecodedReply r = round_trip(spec);
    EXPECT_EQ(r.code, code);
    EXPECT_EQ(r.message, name);
    EXPECT_EQ(r.ok(), code == ErrorCode::kOk);
  }
  EXPECT_EQ(names.size(), codes);  // names are distinct
  EXPECT_EQ(error_code_from_string("no_such_code"), ErrorCode::kInternal);
  EXPECT_EQ(error_code_from_string("unavailable"), ErrorCode::kInternal);  // removed
}

TEST(ReplyCodec, UnknownWireCodeIsInternal) {
  // A code from a newer engine, and the number of a removed one.
  for (const int number : {200, 23}) {
    flatbuffers::FlatBufferBuilder fbb;
    auto reply = wire::CreateReplyDirect(fbb, "r", static_cast<wire::ErrorCode>(number), "新错误");
    const std::string bytes = finish_message(fbb, wire::Body::Reply, reply.Union());
    ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kReply);
    const protocol::DecodedReply r = protocol::decode_reply(as_bytes(bytes));
    EXPECT_EQ(r.code, ErrorCode::kInternal) << number;
    EXPECT_EQ(r.message, "新错误");
  }
}

TEST(ReplyCodec, DecodingANonReplyIsMalformed) {
  const protocol::DecodedReply r = protocol::decode_reply(as_bytes(protocol::encode_ping("p")));
  EXPECT_EQ(r.code, ErrorCode::kMalformed);
  EXPECT_FALSE(r.message.empty());
}

}  // namespace
}  // namespace hallq::test
