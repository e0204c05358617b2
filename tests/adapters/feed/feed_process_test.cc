// hallq-feed against real parts: the 3-node NATS cluster (tests/support),
// a real hallqd --replicate serving three halls (two of them chosen for the
// feed), and the local HTTP receiver standing in for the provincial
// platform. What arrives is compared with the commands the test sent:
// every fed event once, in order per hall, with its fields and key (a
// foreign message on a hall's subject refused, not posted); an
// endpoint that answers 503, hangs, and is down, then recovers; the feed
// killed with SIGKILL holding a backlog, and again mid-drain; bad configs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nats/nats.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/replicate/nats_connection.h"
#include "tests/support/child_process.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_receiver.h"
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

// One event as the platform received it.
struct Fed {
  json body;
  std::string key;  // the Idempotency-Key header
  std::string hall() const { return body.value("hall", ""); }
  std::uint64_t seq() const { return body.value("seq", std::uint64_t{0}); }
  std::string type() const { return body.value("type", ""); }
};

std::vector<Fed> fed_of(const std::vector<ReceivedRequest>& requests) {
  std::vector<Fed> out;
  for (const ReceivedRequest& r : requests) out.push_back({json::parse(r.body), r.header("idempotency-key")});
  return out;
}

std::vector<Fed> of_hall(const std::vector<Fed>& all, const std::string& hall) {
  std::vector<Fed> out;
  for (const Fed& f : all)
    if (f.hall() == hall) out.push_back(f);
  return out;
}

// "2026-12-05T09:31:05+08:00" -> seconds since the epoch; -1 if not that form.
std::int64_t parse_local_time(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, std::regex(R"((\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\+08:00)")))
    return -1;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  return static_cast<std::int64_t>(timegm(&tm)) - 8 * 3600;
}

class FeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.sub("token")) << "platform-token-9\n";
    engine_ = std::make_unique<EngineProcess>(
        std::vector<std::string>{conf("town"), conf("district"), conf("bank")}, dir_.sub("data"),
        std::vector<std::string>{"--replicate", cluster_.urls(), "--nats-credentials",
                                 cluster_.engine_credentials(), "--engine-id", "engine-a", "--advise-every",
                                 "0"});
  }

  // A shipped hall, open all day and every day: the tests do not depend on the time of day.
  std::string conf(const std::string& name) {
    const std::string text =
        std::regex_replace(read_file(kSource + "/conf/" + name + ".toml"),
                           std::regex("\nhours = \\[[^\\]]*\\][^\n]*"), "\nhours = [\"00:00-24:00\"]");
    const std::string path = dir_.sub(name + ".toml");
    std::ofstream(path) << text;
    return path;
  }

  // The feed's config: town and district chosen (not bank), short timeouts and backoff.
  std::string feed_config(std::uint16_t port, const std::string& credentials = "") {
    const std::string path = dir_.sub("feed.toml");
    std::ofstream(path) << fmt::format(R"([nats]
urls = "{}"
credentials_file = "{}"
durable = "feed-1"
ack_wait_s = 30

[feed]
halls = ["town", "district"]
batch = 16
poll_ms = 100

[platform]
url = "http://127.0.0.1:{}/gov/realtime/events"
token_file = "token"
timeout_ms = 300

[backoff]
initial_ms = 20
max_ms = 200
jitter = 0
)",
                                       cluster_.urls(),
                                       credentials.empty() ? cluster_.feed_credentials() : credentials, port);
    return path;
  }

  std::unique_ptr<ChildProcess> start_feed(std::uint16_t port) {
    ChildProcess::Options o;
    o.stderr_path = dir_.sub("feed.stderr." + std::to_string(++starts_));
    auto feed = std::make_unique<ChildProcess>(HALLQ_FEED_PATH,
                                               std::vector<std::string>{"--config", feed_config(port)}, o);
    if (!feed->wait_prefix("hallq-feed ready ", 30s))
      throw std::runtime_error("hallq-feed not ready: " + feed->output() + read_file(o.stderr_path));
    return feed;
  }

  // Runs hallq against the engine; its output.
  std::string hallq(std::vector<std::string> args) {
    args.insert(args.begin(), {"--engine", engine_->cmd()});
    const RunResult r = run_program(HALLQ_PATH, args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return r.out;
  }
  // Issues a ticket; its printed number ("A001"), read from hallq's answer.
  std::string issue(const std::string& hall, const std::string& service) {
    const std::string out = hallq({"issue", hall, service});
    std::smatch m;
    EXPECT_TRUE(std::regex_search(out, m, std::regex("\\b([A-Z][0-9]{3,})\\b"))) << out;
    return m.size() > 1 ? m[1].str() : "";
  }

  NatsCluster cluster_;
  TempDir dir_{"hallq-feed"};
  std::unique_ptr<EngineProcess> engine_;
  int starts_ = 0;
};

