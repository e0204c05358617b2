// hallq-city against the real 3-node cluster and real hallqd --replicate
// engines (one per hall, as in a city): what it shows matches what the test
// issued with hallq; a hall whose engine starts later appears without a
// restart; a restart resumes from the consumer's position (deliveries
// counted); a garbage message on a hall's subject is refused and logged, not
// applied; the city role cannot publish. The page itself in Chromium
// (city_check.js).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nats/nats.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "engine/replicate/nats_connection.h"
#include "engine/replicate/stream_setup.h"
#include "tests/support/child_process.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/nats_cluster.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::string kSource = HALLQ_SOURCE_DIR;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class CityTest : public ::testing::Test {
 protected:
  // A shipped hall, open all day and every day: the tests do not depend on the time of day.
  std::string conf(const std::string& name) {
    const std::string text =
        std::regex_replace(read_file(kSource + "/conf/" + name + ".toml"),
                           std::regex("\nhours = \\[[^\\]]*\\][^\n]*"), "\nhours = [\"00:00-24:00\"]");
    const std::string path = dir_.sub(name + ".toml");
    std::ofstream(path) << text;
    return path;
  }

  std::unique_ptr<EngineProcess> engine(const std::string& hall, const std::string& id) {
    return std::make_unique<EngineProcess>(
        std::vector<std::string>{conf(hall)}, dir_.sub("data-" + id),
        std::vector<std::string>{"--replicate", cluster_.urls(), "--nats-credentials",
                                 cluster_.engine_credentials(), "--engine-id", id, "--advise-every", "0"});
  }

  static void hallq(const EngineProcess& e, std::vector<std::string> args) {
    args.insert(args.begin(), {"--engine", e.cmd()});
    const RunResult r = run_program(HALLQ_PATH, args);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  static void issue(const EngineProcess& e, const std::string& hall, const std::string& service, int n = 1) {
    for (int i = 0; i < n; ++i) {
      const RunResult r = run_program(HALLQ_PATH, {"--engine", e.cmd(), "issue", hall, service});
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
  }

  // Starts hallq-city; `http_` gets where it serves.
  std::unique_ptr<ChildProcess> start_city(const std::string& http = "127.0.0.1:0",
                                           const std::vector<std::string>& more = {}) {
    return wait_ready(launch_city(http, more));
  }
  std::unique_ptr<ChildProcess> launch_city(const std::string& http = "127.0.0.1:0",
                                            const std::vector<std::string>& more = {}) {
    ChildProcess::Options o;
    o.stderr_path = dir_.sub("city.stderr." + std::to_string(++starts_));
    std::vector<std::string> args{"--nats",
                                  cluster_.urls(),
                                  "--nats-credentials",
                                  cluster_.city_credentials(),
                                  "--durable",
                                  durable_,
                                  "--http",
                                  http,
                                  "--data",
                                  dir_.sub(data_)};
    args.insert(args.end(), more.begin(), more.end());
    return std::make_unique<ChildProcess>(HALLQ_CITY_PATH, args, o);
  }
  std::unique_ptr<ChildProcess> wait_ready(std::unique_ptr<ChildProcess> c) {
    const auto ready = c->wait_prefix("hallq-city: ready ", 30s);
    if (!ready) throw std::runtime_error("hallq-city not ready: " + city_log());
    std::smatch m;
    std::regex_search(*ready, m, std::regex("http=(\\S+)"));
    http_ = m[1];
    return c;
  }
  std::string city_log() const { return read_file(dir_.sub("city.stderr." + std::to_string(starts_))); }

  json city() const {
    const HttpAnswer a = http_request(http_, boost::beast::http::verb::get, "/api/city");
    EXPECT_EQ(a.status, 200);
    return a.j();
  }
  static json hall_of(const json& c, const std::string& id) {
    for (const json& h : c["halls"])
      if (h["id"] == id) return h;
    return json();
  }
  // Polls /api/city until `pred` holds (a deadline guards against a hang).
  json wait_city(const std::function<bool(const json&)>& pred, std::chrono::milliseconds limit = 20s) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    json c = city();
    while (!pred(c) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);  // a poll interval, not a wait for things to settle
      c = city();
    }
    EXPECT_TRUE(pred(c)) << c.dump(1);
    return c;
  }
  static std::function<bool(const json&)> waiting(const std::string& hall, int n) {
    return [hall, n](const json& c) {
      const json h = hall_of(c, hall);
      return !h.is_null() && h["waiting"] == n;
    };
  }

  replicate::NatsConnection connect(const std::string& credentials) {
    replicate::NatsConnection::Options o;
    o.urls = replicate::split_urls(cluster_.urls());
    o.credentials_file = credentials;
    o.request_timeout = 1500ms;
    return replicate::NatsConnection(o);
  }
  // The stream's last sequence, read with the engine's credentials.
  std::uint64_t stream_last(replicate::NatsConnection& conn) {
    jsStreamInfo* si = nullptr;
    EXPECT_EQ(js_GetStreamInfo(&si, conn.js(), replicate::kEventsStream, nullptr, nullptr), NATS_OK);
    const std::uint64_t last = si ? si->State.LastSeq : 0;
    jsStreamInfo_Destroy(si);
    return last;
  }

  // The consumer `durable` on the stream, read with the engine's credentials (null if none).
  std::unique_ptr<jsConsumerInfo, void (*)(jsConsumerInfo*)> consumer(replicate::NatsConnection& conn,
                                                                      const std::string& durable) {
    jsConsumerInfo* ci = nullptr;
    js_GetConsumerInfo(&ci, conn.js(), replicate::kEventsStream, durable.c_str(), nullptr, nullptr);
    return {ci, jsConsumerInfo_Destroy};
  }
  // Polls the consumer until nothing it delivered is unacknowledged and its
  // acknowledgement floor is at the stream's last message (a deadline guards).
  void wait_all_acknowledged(replicate::NatsConnection& conn, const std::string& durable) {
    const std::uint64_t last = stream_last(conn);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    auto done = [&] {
      auto ci = consumer(conn, durable);
      return ci && ci->NumAckPending == 0 && ci->AckFloor.Stream == last;
    };
    while (!done() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);  // a poll of the consumer, not a wait for things to settle
    auto ci = consumer(conn, durable);
    ASSERT_TRUE(ci);
    EXPECT_EQ(ci->NumAckPending, 0);
    EXPECT_EQ(ci->AckFloor.Stream, last);
  }

  NatsCluster cluster_;
  TempDir dir_{"hallq-city"};
  std::string http_;
  std::string durable_ = "city-1", data_ = "city-data";  // hallq-city's --durable, its --data in dir_
  int starts_ = 0;
};

