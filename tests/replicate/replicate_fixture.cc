#include "tests/replicate/replicate_fixture.h"

#include <flatbuffers/flatbuffers.h>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/hallq_generated.h"
#include "engine/protocol/message.h"
#include "engine/protocol/snapshot_codec.h"
#include "engine/replicate/hall_reader.h"
#include "engine/replicate/stream_setup.h"

namespace hallq::replicate::test {

std::unique_ptr<testing::NatsCluster> ReplicateTest::cluster_;

std::string read_file(const std::string& path) {
  std::stringstream s;
  s << std::ifstream(path).rdbuf();
  return s.str();
}

bool log_says(const std::string& path, const std::string& text, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_file(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a log file, bounded above
  }
  ADD_FAILURE() << "the log never said \"" << text << "\":\n" << read_file(path);
  return false;
}

void expect_stream_holds(NatsConnection& conn, const std::string& hall,
                         const std::map<core::Seq, std::string>& acked, core::Seq* tail_seq) {
  ASSERT_FALSE(acked.empty());
  Publisher probe(conn);
  const auto tail = probe.tail(hall);
  ASSERT_TRUE(tail);
  *tail_seq = tail->hall_seq;
  ASSERT_GE(tail->hall_seq, acked.rbegin()->first);
  HallReader reader(conn, hall, {});
  std::set<std::string> numbers;  // day/number
  int day = 0;
  std::size_t held = 0;
  for (core::Seq s = 1; s <= tail->hall_seq; ++s) {
    auto got = reader.next(std::chrono::seconds(10));
    ASSERT_TRUE(got) << "seq " << s << " missing from the stream";
    ASSERT_EQ(got->seq, s);
    if (auto it = acked.find(s); it != acked.end()) {
      EXPECT_EQ(got->bytes, it->second) << "acknowledged seq " << s << " differs in the stream";
      ++held;
    }
    const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(got->bytes));
    // Numbers start again each day (a run across local midnight).
    if (e.kind == "day_rolled") ++day;
    if (e.kind == "ticket_issued") {
      EXPECT_TRUE(numbers.insert(std::to_string(day) + "/" + e.number).second) << e.number << " issued twice";
    }
  }
  EXPECT_EQ(held, acked.size());
  EXPECT_TRUE(reader.refusals().empty());
}

core::HallState state_of(const protocol::DecodedReply& r) {
  protocol::DecodedSnapshot s;
  EXPECT_TRUE(protocol::decode_snapshot(protocol::as_bytes(r.snapshot), s).ok());
  return s.state;
}

std::string event_bytes(const std::string& hall, core::Seq seq, const std::string& text) {
  flatbuffers::FlatBufferBuilder fbb;
  const auto body = wire::CreateNoticeChanged(fbb, fbb.CreateString(text));
  const auto ev = wire::CreateEvent(fbb, fbb.CreateString(hall), seq, 1'709'514'000'000'000 + seq * 1000,
                                    fbb.CreateString(""), 0, fbb.CreateString(""), 0,
                                    wire::EventBody::NoticeChanged, body.Union());
  wire::FinishMessageBuffer(fbb, wire::CreateMessage(fbb, wire::Body::Event, ev.Union()));
  return {reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize()};
}

std::unique_ptr<NatsConnection> connect(const testing::NatsCluster& cluster, const std::string& credentials,
                                        std::chrono::milliseconds request_timeout) {
  NatsConnection::Options o;
  o.urls = split_urls(cluster.urls());
  o.credentials_file = credentials;
  o.request_timeout = request_timeout;
  return std::make_unique<NatsConnection>(o);
}

std::vector<std::string> engine_args(const testing::NatsCluster& cluster, const std::string& engine_id,
                                     bool standby, bool replicated) {
  std::vector<std::string> a{
      "--replicate", cluster.urls(), "--nats-credentials", cluster.engine_credentials(),
      "--engine-id", engine_id,      "--advise-every",     "0"};
  if (standby) a.emplace_back("--standby");
  if (replicated) {
    a.emplace_back("--ack");
    a.emplace_back("replicated");
  }
  return a;
}

void raw_publish(NatsConnection& conn, const std::string& subject, const std::string& bytes) {
  jsPubAck* pa = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_Publish(&pa, conn.js(), subject.c_str(), bytes.data(),
                                  static_cast<int>(bytes.size()), nullptr, &jerr);
  jsPubAck_Destroy(pa);
  if (s != NATS_OK) throw std::runtime_error("raw publish: " + conn.describe(s, jerr));
}

long subject_count(NatsConnection& conn, const std::string& subject, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    jsOptions o;
    jsOptions_Init(&o);
    o.Stream.Info.SubjectsFilter = subject.c_str();
    jsStreamInfo* si = nullptr;
    if (js_GetStreamInfo(&si, conn.js(), kEventsStream, &o, nullptr) == NATS_OK) {
      long n = 0;
      if (si->State.Subjects != nullptr) {
        for (int i = 0; i < si->State.Subjects->Count; ++i) {
          if (subject == si->State.Subjects->List[i].Subject)
            n = static_cast<long>(si->State.Subjects->List[i].Msgs);
        }
      }
      jsStreamInfo_Destroy(si);
      return n;
    }
    // Polling until the stream answers again (a leader elected), bounded above.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return -1;
}

void ReplicateTest::SetUpTestSuite() {
  if (!cluster_) cluster_ = std::make_unique<testing::NatsCluster>(3);
}

void ReplicateTest::TearDownTestSuite() { cluster_.reset(); }

void ReplicateTest::SetUp() {
  engine_ = connect(cluster(), cluster().engine_credentials());
  // A cluster just started may still be electing its JetStream meta leader
  // (seconds on a loaded machine): making the stream times out meanwhile.
  // Retried while it times out, bounded above.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    try {
      ensure_stream(*engine_);
      ensure_owners_bucket(*engine_);
      return;
    } catch (const std::exception& e) {
      if (std::string_view(e.what()).find("Timeout") == std::string_view::npos ||
          std::chrono::steady_clock::now() > deadline)
        throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the election, bounded above
  }
}

}  // namespace hallq::replicate::test
