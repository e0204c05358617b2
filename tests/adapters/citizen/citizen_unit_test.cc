// The gateway's pure parts: the per-address throttle (time by hand), the
// honest range's words, the ticket's words in every state, and the routes
// over a local hall (no sockets): lookups in their documented order, the
// cancel's same-origin rule, addresses behind a trusted proxy.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/citizen/citizen_api.h"
#include "adapters/citizen/citizen_config.h"
#include "adapters/citizen/token_throttle.h"
#include "engine/config/config_error.h"
#include "engine/config/config_loader.h"
#include "engine/keys/ticket_token.h"
#include "engine/view/shown_wait.h"
#include "engine/view/wait_range.h"
#include "tests/adapters/citizen/local_halls.h"

namespace hallq::testing {
namespace {

constexpr std::int64_t kMinute = 60'000'000;
constexpr core::TimeUs kDay = 86'400LL * core::kUsPerSecond;

TEST(TokenThrottle, ABurstThenTheRefillRateAndOtherAddressesUntouched) {
  citizen::TokenThrottle t(3, 2);  // 3 at once, then 2 a minute
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(t.allowed("1.2.3.4", 0));
    t.failed("1.2.3.4", 0);
  }
  EXPECT_FALSE(t.allowed("1.2.3.4", 0));
  EXPECT_TRUE(t.allowed("5.6.7.8", 0));
  EXPECT_FALSE(t.allowed("1.2.3.4", kMinute / 2 - 1));
  EXPECT_TRUE(t.allowed("1.2.3.4", kMinute / 2));  // one back after 30 s
  t.failed("1.2.3.4", kMinute / 2);
  EXPECT_FALSE(t.allowed("1.2.3.4", kMinute / 2));
  EXPECT_TRUE(t.allowed("1.2.3.4", 10 * kMinute));
  EXPECT_EQ(t.refused(), 3u);
}

TEST(TokenThrottle, MemoryStaysBoundedUnderManyAddresses) {
  citizen::TokenThrottle t(2, 1, 100);
  for (int i = 0; i < 10'000; ++i) t.failed("10.0." + std::to_string(i), i);
  EXPECT_LE(t.addresses(), 100u);
}

TEST(WaitRange, WordsAndOrder) {
  EXPECT_EQ(view::shown_wait({0, 50}).text, "即将轮到您");
  EXPECT_EQ(view::shown_wait({8 * 60 + 10, 11 * 60 + 50}).text, "约 8–12 分钟");
  EXPECT_EQ(view::shown_wait({60, 61}).text, "约 60–90 秒");
  for (std::uint32_t ahead : {0u, 1u, 3u, 8u, 20u, 60u})
    for (std::int32_t p : {0, 30, 300, 1200, 5400}) {
      const view::WaitRange r = view::wait_range(p, ahead);
      EXPECT_LE(r.low_s, p) << ahead << " " << p;
      EXPECT_GE(r.high_s, p) << ahead << " " << p;
      EXPECT_GE(r.low_s, 0);
    }
}

TEST(CitizenConfig, ReadsTheFileAndRefusesMistakes) {
  const citizen::CitizenConfig c = citizen::parse_citizen_config(
      "[citizen]\nlisten = \"0.0.0.0:8443\"\nhalls = [\"town\"]\nticket_secret = \"/k/t.secret\"\n"
      "public_url = \"https://q.example.gov.cn/path\"\n[limits]\nmax_streams = 5\n",
      "c.toml");
  EXPECT_EQ(c.listen_host, "0.0.0.0");
  EXPECT_EQ(c.listen_port, 8443);
  EXPECT_EQ(c.limits.max_streams, 5u);
  EXPECT_EQ(citizen::origin_of(c.public_url), "https://q.example.gov.cn");
  const citizen::CitizenConfig shipped =
      citizen::load_citizen_config(std::string(HALLQ_SOURCE_DIR) + "/conf/devices/citizen.toml");
  EXPECT_EQ(shipped.halls, std::vector<std::string>{"town"});
  EXPECT_TRUE(shipped.security.enabled());
  EXPECT_EQ(shipped.ticket_secret_file, std::string(HALLQ_SOURCE_DIR) + "/conf/devices/keys/ticket.secret");
  auto error = [](const std::string& text) {
    try {
      (void)citizen::parse_citizen_config(text, "c.toml");
    } catch (const config::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(error("[citizen]\nticket_secret = \"x\"\n").find("halls"), std::string::npos);
  EXPECT_NE(error("[citizen]\nhalls = [\"town\"]\n").find("ticket_secret"), std::string::npos);
  EXPECT_NE(
      error("[citizen]\nhalls = [\"town\"]\nticket_secret = \"x\"\nlisten = \"8080\"\n").find("HOST:PORT"),
      std::string::npos);
  EXPECT_NE(error("[citizen]\nhalls = [\"town\"]\nticket_secret = \"x\"\npublic_url = \"ftp://x\"\n")
                .find("public_url"),
            std::string::npos);
  EXPECT_NE(
      error("[citizen]\nhalls = [\"town\"]\nticket_secret = \"x\"\nlisen = \"x\"\n").find("unknown key"),
      std::string::npos);
  // [hall_names]: the shipped one names town as its hall file does; only served halls, real names.
  EXPECT_EQ(shipped.hall_names.at("town"),
            config::load_hall_config(std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml")->name);
  const std::string base = "[citizen]\nhalls = [\"town\", \"city\"]\nticket_secret = \"x\"\n[hall_names]\n";
  const citizen::CitizenConfig named =
      citizen::parse_citizen_config(base + "city = \"市政务服务中心\"\n", "c.toml");
  EXPECT_EQ(named.hall_names.size(), 1u);
  EXPECT_EQ(named.hall_names.at("city"), "市政务服务中心");
  EXPECT_EQ(error(base + "towm = \"x\"\n"),
            "c.toml:5: unknown key \"towm\" in [hall_names] (did you mean \"town\"?)");
  EXPECT_NE(error(base + "town = \"\"\n").find("1 to 200 bytes"), std::string::npos);
  EXPECT_NE(error(base + "town = \"a\\nb\"\n").find("control character"), std::string::npos);
  EXPECT_NE(error(base + "town = 3\n").find("string"), std::string::npos);
}

class CitizenApiTest : public ::testing::Test {
 protected:
  static citizen::CitizenConfig make_config() {
    citizen::CitizenConfig c;
    c.halls = {"town"};
    c.public_url = "https://q.example.gov.cn";
    c.trusted_proxies = {"10.0.0.1"};
    c.limits.token_failures_burst = 3;
    c.limits.token_failures_per_minute = 1;
    return c;
  }
  server::HttpRequest get(const std::string& target, const std::string& peer = "1.1.1.1") {
    server::HttpRequest r;
    r.method = "GET";
    r.target = target;
    r.peer = peer;
    r.host = "q.example.gov.cn";
    return r;
  }
  std::string query(const std::string& number) {
    return "hall=town&date=" + halls_.today() + "&number=" + number +
           "&k=" + keys::ticket_token(secret_, "town", halls_.today(), number);
  }
  nlohmann::json json_of(const citizen::CitizenAnswer& a) { return nlohmann::json::parse(a.response.body); }

  const std::string secret_ = std::string(32, 's');
  const citizen::CitizenConfig config_ = make_config();
  LocalHalls halls_;
  citizen::CitizenApi api_{config_, secret_, halls_};
};

TEST_F(CitizenApiTest, TheTicketInWordsThroughItsDay) {
  ASSERT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());
  ASSERT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());
  auto view = [&] { return json_of(api_.handle(get("/api/ticket?" + query("A002")), 0)); };
  nlohmann::json j = view();
  EXPECT_EQ(j["state"], "waiting");
  EXPECT_EQ(j["headline"], "前面还有 1 人") << j.dump();
  ASSERT_TRUE(halls_.apply(core::OpenWindow{"w1", "s01"}).ok());
  j = view();
  EXPECT_EQ(j["headline"], "前面还有 1 人") << j.dump();
  EXPECT_NE(j["detail"].get<std::string>().find("预计等待 约 "), std::string::npos) << j.dump();
  ASSERT_TRUE(halls_.apply(core::CallTicket{"w1", "A002"}).ok());
  j = view();
  EXPECT_EQ(j["headline"], "请到 1 号窗口");
  EXPECT_FALSE(j["can_cancel"].get<bool>());
  ASSERT_TRUE(halls_.apply(core::Recall{"w1"}).ok());
  EXPECT_EQ(view()["detail"], "第 2 次呼叫，请尽快前往");
  ASSERT_TRUE(halls_.apply(core::SkipTicket{"w1"}).ok());
  j = view();
  EXPECT_EQ(j["headline"], "已过号");
  EXPECT_NE(j["detail"].get<std::string>().find("可恢复排队"), std::string::npos);
  ASSERT_TRUE(halls_.apply(core::Reactivate{"A002"}).ok());
  j = view();
  EXPECT_EQ(j["state"], "waiting");
  EXPECT_EQ(j["detail"].get<std::string>().rfind("已恢复排队，", 0), 0u) << j.dump();
  EXPECT_TRUE(j["can_cancel"].get<bool>());
  ASSERT_TRUE(halls_.apply(core::CallTicket{"w1", "A002"}).ok());
  ASSERT_TRUE(halls_.apply(core::StartService{"w1"}).ok());
  EXPECT_EQ(view()["headline"], "正在 1 号窗口办理");
  ASSERT_TRUE(halls_.apply(core::HoldTicket{"w1"}).ok());
  j = view();
  EXPECT_EQ(j["headline"], "暂缓办理");
  EXPECT_TRUE(j["can_cancel"].get<bool>());
  ASSERT_TRUE(halls_.apply(core::UnholdTicket{"A002"}).ok());
  EXPECT_EQ(view()["detail"].get<std::string>().rfind("已恢复排队，", 0), 0u) << view().dump();
  ASSERT_TRUE(halls_.apply(core::CallTicket{"w1", "A002"}).ok());
  ASSERT_TRUE(halls_.apply(core::StartService{"w1"}).ok());
  ASSERT_TRUE(halls_.apply(core::Finish{"w1"}).ok());
  j = view();
  EXPECT_EQ(j["headline"], "已办结");
  EXPECT_TRUE(j["final"].get<bool>());
}

TEST_F(CitizenApiTest, TransferIsSaidInWords) {
  ASSERT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());
  ASSERT_TRUE(halls_.apply(core::OpenWindow{"w1", "s01"}).ok());
  ASSERT_TRUE(halls_.apply(core::CallNext{"w1"}).ok());
  ASSERT_TRUE(halls_.apply(core::StartService{"w1"}).ok());
  ASSERT_TRUE(halls_.apply(core::Transfer{"w1", "tax"}).ok());
  const nlohmann::json j = json_of(api_.handle(get("/api/ticket?" + query("A001")), 0));
  EXPECT_EQ(j["state"], "waiting");
  EXPECT_TRUE(j["transferred"].get<bool>());
  EXPECT_NE(j["detail"].get<std::string>().find("已转到「"), std::string::npos) << j.dump();
}

TEST_F(CitizenApiTest, LookupsFailInTheirOrderAndCountAgainstTheAddress) {
  ASSERT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());
  halls_.synced = false;
  EXPECT_EQ(api_.handle(get("/api/ticket?" + query("A001")), 0).response.status, 503);
  halls_.synced = true;
  const std::string bad = "hall=town&date=" + halls_.today() + "&number=A001&k=" + std::string(22, 'A');
  EXPECT_EQ(api_.handle(get("/api/ticket?" + bad), 0).response.status, 404);
  EXPECT_EQ(api_.handle(get("/api/ticket?hall=Town&date=x"), 0).response.status, 400);
  EXPECT_EQ(api_.handle(get("/api/ticket?" + bad), 0).response.status, 404);
  // Three failures: this address is now refused, even with a good token.
  const citizen::CitizenAnswer refused = api_.handle(get("/api/ticket?" + query("A001")), 0);
  EXPECT_EQ(refused.response.status, 429);
  EXPECT_EQ(api_.handle(get("/api/ticket?" + query("A001"), "2.2.2.2"), 0).response.status, 200);
  EXPECT_EQ(api_.handle(get("/api/ticket?" + query("A001")), kMinute).response.status, 200);
}

// Before the gateway has a replica of a hall (the engine not reached, or not
// knowing the hall), its 503 pages and JSON name the hall from [hall_names];
// once synced, the replica's name (the engine's hall file) wins. A served
// hall without a configured name is not named; a hall not served never is.
TEST(CitizenApiNames, The503sNameTheHallFromTheConfigUntilTheReplicaHasIt) {
  citizen::CitizenConfig c;
  c.halls = {"town", "city"};
  c.hall_names = {{"town", "商家镇（网关所配）"}};
  const std::string secret(32, 's');
  LocalHalls halls;
  citizen::CitizenApi api(c, secret, halls);
  ASSERT_TRUE(halls.apply(core::IssueTicket{"social"}).ok());
  const std::string day = halls.today();
  auto get = [&](const std::string& target) {
    server::HttpRequest r;
    r.method = "GET";
    r.target = target;
    r.peer = "1.1.1.1";
    r.host = "q.example.gov.cn";
    return api.handle(r, 0).response;
  };
  const std::string town_link =
      "/t/town/" + day + "/A001?k=" + keys::ticket_token(secret, "town", day, "A001");
  const std::string town_query =
      "hall=town&date=" + day + "&number=A001&k=" + keys::ticket_token(secret, "town", day, "A001");
  halls.synced = false;

  server::HttpResponse page = get(town_link);
  EXPECT_EQ(page.status, 503);
  EXPECT_NE(page.body.find("<p id=\"hall-name\">商家镇（网关所配）</p>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("<title>商家镇（网关所配）</title>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("系统连接中，请稍后刷新"), std::string::npos) << page.body;
  server::HttpResponse json = get("/api/ticket?" + town_query);
  EXPECT_EQ(json.status, 503);
  EXPECT_EQ(nlohmann::json::parse(json.body),
            nlohmann::json::parse(R"({"error": "unavailable", "message": "系统连接中，请稍后刷新", )"
                                  R"("hall_name": "商家镇（网关所配）"})"));
  for (const std::string& target : {std::string("/r/town"), "/c/town?k=" + std::string(22, 'A')}) {
    page = get(target);
    EXPECT_EQ(page.status, 503) << target;
    EXPECT_NE(page.body.find("<p id=\"hall-name\">商家镇（网关所配）</p>"), std::string::npos) << page.body;
  }
  // city: served, no name configured, no replica (LocalHalls has town only).
  page = get("/t/city/" + day + "/A001?k=" + keys::ticket_token(secret, "city", day, "A001"));
  EXPECT_EQ(page.status, 503);
  EXPECT_EQ(page.body.find("hall-name"), std::string::npos) << page.body;
  json = get("/api/ticket?hall=city&date=" + day +
             "&number=A001&k=" + keys::ticket_token(secret, "city", day, "A001"));
  EXPECT_EQ(json.status, 503);
  EXPECT_FALSE(nlohmann::json::parse(json.body).contains("hall_name")) << json.body;
  // A hall not served, with a token of its own: 404, no name, as before.
  page = get("/t/other/" + day + "/A001?k=" + keys::ticket_token(secret, "other", day, "A001"));
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.body.find("hall-name"), std::string::npos) << page.body;

  halls.synced = true;  // the replica's name, from conf/town.toml
  page = get("/r/town");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("商家镇便民服务中心"), std::string::npos);
  EXPECT_EQ(page.body.find("网关所配"), std::string::npos);
  EXPECT_EQ(get("/api/ticket?" + town_query).status, 200);
}

TEST_F(CitizenApiTest, ForwardedForIsTrustedOnlyFromTheProxy) {
  server::HttpRequest r = get("/healthz", "10.0.0.1");
  r.forwarded_for = "6.6.6.6, 7.7.7.7";
  EXPECT_EQ(api_.client_address(r), "7.7.7.7");
  r.peer = "9.9.9.9";
  EXPECT_EQ(api_.client_address(r), "9.9.9.9");
}

TEST_F(CitizenApiTest, StreamsAndCancelsAnswerOnlyGoodLinks) {
  ASSERT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());
  const citizen::CitizenAnswer s = api_.handle(get("/events?" + query("A001")), 0);
  EXPECT_TRUE(s.stream);
  EXPECT_EQ(s.number, "A001");
  server::HttpRequest post = get("/api/cancel?" + query("A001"));
  post.method = "POST";
  post.content_type = "application/json";
  post.origin = "https://q.example.gov.cn";
  const core::Seq before = halls_.town().seq();
  server::HttpRequest no_origin = post;
  no_origin.origin.clear();
  EXPECT_EQ(api_.handle(no_origin, 0).response.status, 403);
  server::HttpRequest same_host = post;
  same_host.origin = "http://q.example.gov.cn";  // the Host the request names, behind a proxy
  EXPECT_EQ(halls_.town().seq(), before);
  const citizen::CitizenAnswer done = api_.handle(same_host, 0);
  EXPECT_EQ(done.response.status, 200) << done.response.body;
  EXPECT_EQ(json_of(done)["state"], "left");
  EXPECT_EQ(api_.handle(post, 0).response.status, 409);
}