TEST_F(CityTest, EveryHallInChromiumANewHallWithoutRestartAndAReconnectingPage) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  auto a = engine("town", "engine-a");
  auto b = engine("district", "engine-b");
  issue(*a, "town", "social", 3);
  issue(*b, "district", "social", 2);
  hallq(*a, {"open", "town", "w1", "--staff", "s1"});
  hallq(*a, {"open", "town", "w2", "--staff", "s2"});
  hallq(*b, {"open", "district", "w1", "--staff", "rs01"});
  auto c = start_city();

  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const std::string out_dir =
      std::getenv("HALLQ_SCREENSHOTS") ? std::getenv("HALLQ_SCREENSHOTS") : dir_.path();
  ChildProcess node(HALLQ_NODE, {kSource + "/tests/city/city_check.js", "http://" + http_, out_dir});
  ASSERT_TRUE(node.wait_prefix("two_halls ", 40s)) << node.output();

  // A third hall's engine, started while the city view runs.
  auto third = engine("bank", "engine-c");
  issue(*third, "bank", "ps");
  node.write_line("third");
  ASSERT_TRUE(node.wait_prefix("third_hall ", 30s)) << node.output();
  EXPECT_NE(city_log().find("hall bank joined"), std::string::npos) << city_log();

  // The city view restarts on the same address; the page reconnects by itself.
  const std::string http = http_;
  EXPECT_EQ(c->stop(), 0);
  issue(*a, "town", "social");
  c = start_city(http);
  node.write_line("restarted");
  ASSERT_TRUE(node.wait_prefix("ok", 30s)) << node.output();
  EXPECT_EQ(node.wait_exit(20s), 0) << node.output();
  std::cout << node.output();
}