TEST_F(FeedTest, EventsArriveInOrderPerHallWithTheirFieldsAndKeys) {
  HttpReceiver platform;
  auto feed = start_feed(platform.port());
  const std::int64_t start = std::time(nullptr);

  hallq({"open", "town", "w1", "--staff", "s1"});
  const std::string a = issue("town", "social");
  const std::string b = issue("town", "estate");
  const std::string d = issue("district", "social");
  issue("bank", "ps");  // a hall not chosen
  hallq({"call", "town", "w1"});
  hallq({"start", "town", "w1"});
  hallq({"finish", "town", "w1", "--case", "BJ-2026-0042"});
  hallq({"notice", "town", "午休 12:00-13:00"});  // not a queue event: not fed
  hallq({"evaluate", "town", a, "2", "--window", "w1", "--reason", "02", "--comment", "请回电 13800138000"});
  hallq({"cancel", "town", b});
  hallq({"close", "town", "w1"});

  // What the test sent, in order: each hall's fed events.
  const std::vector<std::string> town_types = {"window_opened",    "ticket_issued",   "ticket_issued",
                                               "ticket_called",    "service_started", "ticket_finished",
                                               "ticket_evaluated", "ticket_left",     "window_closed"};
  ASSERT_TRUE(platform.wait_accepted(town_types.size() + 1, 30s)) << feed->output();
  const std::vector<Fed> all = fed_of(platform.accepted());
  const std::vector<Fed> town = of_hall(all, "town");
  const std::vector<Fed> district = of_hall(all, "district");
  ASSERT_EQ(town.size(), town_types.size()) << feed->output();
  ASSERT_EQ(district.size(), 1u);
  EXPECT_EQ(all.size(), town.size() + district.size()) << "only the chosen halls";

  for (const Fed& f : all) {
    EXPECT_EQ(f.key, fmt::format("{}:{}", f.hall(), f.seq()));
    EXPECT_EQ(f.body["key"], f.key);
    const std::int64_t t = parse_local_time(f.body.value("time", ""));
    EXPECT_GE(t, start - 2) << f.body.dump();
    EXPECT_LE(t, std::time(nullptr) + 2) << f.body.dump();
  }
  for (std::size_t i = 0; i < town.size(); ++i) {
    EXPECT_EQ(town[i].type(), town_types[i]) << i;
    if (i > 0) {
      EXPECT_GT(town[i].seq(), town[i - 1].seq()) << "in order";
    }
  }
  // The fields, against the commands.
  EXPECT_EQ(town[0].body["window"], "w1");
  EXPECT_EQ(town[0].body["windowNumber"], 1);  // conf/town.toml
  EXPECT_EQ(town[0].body["staff"], "s1");
  EXPECT_EQ(town[1].body["number"], a);
  EXPECT_EQ(town[1].body["service"], "social");
  EXPECT_EQ(town[1].body["priority"], "normal");
  EXPECT_EQ(town[1].body["ahead"], 0);
  EXPECT_EQ(town[2].body["number"], b);
  EXPECT_EQ(town[2].body["service"], "estate");
  EXPECT_NE(town[1].body["ticketId"], town[2].body["ticketId"]);
  for (int i : {3, 4, 5}) {
    EXPECT_EQ(town[i].body["number"], a) << i;
    EXPECT_EQ(town[i].body["ticketId"], town[1].body["ticketId"]) << i;
    EXPECT_EQ(town[i].body["window"], "w1") << i;
  }
  EXPECT_EQ(town[5].body["caseNumber"], "BJ-2026-0042");
  const json& rated = town[6].body;
  EXPECT_EQ(rated["ticketId"], town[1].body["ticketId"]);
  EXPECT_EQ(rated["level"], 2);
  EXPECT_EQ(rated["reasons"], json::array({"02"}));
  EXPECT_EQ(rated["channel"], "keypad");
  EXPECT_EQ(rated["supplementary"], false);
  EXPECT_FALSE(rated.contains("comment")) << "free text may hold personal data";
  EXPECT_EQ(town[7].body["number"], b);
  EXPECT_EQ(town[7].body["reason"], "cancelled");
  EXPECT_EQ(town[8].body["window"], "w1");
  EXPECT_EQ(district[0].body["number"], d);
  EXPECT_EQ(district[0].body["service"], "social");

  for (const ReceivedRequest& r : platform.requests()) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/gov/realtime/events");
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_EQ(r.header("authorization"), "Bearer platform-token-9");
    EXPECT_EQ(r.body.find("13800138000"), std::string::npos);
  }
  EXPECT_EQ(platform.requests().size(), all.size()) << "each sent once";

  // A foreign message on a chosen hall's subject (written with the engine's rights): refused, logged
  // with its stream sequence, never posted.
  replicate::NatsConnection::Options o;
  o.urls = replicate::split_urls(cluster_.urls());
  o.credentials_file = cluster_.engine_credentials();
  replicate::NatsConnection engine_conn(o);
  const std::string garbage = "not a hallq event at all";
  jsPubAck* pa = nullptr;
  ASSERT_EQ(js_Publish(&pa, engine_conn.js(), "hallq.events.district", garbage.data(),
                       static_cast<int>(garbage.size()), nullptr, nullptr),
            NATS_OK);
  const std::string refusal =
      fmt::format("hallq.events.district stream seq {}: refused: not a hallq event", pa->Sequence);
  jsPubAck_Destroy(pa);
  ASSERT_TRUE(feed->wait_line([&](const std::string& l) { return l.starts_with(refusal); }))
      << feed->output();
  EXPECT_EQ(feed->stop(), 0);
  EXPECT_NE(feed->output().find("hallq-feed stopped fed=10 refused=1 passed="), std::string::npos)
      << feed->output();
  EXPECT_EQ(platform.requests().size(), all.size()) << "the foreign message was not posted";
}