// A page left open on a ticket still waiting when the day rolls: the engine
// lapses it and forgets its number, which the next day gives to someone else.
TEST_F(CitizenApiTest, APageOpenAtTheDaysEndIsToldItsNumberLapsedNotAnotherTicket) {
  ASSERT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());  // A001: still waiting at midnight
  ASSERT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());  // A002: left before
  ASSERT_TRUE(halls_.apply(core::Cancel{"A002"}).ok());
  const std::string day0 = halls_.today();
  const citizen::CitizenAnswer s = api_.handle(get("/events?" + query("A001")), 0);
  ASSERT_TRUE(s.stream);
  EXPECT_EQ(s.date, day0);
  const std::string waiting = api_.ticket_json("town", "A001"), left = api_.ticket_json("town", "A002");
  EXPECT_TRUE(api_.is_today("town", day0));
  EXPECT_EQ(api_.lapsed_json("town", day0, "A001", waiting), "") << "the same day: nothing lapsed";

  halls_.advance(kDay);
  ASSERT_TRUE(halls_.apply(core::Tick{}).ok());
  ASSERT_NE(halls_.today(), day0);
  EXPECT_FALSE(api_.is_today("town", day0));
  const nlohmann::json j = nlohmann::json::parse(api_.lapsed_json("town", day0, "A001", waiting));
  EXPECT_EQ(j["state"], "expired");
  EXPECT_EQ(j["headline"], "号码已失效");
  EXPECT_EQ(j["detail"], "当日未办理的号码已作废，如需办理请重新取号");
  EXPECT_EQ(j["number"], "A001");
  EXPECT_EQ(j["service"], "社保医保");
  EXPECT_EQ(j["date"], day0);
  EXPECT_TRUE(j["final"].get<bool>());
  EXPECT_FALSE(j["can_cancel"].get<bool>());
  EXPECT_FALSE(j["can_rate"].get<bool>());
  EXPECT_EQ(api_.lapsed_json("town", day0, "A002", left), "") << "a page already final keeps its words";
  EXPECT_EQ(api_.lapsed_json("town", day0, "A001", j.dump()), "") << "said once";
  halls_.synced = false;
  EXPECT_EQ(api_.lapsed_json("town", day0, "A001", waiting), "") << "nothing while the replica resyncs";
  halls_.synced = true;

  // The new day's A001 is another person's ticket: the old page's day is not today.
  ASSERT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());
  EXPECT_NE(api_.ticket_json("town", "A001"), "");
  EXPECT_FALSE(api_.is_today("town", day0));
  EXPECT_TRUE(api_.is_today("town", halls_.today()));
}

}  // namespace
}  // namespace hallq::testing