TEST_F(CityTest, StartedBeforeAnyEngineItWaitsForTheStreamThenFollows) {
  auto c = launch_city();
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (city_log().find("waiting for the stream HALLQ_EVENTS") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);  // a poll of its log, not a wait for things to settle
  ASSERT_NE(city_log().find("waiting for the stream HALLQ_EVENTS"), std::string::npos) << city_log();
  auto a = engine("town", "engine-a");
  issue(*a, "town", "social", 2);
  c = wait_ready(std::move(c));
  wait_city(waiting("town", 2));
}

TEST_F(CityTest, ARestartResumesFromTheConsumersPosition) {
  auto a = engine("town", "engine-a");
  issue(*a, "town", "social", 10);
  auto c = start_city();
  const json joined = wait_city(waiting("town", 10));
  const std::uint64_t seq0 = hall_of(joined, "town")["seq"];
  // Issued after the hall joined: kept in the store as events after its snapshot
  // (fewer than --snapshot-every's 256).
  issue(*a, "town", "social", 3);
  const json first = wait_city(waiting("town", 13));
  const std::uint64_t seq1 = hall_of(first, "town")["seq"];
  // Every town event was delivered once: the hall's sequence counts the subject's messages.
  EXPECT_EQ(first["stream"]["delivered"], seq1);
  EXPECT_EQ(first["stream"]["applied"], seq1);
  EXPECT_EQ(c->stop(), 0);

  issue(*a, "town", "social", 5);
  // The events after the hall's stored snapshot are folded again at the start: at
  // least those after it joined (the batch it joined in is in its snapshot).
  c = start_city("127.0.0.1:0", {"--snapshot-every", "2"});
  std::smatch m;
  std::string log = city_log();
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(store: 1 hall\(s\), (\d+) event\(s\) after)"))) << log;
  const std::uint64_t folded = std::stoull(m[1]);
  EXPECT_GE(folded, seq1 - seq0) << log;
  EXPECT_LE(folded, seq1) << log;
  const json second = wait_city(waiting("town", 18));
  const std::uint64_t seq2 = hall_of(second, "town")["seq"];
  EXPECT_GT(seq2, seq1);
  // Only what came after the first run was delivered again, not the whole subject.
  EXPECT_EQ(second["stream"]["delivered"], seq2 - seq1) << second.dump(1);
  EXPECT_EQ(second["stream"]["held"], 0);
  EXPECT_EQ(second["stream"]["refused"], 0);
  EXPECT_EQ(c->stop(), 0);

  // That run replaced the kept events by a snapshot whenever 2 or more were
  // kept: a third start folds fewer than 2 and still holds every ticket.
  issue(*a, "town", "social", 3);
  c = start_city();
  log = city_log();
  EXPECT_TRUE(std::regex_search(log, std::regex(R"(store: 1 hall\(s\), [01] event\(s\) after)"))) << log;
  const json third = wait_city(waiting("town", 21));
  EXPECT_EQ(third["stream"]["delivered"], hall_of(third, "town")["seq"].get<std::uint64_t>() - seq2);
  EXPECT_EQ(third["stream"]["refused"], 0);
}

