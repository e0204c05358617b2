// hallq-citizen against the real hallqd over CURVE, through real HTTP: the
// kiosk's link opens the ticket's page, a call reaches a live stream within
// a second, "我不等了" shortens the queue, hostile requests get a clear 4xx
// and change nothing, failed lookups are throttled per address, and the
// gateway's key cannot run the hall.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/config/config_loader.h"
#include "tests/adapters/citizen/citizen_fixture.h"

namespace hallq::testing {
namespace {

using boost::beast::http::verb;

HttpRequestOptions same_origin_json() {
  HttpRequestOptions o;
  o.headers = {{"Origin", "https://q.example.gov.cn"}, {"Content-Type", "application/json"}};
  return o;
}

TEST(CitizenGateway, KioskLinkOpensThePageAndTheApiFollowsTheTicket) {
  CitizenWorld w;
  ASSERT_TRUE(w.command(core::OpenWindow{"w1", "s01"}).ok());
  const std::string a1 = w.issue(), a2 = w.issue();
  ASSERT_EQ(a2, "A002");
  const HttpAnswer page = http_request(w.http(), verb::get, w.page(a2));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.type.find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("<p id=\"number\">A002</p>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("前面还有 1 人"), std::string::npos) << page.body;
  // The token in the path works the same.
  EXPECT_EQ(http_request(w.http(), verb::get, "/t/town/" + w.today() + "/A002/" + w.token(a2)).status, 200);

  const HttpAnswer api = http_request(w.http(), verb::get, "/api/ticket?" + w.query(a2));
  ASSERT_EQ(api.status, 200) << api.body;
  const nlohmann::json j = api.j();
  EXPECT_EQ(j["number"], "A002");
  EXPECT_EQ(j["state"], "waiting");
  EXPECT_EQ(j["ahead"], 1);
  EXPECT_EQ(j["service"], "社保医保");
  EXPECT_TRUE(j["can_cancel"].get<bool>());
  EXPECT_GT(j["wait_high_s"].get<int>(), j["wait_low_s"].get<int>());
  EXPECT_NE(j["detail"].get<std::string>().find("预计等待 约 "), std::string::npos) << j.dump();
  for (const char* field : {"phone", "id_number", "name"}) EXPECT_FALSE(j.contains(field));
  (void)a1;
}

// The gateway up while nothing answers at the engine's endpoints (hallqd
// down, or not started yet): a served hall's pages answer 503 系统连接中
// under the hall's name from the gateway's [hall_names] (written here as
// conf/town.toml names the hall), /api/ticket's JSON carries it, and /healthz
// says the hall is not synced. A fixed date: the 503 comes before the day is
// looked at.
TEST(CitizenGateway, WithNoEngineThe503PagesNameTheHall) {
  TempDir dir("hallq-citizen-no-engine");
  const std::string name = config::load_hall_config(kSourceDir + "/conf/town.toml")->name;
  keys::write_ticket_secret_file(dir.sub("ticket.secret"));
  const std::string secret = keys::read_ticket_secret_file(dir.sub("ticket.secret"));
  std::ofstream(dir.sub("citizen.toml"))
      << "[citizen]\nengine = \"ipc://" << dir.sub("no-engine-cmd") << "\"\nevents = \"ipc://"
      << dir.sub("no-engine-pub") << "\"\nhalls = [\"town\"]\nticket_secret = \"ticket.secret\"\n"
      << "\n[hall_names]\ntown = \"" << name << "\"\n";
  ChildProcess gateway(HALLQ_CITIZEN_PATH, {"--config", dir.sub("citizen.toml"), "--listen", "127.0.0.1:0"},
                       ChildProcess::Options{{}, dir.sub("citizen.stderr")});
  const auto ready = gateway.wait_prefix("hallq-citizen ready");
  ASSERT_TRUE(ready) << gateway.output();
  const std::size_t at = ready->find("http=") + 5;
  const std::string http = ready->substr(at, ready->find(' ', at) - at);
  const std::string date = "2025-11-24", token = keys::ticket_token(secret, "town", date, "A001");

  const HttpAnswer page = http_request(http, verb::get, "/t/town/" + date + "/A001?k=" + token);
  EXPECT_EQ(page.status, 503) << page.body;
  EXPECT_NE(page.body.find("<p id=\"hall-name\">" + name + "</p>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("系统连接中，请稍后刷新"), std::string::npos) << page.body;
  const HttpAnswer api =
      http_request(http, verb::get, "/api/ticket?hall=town&date=" + date + "&number=A001&k=" + token);
  EXPECT_EQ(api.status, 503) << api.body;
  EXPECT_EQ(api.j()["hall_name"], name) << api.body;
  EXPECT_EQ(api.j()["message"], "系统连接中，请稍后刷新") << api.body;
  const HttpAnswer remote = http_request(http, verb::get, "/r/town");
  EXPECT_EQ(remote.status, 503) << remote.body;
  EXPECT_NE(remote.body.find("<p id=\"hall-name\">" + name + "</p>"), std::string::npos) << remote.body;
  EXPECT_EQ(http_request(http, verb::get, "/healthz").j()["halls"]["town"], false);
}

TEST(CitizenGateway, ACallReachesTheLiveStreamWithinASecond) {
  CitizenWorld w;
  w.issue();
  const std::string a2 = w.issue();
  SseReader sse(w.http(), "/events?" + w.query(a2));
  const std::string head = sse.head();
  ASSERT_NE(head.find("200 OK"), std::string::npos) << head;
  ASSERT_NE(head.find("text/event-stream"), std::string::npos) << head;
  auto first = sse.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(nlohmann::json::parse(*first)["ahead"], 1) << *first;

  ASSERT_TRUE(w.command(core::OpenWindow{"w1", "s01"}).ok());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(w.command(core::CallTicket{"w1", a2}).ok());
  std::optional<nlohmann::json> called;
  while (auto m = sse.next(std::chrono::milliseconds(1000))) {
    const nlohmann::json j = nlohmann::json::parse(*m);
    if (j["state"] == "called") {
      called = j;
      break;
    }
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(called) << "no call on the stream";
  EXPECT_LT(ms, 1000);
  EXPECT_EQ((*called)["window"], 1);
  EXPECT_EQ((*called)["headline"], "请到 1 号窗口");
  std::cout << "call_to_stream_ms " << ms << "\n";
}

TEST(CitizenGateway, CancelFromThePageShortensTheQueueAndNeedsSameOrigin) {
  CitizenWorld w;
  const std::string a1 = w.issue(), a2 = w.issue(), a3 = w.issue();
  auto ahead_of = [&](const std::string& n) {
    return http_request(w.http(), verb::get, "/api/ticket?" + w.query(n)).j()["ahead"].get<int>();
  };
  ASSERT_EQ(ahead_of(a3), 2);
  const core::Seq before = w.seq();
  // Another site's page, a form post, no Origin: refused, nothing changes.
  HttpRequestOptions foreign = same_origin_json();
  foreign.headers["Origin"] = "https://evil.example.com";
  EXPECT_EQ(http_request(w.http(), verb::post, "/api/cancel?" + w.query(a2), "{}", foreign).status, 403);
  HttpRequestOptions form = same_origin_json();
  form.headers["Content-Type"] = "application/x-www-form-urlencoded";
  EXPECT_EQ(http_request(w.http(), verb::post, "/api/cancel?" + w.query(a2), "{}", form).status, 415);
  HttpRequestOptions bare;
  EXPECT_EQ(http_request(w.http(), verb::post, "/api/cancel?" + w.query(a2), "{}", bare).status, 403);
  EXPECT_EQ(http_request(w.http(), verb::get, "/api/cancel?" + w.query(a2)).status, 405);
  // Someone else's ticket: A001 with the token of A002's link (the engine
  // cannot tell whose a ticket is; the gateway's token check does).
  const std::string others = "hall=town&date=" + w.today() + "&number=" + a1 + "&k=" + w.token(a2);
  EXPECT_EQ(http_request(w.http(), verb::post, "/api/cancel?" + others, "{}", same_origin_json()).status,
            404);
  EXPECT_EQ(w.seq(), before);

  const HttpAnswer r =
      http_request(w.http(), verb::post, "/api/cancel?" + w.query(a2), "{}", same_origin_json());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["state"], "left");
  EXPECT_EQ(r.j()["headline"], "已取消排队");
  EXPECT_GT(w.seq(), before);
  // The queue is shorter for the one behind (the gateway's replica follows the event).
  for (int i = 0; i < 100 && ahead_of(a3) != 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(ahead_of(a3), 1);
  // A second cancel is refused by the engine and says so.
  EXPECT_EQ(http_request(w.http(), verb::post, "/api/cancel?" + w.query(a2), "{}", same_origin_json()).status,
            409);
}

TEST(CitizenGateway, HostileRequestsGetClearRefusalsAndChangeNothing) {
  CitizenWorld w("token_failures_burst = 1000\n");
  const std::string a1 = w.issue(), a2 = w.issue();
  const core::Seq before = w.seq();
  std::string tampered = w.token(a1);
  tampered[3] = tampered[3] == 'x' ? 'y' : 'x';
  const std::string day = w.today();
  const std::vector<std::pair<std::string, int>> gets = {
      {"/t/town/" + day + "/A001?k=" + tampered, 404},
      {"/t/town/" + day + "/A002?k=" + w.token(a1), 404},  // another ticket's token
      {"/t/district/" + day + "/A001?k=" + w.token(a1), 404},
      {"/t/town/2020-01-01/A001?k=" + keys::ticket_token(w.secret(), "town", "2020-01-01", "A001"), 410},
      {"/t/town/" + day + "/A099?k=" + keys::ticket_token(w.secret(), "town", day, "A099"), 404},
      {"/t/town/" + day + "/A001", 400},
      {"/t/town/" + day + "/A001?k=short", 400},
      {"/t/town/2026-02-30/A001?k=" + w.token(a1), 400},
      {"/t/town/" + day + "/A001?k=" + w.token(a1) + "&k=" + w.token(a1), 400},
      {"/t/../../etc/passwd", 400},
      {"/static/../../etc/passwd", 404},
      {"/static/ticket.html", 404},
      {"/%2e%2e/%2e%2e/etc/passwd", 404},
      {"/api/ticket?hall=town", 400},
      {"/api/ticket?hall=town&date=" + day + "&number=A001&k=" + tampered, 404},
      {"/events?hall=town&date=" + day + "&number=A001&k=" + tampered, 404},
      {"/nothing", 404},
  };
  for (const auto& [target, status] : gets) {
    const HttpAnswer a = http_request(w.http(), verb::get, target);
    EXPECT_EQ(a.status, status) << target << " " << a.body;
    if (a.type.find("json") != std::string::npos) {
      EXPECT_TRUE(a.j().contains("message")) << target;
    } else {
      EXPECT_NE(a.body.find("<p id=\"error\">"), std::string::npos) << target;
    }
  }
  EXPECT_EQ(http_request(w.http(), verb::put, w.page(a1)).status, 405);
  EXPECT_EQ(http_request(w.http(), verb::delete_, "/api/ticket?" + w.query(a1)).status, 405);
  // Oversize and malformed requests on a raw socket.
  auto raw = [&](const std::string& bytes) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    connect_bounded(s, w.http(), 5);
    boost::system::error_code ec;
    boost::asio::write(s, boost::asio::buffer(bytes), ec);
    std::string got;
    char buf[4096];
    for (std::size_t n; (n = s.read_some(boost::asio::buffer(buf), ec)) > 0 || !ec;) got.append(buf, n);
    return got.substr(0, got.find("\r\n"));
  };
  EXPECT_EQ(raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n"),
            "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(raw("POST /api/cancel?" + w.query(a1) +
                " HTTP/1.1\r\nHost: x\r\nOrigin: https://q.example.gov.cn\r\n"
                "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n" +
                std::string(5000, '{')),
            "HTTP/1.1 413 Payload Too Large");
  EXPECT_EQ(raw("GARBAGE\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(raw("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(w.seq(), before) << "a refused request changed the hall";
  EXPECT_EQ(http_request(w.http(), verb::get, "/api/ticket?" + w.query(a2)).j()["state"], "waiting");
}

TEST(CitizenGateway, FailedLookupsAreThrottledPerAddressSoTokensCannotBeEnumerated) {
  CitizenWorld w("token_failures_burst = 5\ntoken_failures_per_minute = 1\n");
  const std::string a1 = w.issue();
  int not_found = 0, throttled = 0;
  // 200 guesses at A001's token from one address.
  for (int i = 0; i < 200; ++i) {
    std::string guess = keys::base64url(std::string(16, static_cast<char>(i)));
    const int s = http_request(w.http(), verb::get,
                               "/api/ticket?hall=town&date=" + w.today() + "&number=A001&k=" + guess)
                      .status;
    not_found += s == 404;
    throttled += s == 429;
  }
  EXPECT_LE(not_found, 6) << "more than the burst (and a minute's refill) was looked up";
  EXPECT_GE(throttled, 194);
  // The flooding address is refused even its good link; another address is served.
  const HttpAnswer refused = http_request(w.http(), verb::get, "/api/ticket?" + w.query(a1));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.j()["message"], "查询失败次数过多，请稍后再试");
  HttpRequestOptions other;
  other.source_address = "127.0.0.2";
  EXPECT_EQ(http_request(w.http(), verb::get, "/api/ticket?" + w.query(a1), "", other).status, 200);
  std::cout << "guesses 200: looked up " << not_found << ", throttled " << throttled << "\n";
}

TEST(CitizenGateway, TheGatewaysKeyCannotRunTheHallOrAnotherOne) {
  CitizenWorld w;
  w.issue();
  client::ClientOptions o;
  o.curve = w.engine().curve("gw");
  client::Client gw(w.ctx(), w.engine().engine().cmd(), o);
  for (const core::CommandBody& body :
       std::vector<core::CommandBody>{core::IssueTicket{"social"}, core::OpenWindow{"w1", "s01"},
                                      core::CallNext{"w1"}, core::SetNotice{"x"}}) {
    auto r = gw.command("town", body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code, core::ErrorCode::kForbidden) << core::verb(body);
  }
  auto other = gw.command("district", core::IssueTicket{"social"});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->code, core::ErrorCode::kForbidden);
  auto cancel = gw.command("town", core::Cancel{"A001"});
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->code, core::ErrorCode::kOk);
}

TEST(CitizenGateway, StreamsAreCappedPerAddress) {
  CitizenWorld w("max_streams_per_address = 2\n");
  const std::string a1 = w.issue();
  SseReader s1(w.http(), "/events?" + w.query(a1)), s2(w.http(), "/events?" + w.query(a1));
  ASSERT_NE(s1.head().find("200 OK"), std::string::npos);
  ASSERT_NE(s2.head().find("200 OK"), std::string::npos);
  SseReader s3(w.http(), "/events?" + w.query(a1));
  EXPECT_NE(s3.head().find("503"), std::string::npos);
  // Under the hall's name, as the other 503s (the name as conf/town.toml gives it).
  const nlohmann::json busy = nlohmann::json::parse(s3.rest(), nullptr, false);
  EXPECT_EQ(busy.value("error", ""), "busy") << busy;
  EXPECT_EQ(busy.value("hall_name", ""), config::load_hall_config(kSourceDir + "/conf/town.toml")->name)
      << busy;
}

}  // namespace
}  // namespace hallq::testing