// The town events the platform holds must be seq first..first+n-1, in order.
void expect_complete_in_order(const std::vector<Fed>& accepted, std::size_t n) {
  const std::vector<Fed> town = of_hall(accepted, "town");
  ASSERT_EQ(town.size(), n);
  std::set<std::string> keys;
  for (std::size_t i = 0; i < town.size(); ++i) {
    EXPECT_EQ(town[i].seq(), town[0].seq() + i) << "in order, none missing";
    EXPECT_TRUE(keys.insert(town[i].key).second) << "twice: " << town[i].key;
  }
}

TEST_F(FeedTest, AnEndpointOutageOf503sHangsAndRefusalsLosesNothingAndTheBacklogDrainsInOrder) {
  auto platform = std::make_unique<HttpReceiver>();
  const std::uint16_t port = platform->port();
  auto feed = start_feed(port);
  hallq({"open", "town", "w1", "--staff", "s1"});
  for (int i = 0; i < 3; ++i) issue("town", "social");
  ASSERT_TRUE(platform->wait_accepted(4, 30s)) << feed->output();

  // 503s: retried with backoff, nothing skipped, commands go on.
  platform->answer(503);
  for (int i = 0; i < 5; ++i) issue("town", "social");
  ASSERT_TRUE(platform->wait_for(4 + 3, 20s));
  ASSERT_TRUE(
      feed->wait_line([](const std::string& l) { return l.find("(HTTP 503)") != std::string::npos; }));
  // Hangs: each exchange ends at the feed's timeout, then again.
  platform->hang(true);
  for (int i = 0; i < 3; ++i) issue("town", "social");
  ASSERT_TRUE(feed->wait_line([](const std::string& l) { return l.find("(timeout)") != std::string::npos; }))
      << feed->output();
  std::vector<Fed> accepted = fed_of(platform->accepted());
  const std::size_t before = accepted.size();
  // Down: nothing listens on the port.
  platform.reset();
  for (int i = 0; i < 3; ++i) issue("town", "social");
  ASSERT_TRUE(feed->wait_line([](const std::string& l) {
    return l.find("Connection refused") != std::string::npos;
  })) << feed->output();
  EXPECT_TRUE(engine_->running());

  // Back: the backlog drains, in order, each event once.
  platform = std::make_unique<HttpReceiver>(port);
  const std::size_t total = 1 + 3 + 5 + 3 + 3;
  ASSERT_TRUE(platform->wait_accepted(total - accepted.size(), 30s)) << feed->output();
  for (const Fed& f : fed_of(platform->accepted())) accepted.push_back(f);
  expect_complete_in_order(accepted, total);
  EXPECT_EQ(platform->requests().size(), total - before) << "after the outage, each sent once";

  // A refusal (4xx but 408/429) is final: logged with the platform's reason, and the feed moves on.
  platform->refuse(fmt::format("town:{}", of_hall(accepted, "town").back().seq() + 1), 422,
                   R"({"message":"事项编码不存在"})");
  issue("town", "social");
  issue("town", "social");
  ASSERT_TRUE(platform->wait_accepted(total - before + 1, 20s)) << feed->output();
  ASSERT_TRUE(feed->wait_line([](const std::string& l) {
    return l.starts_with("refused town:") && l.find("status=422 reason=事项编码不存在") != std::string::npos;
  })) << feed->output();
}