// A consumer the city view makes acknowledges a batch with one message (ack
// policy "all"); one an earlier hallq-city made (explicit acks, which the
// server does not let a client change) is still followed, answered message
// by message, and a restart on it resumes exactly after what it stored.
TEST_F(CityTest, ANewConsumerAcknowledgesBatchesAtOnceAnEarlierOneKeepsExplicitAcks) {
  auto a = engine("town", "engine-a");
  issue(*a, "town", "social", 5);
  auto engine_conn = connect(cluster_.engine_credentials());

  auto c = start_city();
  wait_city(waiting("town", 5));
  auto made = consumer(engine_conn, "city-1");
  ASSERT_TRUE(made);
  EXPECT_EQ(made->Config->AckPolicy, js_AckAll);
  wait_all_acknowledged(engine_conn, "city-1");
  EXPECT_EQ(c->stop(), 0);

  // The consumer as hallq-city made it before (city_feed.cc's options then).
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = "city-old";
  cc.AckPolicy = js_AckExplicit;
  cc.DeliverPolicy = js_DeliverAll;
  cc.AckWait = std::chrono::nanoseconds(30s).count();
  cc.MaxAckPending = 1000;
  cc.FilterSubject = "hallq.events.>";
  jsConsumerInfo* ci = nullptr;
  ASSERT_EQ(js_AddConsumer(&ci, engine_conn.js(), replicate::kEventsStream, &cc, nullptr, nullptr), NATS_OK);
  jsConsumerInfo_Destroy(ci);
  durable_ = "city-old";
  data_ = "city-data-old";
  c = start_city();
  const json first = wait_city(waiting("town", 5));
  const std::uint64_t seq1 = hall_of(first, "town")["seq"];
  EXPECT_NE(city_log().find("acknowledges message by message"), std::string::npos) << city_log();
  wait_all_acknowledged(engine_conn, "city-old");
  EXPECT_EQ(consumer(engine_conn, "city-old")->Config->AckPolicy, js_AckExplicit);
  EXPECT_EQ(c->stop(), 0);

  issue(*a, "town", "social", 3);
  c = start_city();
  const json second = wait_city(waiting("town", 8));
  EXPECT_EQ(second["stream"]["delivered"], hall_of(second, "town")["seq"].get<std::uint64_t>() - seq1);
  EXPECT_EQ(second["stream"]["held"], 0);
  wait_all_acknowledged(engine_conn, "city-old");
}

TEST_F(CityTest, WindowsSatisfactionAndWaitsAsTheHallServes) {
  auto a = engine("town", "engine-a");
  issue(*a, "town", "social", 4);
  hallq(*a, {"open", "town", "w1", "--staff", "s1"});
  hallq(*a, {"open", "town", "w2", "--staff", "s2"});
  // Two citizens served and rated at w1: one 非常满意 (5), one 不满意 (2).
  for (const auto& [number, level] : {std::pair{"A001", "5"}, std::pair{"A002", "2"}}) {
    hallq(*a, {"call", "town", "w1"});
    hallq(*a, {"start", "town", "w1"});
    hallq(*a, {"finish", "town", "w1"});
    hallq(*a, {"evaluate", "town", number, level});
  }
  auto c = start_city();
  const json j = wait_city([](const json& c) {
    const json h = hall_of(c, "town");
    return !h.is_null() && h["ratings"] == 2;
  });
  const json town = hall_of(j, "town");
  EXPECT_EQ(town["waiting"], 2);       // 4 issued, 2 served
  EXPECT_EQ(town["windows_open"], 2);  // w1, w2 of the 12 in conf/town.toml
  EXPECT_EQ(town["windows_total"], 12);
  EXPECT_DOUBLE_EQ(town["satisfaction"].get<double>(), 0.5);  // one of two rated 4 or 5
  EXPECT_GE(town["predicted_wait_s"].get<int>(), 0);  // social is served: a prediction, not 暂停受理
  EXPECT_EQ(town["predicted_service"], "社保医保");
  for (const json& alert : town["alerts"]) EXPECT_NE(alert["kind"], "no_window") << alert.dump();
}

