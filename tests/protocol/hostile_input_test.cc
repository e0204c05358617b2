// Hostile input: whatever arrives, `inspect` classifies it without crashing,
// and whatever passes verification decodes to a value or an error. Short,
// random, mis-identified, truncated and (many, seeded) mutated buffers, and
// hand-crafted messages that verify but are odd: union types without their
// table, replies nested in replies.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/protocol/protocol_fixture.h"

namespace hallq::test {
namespace {

// A config-free fingerprint of what a buffer decodes to: equal fingerprints
// mean the same message content. Empty for invalid buffers.
std::string fingerprint(const std::string& bytes, const HallConfig& config) {
  const protocol::Bytes b = as_bytes(bytes);
  switch (protocol::inspect(b)) {
    case MessageKind::kInvalid:
      return {};
    case MessageKind::kRequest: {
      protocol::DecodedRequest r;
      const Status st = protocol::decode_request(b, r);
      if (!st.ok()) return fmt::format("refused request {}", st.message());
      switch (r.kind) {
        case protocol::RequestKind::kPing:
          return protocol::encode_ping(r.request_id);
        case protocol::RequestKind::kSnapshot:
          return protocol::encode_snapshot_request(r.request_id, r.hall);
        case protocol::RequestKind::kCommand:
          return protocol::encode_request(r.request_id, r.hall, r.command);
      }
      return {};
    }
    case MessageKind::kEvent: {
      const protocol::EventSummary s = protocol::describe_event(b);
      protocol::DecodedEvent d;
      const Status st = protocol::decode_event(b, config, d);
      return fmt::format("{} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} | {} {}", s.hall, s.seq, s.time,
                         s.kind, s.request_id, s.ticket, s.number, s.window, s.window_number, s.service,
                         s.staff, s.priority, s.ahead, s.predicted_wait_s, s.level, s.reason, s.day,
                         st.message(), st.ok() ? describe(d.event) : "");
    }
    case MessageKind::kSnapshot: {
      protocol::DecodedSnapshot d;
      const Status st = protocol::decode_snapshot(b, d);
      if (!st.ok()) return fmt::format("refused snapshot {}", st.message());
      // Re-encoding is deterministic: the same content gives the same bytes.
      auto cfg = d.config;
      Hall hall(cfg, policy::find_policy("balanced"), &predict::default_predictor());
      const bool with_requests = !d.state.requests.empty();
      hall.import_state(std::move(d.state));
      return protocol::encode_snapshot(hall, d.epoch, with_requests);
    }
    case MessageKind::kReply: {
      const protocol::DecodedReply r = protocol::decode_reply(b);
      protocol::ReplySpec spec;
      spec.request_id = r.request_id;
      spec.code = r.code;
      spec.message = r.message;
      for (const std::string& e : r.events) spec.events.push_back(e);
      spec.snapshot = r.snapshot;
      spec.engine = r.engine ? &*r.engine : nullptr;
      spec.duplicate = r.duplicate;
      return protocol::encode_reply(spec);
    }
    case MessageKind::kHeartbeat:
      return protocol::encode_heartbeat(protocol::decode_heartbeat(b));
  }
  return {};
}

class HostileInputTest : public ProtocolFixture {
 public:
  // One valid message of every kind and shape the engine sends or receives.
  void SetUp() override {
    ProtocolFixture::SetUp();
    run_full_session();
    samples_.push_back(
        protocol::encode_request("kiosk-1", "test-hall", IssueTicket{"social", Priority::kPriority}));
    samples_.push_back(protocol::encode_request("pad-1", "test-hall", CallTicket{"w1", "A012"}));
    samples_.push_back(protocol::encode_request("", "test-hall", Evaluate{"A001", 5, "w1"}));
    samples_.push_back(protocol::encode_request("r", "test-hall", Transfer{"w3", "tax"}));
    samples_.push_back(protocol::encode_request("r", "test-hall", Cancel{"B002", LeaveReason::kGaveUp}));
    samples_.push_back(protocol::encode_request("mgr", "test-hall", MoveStaff{"zhang", "w2"}));
    samples_.push_back(protocol::encode_snapshot_request("s", "test-hall"));
    samples_.push_back(protocol::encode_ping("ping"));
    for (const Sent& s : sent_) samples_.push_back(s.bytes);
    samples_.push_back(protocol::encode_heartbeat({"test-hall", 40, 7, 1'709'514'000'000'000}));
    snapshot_ = protocol::encode_snapshot(*hall_, 7, true);
    samples_.push_back(snapshot_);
    protocol::ReplySpec events;
    events.request_id = "kiosk-7";
    events.events = {sent_[3].bytes, sent_[4].bytes};
    events.duplicate = true;
    samples_.push_back(protocol::encode_reply(events));
    snapshot_without_requests_ = protocol::encode_snapshot(*hall_, 7, false);
    protocol::ReplySpec snap;
    snap.snapshot = snapshot_without_requests_;
    samples_.push_back(protocol::encode_reply(snap));
    protocol::EngineInfo info{7, "0.1.0", {"test-hall", "other"}};
    protocol::ReplySpec ping;
    ping.request_id = "ping";
    ping.engine = &info;
    samples_.push_back(protocol::encode_reply(ping));
    protocol::ReplySpec error;
    error.code = ErrorCode::kQueueEmpty;
    error.message = "1号窗口暂无可叫的号";
    samples_.push_back(protocol::encode_reply(error));
    for (std::size_t i = 0; i < samples_.size(); ++i) {
      std::string why;
      ASSERT_NE(protocol::inspect(as_bytes(samples_[i]), &why), MessageKind::kInvalid)
          << "sample " << i << ": " << why;
    }
  }

  std::vector<std::string> samples_;
  std::string snapshot_;
  std::string snapshot_without_requests_;  // the reply's snapshot points into it
};

// ------------------------------------------------------------ plain garbage

TEST(HostileInput, EmptyAndShortBuffersAreInvalid) {
  const std::string valid = protocol::encode_ping("p");
  for (std::size_t n = 0; n < 8; ++n) {
    for (const std::string& bytes : {std::string(n, '\0'), std::string(n, '\xff'), valid.substr(0, n)}) {
      std::string why;
      EXPECT_EQ(protocol::inspect(as_bytes(bytes), &why), MessageKind::kInvalid) << n;
      EXPECT_FALSE(why.empty());
    }
  }
  EXPECT_EQ(protocol::inspect(protocol::Bytes()), MessageKind::kInvalid);
}

TEST(HostileInput, RandomBytesAreInvalid) {
  const auto cfg = make_config();
  std::mt19937 rng(20240304);
  for (int i = 0; i < 3000; ++i) {
    const std::size_t n = std::uniform_int_distribution<std::size_t>(8, i < 2000 ? 64 : 4096)(rng);
    std::string bytes(n, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    EXPECT_EQ(exercise(as_bytes(bytes), *cfg), MessageKind::kInvalid);
    // With the right identifier, verification has to do the refusing.
    std::memcpy(bytes.data() + 4, "HQ01", 4);
    (void)exercise(as_bytes(bytes), *cfg);
  }
}

TEST(HostileInput, WrongIdentifierIsInvalid) {
  for (const std::string& original :
       {protocol::encode_ping("p"), protocol::encode_heartbeat({"h", 1, 2, 3}), protocol::encode_reply({})}) {
    for (const char* id : {"HQ02", "hq01", "\0\0\0\0", "HQ0"}) {
      std::string bytes = original;
      std::memcpy(bytes.data() + 4, id, 4);
      std::string why;
      EXPECT_EQ(protocol::inspect(as_bytes(bytes), &why), MessageKind::kInvalid) << id;
      EXPECT_NE(why.find("identifier"), std::string::npos) << why;
    }
  }
}

TEST(HostileInput, OversizedBufferIsInvalidUnread) {
  std::string bytes = protocol::encode_ping("p");
  bytes.resize(protocol::kMaxMessageBytes + 1, '\0');
  std::string why;
  EXPECT_EQ(protocol::inspect(as_bytes(bytes), &why), MessageKind::kInvalid);
  EXPECT_NE(why.find("large"), std::string::npos) << why;
}

// ------------------------------------------------------------ truncations

TEST_F(HostileInputTest, EveryTruncationIsInvalidOrLosesOnlyPadding) {
  // FlatBuffers pad the end of a buffer to the alignment of its first object,
  // so cutting off only that padding leaves a complete message (the very same
  // content); cutting any further must be refused.
  int checked = 0;
  for (const std::string& full : samples_) {
    const std::string want = fingerprint(full, *config_);
    ASSERT_FALSE(want.empty());
    for (std::size_t n = 0; n < full.size(); ++n) {
      const std::string cut = full.substr(0, n);
      const MessageKind kind = exercise(as_bytes(cut), *config_);
      ++checked;
      if (kind == MessageKind::kInvalid) continue;
      EXPECT_GE(n + 8, full.size()) << "a truncation to " << n << " of " << full.size() << " bytes verified";
      EXPECT_EQ(fingerprint(cut, *config_), want)
          << "truncation to " << n << " of " << full.size() << " bytes changed the content";
    }
  }
  EXPECT_GT(checked, 10'000);
}

// ------------------------------------------------------------ mutations

// Seeded mutations of valid messages. Whatever still verifies must decode to a
// value or an error without crashing (run under ASan/UBSan to see the UB).
class Mutator {
 public:
  explicit Mutator(std::uint32_t seed) : rng_(seed) {}

  std::string mutate(const std::string& original) {
    std::string b = original;
    if (b.size() < 16) return b;
    const int kind = pick(0, 9);
    switch (kind) {
      case 0:  // one bit
        b[pos(b)] ^= static_cast<char>(1 << pick(0, 7));
        break;
      case 1:  // one byte
        b[pos(b)] = static_cast<char>(pick(0, 255));
        break;
      case 2:  // a few bytes
        for (int i = pick(2, 8); i > 0; --i) b[pos(b)] = static_cast<char>(pick(0, 255));
        break;
      case 3: {  // an aligned 32-bit word: offsets, lengths, vtable entries
        const std::size_t at = pos(b) & ~std::size_t{3};
        if (at + 4 > b.size()) break;
        const std::array<std::uint32_t, 10> values = {0,
                                                      1,
                                                      4,
                                                      0xFFFFFFFFu,
                                                      0x7FFFFFFFu,
                                                      0x80000000u,
                                                      static_cast<std::uint32_t>(b.size()),
                                                      static_cast<std::uint32_t>(b.size() - at),
                                                      static_cast<std::uint32_t>(b.size() - at - 4),
                                                      static_cast<std::uint32_t>(rng_())};
        const std::uint32_t v = values[pick(0, static_cast<int>(values.size()) - 1)];
        std::memcpy(b.data() + at, &v, 4);
        break;
      }
      case 4: {  // a 16-bit value: vtable sizes and field offsets
        const std::size_t at = pos(b) & ~std::size_t{1};
        if (at + 2 > b.size()) break;
        const std::array<std::uint16_t, 6> values = {0,      1,      2,
                                                     0xFFFF, 0x8000, static_cast<std::uint16_t>(rng_())};
        const std::uint16_t v = values[pick(0, static_cast<int>(values.size()) - 1)];
        std::memcpy(b.data() + at, &v, 2);
        break;
      }
      case 5: {  // a run of 0x00 or 0xFF
        const std::size_t at = pos(b);
        const std::size_t n = std::min<std::size_t>(pick(1, 16), b.size() - at);
        std::memset(b.data() + at, pick(0, 1) ? 0xFF : 0x00, n);
        break;
      }
      case 6: {  // a chunk copied from elsewhere in the buffer
        const std::size_t from = pos(b), to = pos(b);
        const std::size_t n =
            std::min<std::size_t>({static_cast<std::size_t>(pick(1, 32)), b.size() - from, b.size() - to});
        std::memmove(b.data() + to, b.data() + from, n);
        break;
      }
      case 7: {  // bytes inserted or removed in the middle
        const std::size_t at = pos(b);
        if (pick(0, 1)) {
          b.insert(at, static_cast<std::size_t>(pick(1, 8)), static_cast<char>(pick(0, 255)));
        } else {
          b.erase(at, static_cast<std::size_t>(pick(1, 8)));
        }
        break;
      }
      case 8:  // union and enum tags: small values at random places
        for (int i = pick(1, 3); i > 0; --i) b[pos(b)] = static_cast<char>(pick(0, 30));
        break;
      default:  // several of the above
        for (int i = pick(2, 4); i > 0; --i) b = mutate(b);
        break;
    }
    // Keep the identifier most of the time, so verification does the work.
    if (b.size() >= 8 && pick(0, 9) > 0) std::memcpy(b.data() + 4, "HQ01", 4);
    return b;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::size_t pos(const std::string& b) {
    return std::uniform_int_distribution<std::size_t>(0, b.size() - 1)(rng_);
  }
  std::mt19937 rng_;
};

TEST_F(HostileInputTest, MutatedMessagesDecodeOrAreRefused) {
  Mutator m(4242);
  std::mt19937 pick(7);
  std::map<MessageKind, int> verified;
  int invalid = 0;
  constexpr int kMutations = 20'000;
  for (int i = 0; i < kMutations; ++i) {
    const std::string& original = samples_[pick() % samples_.size()];
    const std::string bytes = m.mutate(original);
    const MessageKind kind = exercise(as_bytes(bytes), *config_);
    if (kind == MessageKind::kInvalid) {
      ++invalid;
    } else {
      ++verified[kind];
    }
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "mutation " << i << " of a " << original.size() << "-byte message";
      break;
    }
  }
  // Not vacuous: many mutants verify and reach the decoders, many do not.
  RecordProperty("invalid", invalid);
  EXPECT_GT(invalid, kMutations / 10);
  for (MessageKind k : {MessageKind::kRequest, MessageKind::kEvent, MessageKind::kSnapshot,
                        MessageKind::kReply, MessageKind::kHeartbeat}) {
    EXPECT_GT(verified[k], 20) << "kind " << static_cast<int>(k);
  }
}

TEST_F(HostileInputTest, MutatedRequestsThatDecodeAreSafeForTheHall) {
  // The engine hands decoded commands straight to the hall.
  Mutator m(99);
  std::mt19937 pick(3);
  std::vector<std::string> requests;
  for (const std::string& s : samples_)
    if (protocol::inspect(as_bytes(s)) == MessageKind::kRequest) requests.push_back(s);
  int applied = 0;
  TimeUs now = hall_->clock();
  for (int i = 0; i < 5'000; ++i) {
    const std::string bytes = m.mutate(requests[pick() % requests.size()]);
    if (protocol::inspect(as_bytes(bytes)) != MessageKind::kRequest) continue;
    protocol::DecodedRequest r;
    if (!protocol::decode_request(as_bytes(bytes), r).ok() || r.kind != protocol::RequestKind::kCommand)
      continue;
    now += kUsPerSecond;
    (void)apply(r.command, now, r.request_id);
    ++applied;
  }
  RecordProperty("applied", applied);
  EXPECT_GT(applied, 500);
}

// ------------------------------------------------------------ odd but valid

TEST(HostileInput, UnionTagWithoutItsTableIsRefused) {
  // FlatBuffers verify a union whose type is set but whose table is absent.
  const auto cfg = make_config();
  for (int type = 1; type <= static_cast<int>(wire::Command::MAX); ++type) {
    SCOPED_TRACE(wire::EnumNameCommand(static_cast<wire::Command>(type)));
    const std::string bytes = craft_request("r", "test-hall", static_cast<wire::Command>(type), {});
    ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kRequest);
    protocol::DecodedRequest r;
    const Status st = protocol::decode_request(as_bytes(bytes), r);
    EXPECT_EQ(st.code(), ErrorCode::kMalformed) << st.message();
  }
  for (int type = 1; type <= static_cast<int>(wire::EventBody::MAX); ++type) {
    SCOPED_TRACE(wire::EnumNameEventBody(static_cast<wire::EventBody>(type)));
    const std::string bytes = craft_event(1, static_cast<wire::EventBody>(type), {});
    ASSERT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kEvent);
    protocol::DecodedEvent d;
    EXPECT_EQ(protocol::decode_event(as_bytes(bytes), *cfg, d).code(), ErrorCode::kMalformed);
    EXPECT_EQ(protocol::describe_event(as_bytes(bytes)).seq, 1u);
  }
  // A Message whose body tag has no table.
  for (int type = 1; type <= static_cast<int>(wire::Body::MAX); ++type) {
    flatbuffers::FlatBufferBuilder fbb;
    const std::string bytes = finish_message(fbb, static_cast<wire::Body>(type), {});
    (void)exercise(as_bytes(bytes), *cfg);
  }
}

// Wraps `inner` (a whole Message) as the snapshot blob of `levels` nested
// replies, written byte by byte so that deep nesting costs linear time: each
// level is a fixed 72-byte header (root offset, identifier, Message, Reply and
// Blob tables with their vtables, the blob's length) followed by the level
// inside it.
std::string nest_in_replies(const std::string& inner, std::size_t levels) {
  constexpr std::size_t kHeader = 72;
  std::string out(levels * kHeader + inner.size(), '\0');
  std::memcpy(out.data() + levels * kHeader, inner.data(), inner.size());
  auto put32 = [&](std::size_t at, std::uint32_t v) { std::memcpy(out.data() + at, &v, 4); };
  auto put16 = [&](std::size_t at, std::uint16_t v) { std::memcpy(out.data() + at, &v, 2); };
  for (std::size_t level = levels; level-- > 0;) {
    const std::size_t h = level * kHeader;
    const std::size_t inside = out.size() - h - kHeader;
    put32(h + 0, 16);  // root: the Message table at 16
    std::memcpy(out.data() + h + 4, "HQ01", 4);
    put16(h + 8, 8), put16(h + 10, 12), put16(h + 12, 4), put16(h + 14, 8);  // Message vtable
    put32(h + 16, 8);  // Message table -> its vtable at 8
    out[h + 20] = static_cast<char>(wire::Body::Reply);
    put32(h + 24, 44 - 24);               // body -> Reply table at 44
    put16(h + 28, 14), put16(h + 30, 8);  // Reply vtable: only field 4 (snapshot)
    put16(h + 32, 0), put16(h + 34, 0), put16(h + 36, 0), put16(h + 38, 0), put16(h + 40, 4);
    put32(h + 44, 44 - 28);                                // Reply table -> its vtable at 28
    put32(h + 48, 60 - 48);                                // snapshot -> Blob table at 60
    put16(h + 52, 6), put16(h + 54, 8), put16(h + 56, 4);  // Blob vtable
    put32(h + 60, 60 - 52);                                // Blob table -> its vtable at 52
    put32(h + 64, 68 - 64);                                // data -> vector at 68
    put32(h + 68, static_cast<std::uint32_t>(inside));
  }
  return out;
}

TEST(HostileInput, NestingHelperBuildsVerifiableReplies) {
  // One level is a well-formed reply carrying its snapshot: the helper is right.
  protocol::ReplySpec spec;
  const std::string snapshot = [] {
    auto cfg = make_config();
    Hall hall(cfg, policy::find_policy("balanced"), &predict::default_predictor());
    return protocol::encode_snapshot(hall, 1, false);
  }();
  const std::string one = nest_in_replies(snapshot, 1);
  ASSERT_EQ(protocol::inspect(as_bytes(one)), MessageKind::kReply);
  EXPECT_EQ(protocol::decode_reply(as_bytes(one)).snapshot, snapshot);
}

TEST(HostileInput, ReplyNestedInAReplyIsInvalid) {
  // A reply's blobs hold an event or a snapshot, never another reply.
  const std::string inner = protocol::encode_reply({});
  std::string why;
  EXPECT_EQ(protocol::inspect(as_bytes(nest_in_replies(inner, 1)), &why), MessageKind::kInvalid);
  EXPECT_EQ(protocol::inspect(as_bytes(nest_in_replies(inner, 2)), &why), MessageKind::kInvalid);
}

TEST(HostileInput, DeeplyNestedRepliesDoNotExhaustTheStack) {
  // ~14 MB, well under the message limit: verifying nested buffers recursively
  // would need a stack frame per level.
  const std::string inner = protocol::encode_reply({});
  const std::string bytes = nest_in_replies(inner, 200'000);
  ASSERT_LT(bytes.size(), protocol::kMaxMessageBytes);
  EXPECT_EQ(protocol::inspect(as_bytes(bytes)), MessageKind::kInvalid);
}

TEST(HostileInput, ReplyBlobsMustBeHallqEventsAndSnapshots) {
  const auto cfg = make_config();
  Hall hall(cfg, policy::find_policy("balanced"), &predict::default_predictor());
  const std::string snapshot = protocol::encode_snapshot(hall, 1, false);
  const std::string event = [&] {
    std::vector<Event> out;
    EXPECT_TRUE(hall.apply(Command{{}, IssueTicket{"social"}}, 1'709'514'000'000'000, out).ok());
    return protocol::encode_event(hall, out.at(0), "");
  }();
  std::string foreign = event;
  std::memcpy(foreign.data() + 4, "XX99", 4);  // a verifiable buffer of another protocol
  auto reply = [](std::vector<std::string_view> events, std::string_view snap) {
    protocol::ReplySpec spec;
    spec.events = std::move(events);
    spec.snapshot = snap;
    return protocol::encode_reply(spec);
  };
  EXPECT_EQ(protocol::inspect(as_bytes(reply({event}, snapshot))), MessageKind::kReply);  // the sane case
  for (const std::string& bytes :
       {reply({snapshot}, ""), reply({event, protocol::encode_ping("p")}, ""), reply({}, event),
        reply({foreign}, ""), reply({}, protocol::encode_reply({}))}) {
    std::string why;
    EXPECT_EQ(protocol::inspect(as_bytes(bytes), &why), MessageKind::kInvalid);
    EXPECT_FALSE(why.empty());
  }
}

}  // namespace
}  // namespace hallq::test