TEST_F(FeedTest, KilledWithABacklogAndMidDrainNothingLostARepeatOnlyWithItsKey) {
  auto platform = std::make_unique<HttpReceiver>();
  platform->answer(503);
  auto feed = start_feed(platform->port());
  for (int i = 0; i < 20; ++i) issue("town", "social");
  // Holding a batch it could not deliver, unacknowledged.
  ASSERT_TRUE(platform->wait_for(3, 20s));
  feed->signal(SIGKILL);
  feed->wait_exit();

  platform->answer(200);
  feed = start_feed(platform->port());
  // Without the repositioning the server would hand out the rest of the stream first, and the held
  // batch only after the ack wait (30 s): out of order.
  EXPECT_NE(feed->output().find("repositioned town from stream seq"), std::string::npos) << feed->output();
  ASSERT_TRUE(platform->wait_accepted(8, 30s)) << feed->output();
  feed->signal(SIGKILL);  // mid-drain: some posted, some acknowledged, the rest not yet
  feed->wait_exit();
  for (int i = 0; i < 5; ++i) issue("town", "social");
  feed = start_feed(platform->port());
  ASSERT_TRUE(platform->wait_accepted(25, 30s)) << feed->output();
  expect_complete_in_order(fed_of(platform->accepted()), 25);

  // Every 2xx request: the next event, or a repeat of one already accepted with the same key and body.
  std::map<std::string, std::string> first;
  std::uint64_t highest = 0;
  int repeats = 0;
  for (const ReceivedRequest& r : platform->requests()) {
    if (r.answered < 200 || r.answered >= 300) continue;
    const Fed f = fed_of({r})[0];
    if (highest != 0) {
      EXPECT_LE(f.seq(), highest + 1) << "never ahead of the order: " << r.body;
    }
    if (const auto it = first.find(f.key); it != first.end()) {
      ++repeats;
      EXPECT_EQ(it->second, r.body) << "a repeat carries the same event";
    } else {
      EXPECT_EQ(f.seq(), highest == 0 ? f.seq() : highest + 1) << r.body;
      first[f.key] = r.body;
    }
    highest = std::max(highest, f.seq());
  }
  std::cout << "repeats after the kills: " << repeats << "\n";
}

TEST_F(FeedTest, ABadConfigOrCredentialsAreAClearStartUpError) {
  HttpReceiver platform;
  std::string path = feed_config(platform.port());
  std::string text = read_file(path);
  std::ofstream(path) << std::regex_replace(text, std::regex("halls = .*"), "halls = [\"town\", \"Town\"]");
  RunResult r = run_program(HALLQ_FEED_PATH, {"--config", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("feed.toml:8: feed.halls: \"Town\" 不是大厅编号"), std::string::npos) << r.err;

  std::ofstream(path) << std::regex_replace(text, std::regex("url = \"http://"), "url = \"https://");
  r = run_program(HALLQ_FEED_PATH, {"--config", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("platform.url: 不是 http://主机[:端口]/路径 形式的地址"), std::string::npos) << r.err;

  // Wrong credentials: refused by the cluster, named, exit 1, nothing sent.
  std::ofstream(dir_.sub("wrong.creds")) << "feed:not-the-password\n";
  r = run_program(HALLQ_FEED_PATH, {"--config", feed_config(platform.port(), dir_.sub("wrong.creds"))});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("hallq-feed: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("uthorization"), std::string::npos) << r.err;
  EXPECT_TRUE(platform.requests().empty());
}

TEST_F(FeedTest, TheFeedRoleOnlyReads) {
  replicate::NatsConnection::Options o;
  o.urls = replicate::split_urls(cluster_.urls());
  o.credentials_file = cluster_.feed_credentials();
  o.request_timeout = 1500ms;
  replicate::NatsConnection conn(o);
  jsPubAck* ack = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_Publish(&ack, conn.js(), "hallq.events.town", "x", 1, nullptr, &jerr);
  EXPECT_NE(s, NATS_OK) << "the feed may not publish events";
  jsPubAck_Destroy(ack);
  EXPECT_NE(js_DeleteStream(conn.js(), "HALLQ_EVENTS", nullptr, &jerr), NATS_OK) << "nor touch the stream";
}

}  // namespace
}  // namespace hallq::testing