TEST_F(CityTest, AGarbageMessageOnAHallsSubjectIsRefusedAndLogged) {
  auto a = engine("town", "engine-a");
  issue(*a, "town", "social", 2);
  auto c = start_city();
  const json before = wait_city(waiting("town", 2));
  const std::uint64_t seq = hall_of(before, "town")["seq"];

  auto engine_conn = connect(cluster_.engine_credentials());
  const std::string garbage = "not a hallq event at all";
  jsPubAck* pa = nullptr;
  ASSERT_EQ(js_Publish(&pa, engine_conn.js(), "hallq.events.town", garbage.data(),
                       static_cast<int>(garbage.size()), nullptr, nullptr),
            NATS_OK);
  const std::uint64_t garbage_seq = pa->Sequence;
  jsPubAck_Destroy(pa);

  const json after = wait_city([](const json& j) { return j["stream"]["refused"] == 1; });
  const std::string why = after["stream"]["refusals"][0];
  EXPECT_NE(why.find(fmt::format("hallq.events.town stream seq {}: refused: not a hallq event", garbage_seq)),
            std::string::npos)
      << why;
  EXPECT_EQ(hall_of(after, "town")["seq"], seq);  // not applied
  EXPECT_EQ(hall_of(after, "town")["waiting"], 2);
  EXPECT_NE(city_log().find(why), std::string::npos) << city_log();
}

TEST_F(CityTest, TheCityRoleCannotPublish) {
  auto a = engine("town", "engine-a");
  issue(*a, "town", "social");
  auto engine_conn = connect(cluster_.engine_credentials());
  const std::uint64_t last = stream_last(engine_conn);
  auto city_conn = connect(cluster_.city_credentials());

  const std::string bytes = "anything";
  jsPubAck* pa = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  EXPECT_NE(js_Publish(&pa, city_conn.js(), "hallq.events.town", bytes.data(), static_cast<int>(bytes.size()),
                       nullptr, &jerr),
            NATS_OK);
  jsPubAck_Destroy(pa);
  EXPECT_EQ(natsConnection_PublishString(city_conn.raw(), "hallq.events.town", "plain"), NATS_OK);  // sent...
  natsConnection_FlushTimeout(city_conn.raw(), 1500);
  EXPECT_EQ(stream_last(engine_conn), last);  // ...and refused by the server: the stream holds nothing new

  // Nor the buckets: it reads the hall snapshots but cannot write one, and
  // cannot even look at the owners.
  kvStore* kv = nullptr;
  ASSERT_EQ(js_KeyValue(&kv, city_conn.js(), replicate::kHallsBucket), NATS_OK);
  std::uint64_t rev = 0;
  EXPECT_NE(kvStore_PutString(&rev, kv, "town", "forged"), NATS_OK);
  kvStore_Destroy(kv);
  kv = nullptr;
  EXPECT_NE(js_KeyValue(&kv, city_conn.js(), replicate::kOwnersBucket), NATS_OK);
  kvStore_Destroy(kv);
}

TEST_F(CityTest, WrongCredentialsAndABadDurableNameAreRefusedAtStart) {
  const std::string wrong = dir_.sub("wrong.creds");
  std::ofstream(wrong) << "city:not-the-password\n";
  RunResult r = run_program(HALLQ_CITY_PATH, {"--nats", cluster_.urls(), "--nats-credentials", wrong,
                                              "--durable", "city-1", "--data", dir_.sub("d")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("hallq-city: "), std::string::npos) << r.err;
  r = run_program(HALLQ_CITY_PATH,
                  {"--nats", cluster_.urls(), "--nats-credentials", cluster_.city_credentials(), "--durable",
                   "city.1", "--data", dir_.sub("d")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("只能使用字母、数字、- 和 _"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace hallq::testing
