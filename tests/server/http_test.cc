// hallqd's HTTP API and WebSocket push over real HTTP on loopback: reads,
// manager actions answered after the commit, errors that change nothing,
// idempotent retries, history from the store, Prometheus metrics, and a
// browser's WebSocket getting each event.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/server/accounts.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using boost::asio::ip::tcp;
using json = nlohmann::json;

const std::string kSource = HALLQ_SOURCE_DIR;
const std::string kTown = kSource + "/conf/town.toml";

using Answer = HttpAnswer;

// One request on a fresh connection (as curl would).
Answer request(const std::string& host_port, http::verb method, const std::string& target,
               const std::string& body = "", const std::string& idempotency_key = "",
               const std::map<std::string, std::string>& headers = {}) {
  return http_request(host_port, method, target, body, {idempotency_key, headers, ""});
}

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{kTown}, dir_.path() + "/data");
    http_ = engine_->http();
    ASSERT_NE(http_.find("127.0.0.1:"), std::string::npos) << engine_->ready_line();
  }
  Answer get(const std::string& target) { return request(http_, http::verb::get, target); }
  Answer post(const std::string& target, const std::string& body, const std::string& key = "") {
    return request(http_, http::verb::post, target, body, key);
  }
  RunResult hallq(std::vector<std::string> args) {
    args.insert(args.begin(), {"--engine", engine_->cmd()});
    return run_program(HALLQ_PATH, args);
  }
  std::uint64_t seq() { return get("/api/halls/town").j()["seq"].get<std::uint64_t>(); }

  TempDir dir_;
  std::unique_ptr<EngineProcess> engine_;
  std::string http_;
};

TEST_F(HttpTest, ReadsTheHallsServicesWindowsAndTickets) {
  ASSERT_EQ(hallq({"open", "town", "w1", "--staff", "s01"}).exit_code, 0);
  ASSERT_EQ(hallq({"issue", "town", "social"}).exit_code, 0);
  ASSERT_EQ(hallq({"issue", "town", "social"}).exit_code, 0);

  const Answer halls = get("/api/halls");
  ASSERT_EQ(halls.status, 200) << halls.body;
  EXPECT_NE(halls.type.find("application/json"), std::string::npos);
  ASSERT_EQ(halls.j().size(), 1u);
  EXPECT_EQ(halls.j()[0]["id"], "town");
  EXPECT_EQ(halls.j()[0]["waiting"], 2);
  EXPECT_EQ(halls.j()[0]["open_windows"], 1);

  const json hall = get("/api/halls/town").j();
  EXPECT_EQ(hall["name"], "商家镇便民服务中心");
  EXPECT_EQ(hall["seq"], 3);
  EXPECT_EQ(hall["services"][0]["id"], "social");
  EXPECT_EQ(hall["services"][0]["waiting"], 2);
  EXPECT_GT(hall["services"][0]["predicted_wait_s"].get<int>(), 0);
  EXPECT_EQ(hall["windows"][0]["state"], "idle");
  EXPECT_EQ(hall["windows"][0]["staff"], "s01");
  EXPECT_EQ(hall["live"]["issued"], 2);
  EXPECT_TRUE(hall["local_date"].is_string());

  const json tickets = get("/api/halls/town/tickets?state=waiting").j();
  ASSERT_EQ(tickets.size(), 2u);
  EXPECT_EQ(tickets[0]["number"], "A001");
  EXPECT_EQ(tickets[1]["ahead"], 1);
  EXPECT_GE(tickets[1]["predicted_wait_s"].get<int>(), tickets[0]["predicted_wait_s"].get<int>());

  const json staff = get("/api/halls/town/staff").j();
  EXPECT_TRUE(staff.is_array());
}

TEST_F(HttpTest, ManagerActionsChangeTheEngineAfterTheCommit) {
  Answer r = post("/api/halls/town/windows/w3/open", R"({"staff": "s07"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["events"][0]["kind"], "window_opened");
  EXPECT_EQ(get("/api/halls/town").j()["windows"][2]["state"], "idle");

  r = post("/api/halls/town/windows/w3/skills", R"({"serves": {"estate": 1, "social": 2}})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["events"][0]["kind"], "window_skills_changed");

  r = post("/api/halls/town/windows/w3/pause", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(get("/api/halls/town").j()["windows"][2]["state"], "paused");
  ASSERT_EQ(post("/api/halls/town/windows/w3/resume", "").status, 200);

  // Staff s07 moves from w3 to w4: w3 closes, w4 opens with s07.
  r = post("/api/halls/town/staff/s07/move", R"({"window": "w4"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json hall = get("/api/halls/town").j();
  EXPECT_EQ(hall["windows"][2]["state"], "closed");
  EXPECT_EQ(hall["windows"][3]["state"], "idle");
  EXPECT_EQ(hall["windows"][3]["staff"], "s07");
  EXPECT_EQ(r.j()["events"][0]["kind"], "window_closed");
  EXPECT_EQ(r.j()["events"][1]["kind"], "window_opened");
  r = post("/api/halls/town/staff/s07/move", R"({"window": "w4"})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.j()["error"], "already_there");
  EXPECT_EQ(post("/api/halls/town/staff/s07/move", R"({"window": "w99"})").status, 404);

  r = post("/api/halls/town/notice", R"({"text": "今日下午社保系统升级"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(get("/api/halls/town").j()["notice"], "今日下午社保系统升级");
  const RunResult status = hallq({"--json", "status", "town"});
  EXPECT_EQ(json::parse(status.out.substr(0, status.out.find('\n')))["notice"], "今日下午社保系统升级");
}

TEST_F(HttpTest, BadRequestsGetClearErrorsAndChangeNothing) {
  ASSERT_EQ(post("/api/halls/town/windows/w1/open", "{}").status, 200);
  const std::uint64_t before = seq();
  struct Case {
    http::verb method;
    std::string target, body;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {http::verb::get, "/api/nothing", "", 404, "not_found"},
      {http::verb::get, "/api/halls/nosuch", "", 404, "unknown_hall"},
      {http::verb::post, "/api/halls/town/windows/w99/open", "{}", 404, "unknown_window"},
      {http::verb::post, "/api/halls/town/windows/w1/open", "{}", 409, ""},  // already open
      {http::verb::post, "/api/halls/town/windows/w2/close", "", 409, ""},   // not open
      {http::verb::post, "/api/halls/town/windows/w1/open", "{not json", 400, "malformed"},
      {http::verb::post, "/api/halls/town/windows/w1/open", "[1,2]", 400, "malformed"},
      {http::verb::post, "/api/halls/town/windows/w2/open", R"({"staff": 7})", 400, "bad_argument"},
      {http::verb::post, "/api/halls/town/windows/w1/skills", R"({"serves": {"nosuch": 1}})", 404,
       "unknown_service"},
      {http::verb::post, "/api/halls/town/windows/w1/skills", R"({"serves": {"social": "x"}})", 400,
       "bad_argument"},
      {http::verb::post, "/api/halls/town/notice", R"({"txt": "x"})", 400, "bad_argument"},
      {http::verb::post, "/api/halls/town/notice", R"({"text": "bad\u0007bell"})", 400, ""},
      {http::verb::post, "/api/halls/town/advisories/99/accept", "{}", 404, "unknown_advisory"},
      {http::verb::post, "/api/halls/town/advisories/abc/accept", "{}", 400, "bad_argument"},
      {http::verb::get, "/api/halls/town/windows/w1/open", "", 405, "method_not_allowed"},
      {http::verb::post, "/api/halls/town", "{}", 405, "method_not_allowed"},
      {http::verb::put, "/api/halls/town/notice", "{}", 405, "method_not_allowed"},
      {http::verb::get, "/api/halls/town/tickets?state=gone", "", 400, "bad_argument"},
      {http::verb::get, "/api/halls/town/history?from=2026-02-30&to=2026-03-01", "", 400, "bad_argument"},
      {http::verb::get, "/api/halls/town/history?from=2026-03-05&to=2026-03-01", "", 400, "bad_argument"},
      {http::verb::get, "/api/halls/town/history?from=2024-01-01&to=2026-01-01", "", 400, "bad_argument"},
      {http::verb::get, "/api/halls/town/history?from=2026-03-01", "", 400, "bad_argument"},
      {http::verb::get, "/api/halls/town/history?date=2026-03-01&by=week", "", 400, "bad_argument"},
      {http::verb::get, "/api/halls/town/history?date=2026-03-01&color=red", "", 400, "bad_argument"},
      {http::verb::get, "/static/../../etc/passwd", "", 404, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(http::to_string(c.method)) + " " + c.target + " " + c.body);
    const Answer a = request(http_, c.method, c.target, c.body);
    EXPECT_EQ(a.status, c.status) << a.body;
    const json j = a.j();
    if (c.target.rfind("/static", 0) == 0) continue;
    ASSERT_TRUE(j.is_object()) << a.body;
    EXPECT_FALSE(j["message"].get<std::string>().empty());
    if (!c.code.empty()) {
      EXPECT_EQ(j["error"], c.code);
    }
  }
  EXPECT_EQ(seq(), before);
  // The engine serves everyone else as before.
  EXPECT_EQ(hallq({"issue", "town", "social"}).exit_code, 0);
  EXPECT_EQ(seq(), before + 1);
}

// POST .../finish {"case"}: a 办件编号 with a space or Chinese characters (or
// not a string) is refused with a Chinese message and changes nothing; a
// valid one is in the ticket_finished event of the answer.
TEST_F(HttpTest, FinishRefusesACaseNumberWithASpaceOrChinese) {
  ASSERT_EQ(hallq({"open", "town", "w1", "--staff", "s01"}).exit_code, 0);
  ASSERT_EQ(hallq({"issue", "town", "social"}).exit_code, 0);
  ASSERT_EQ(hallq({"call", "town", "w1"}).exit_code, 0);
  ASSERT_EQ(hallq({"start", "town", "w1"}).exit_code, 0);
  const std::uint64_t before = seq();
  struct Case {
    std::string body;
    std::string message;
  };
  // Each refusal names the first bad character and its position (engine/core/evaluation_rules.h).
  const std::string allowed = "不可用：只能是字母、数字或 . _ / -";
  for (const Case& c : std::vector<Case>{
           {R"({"case": "GA 2026/0017"})", "办件编号的第 3 个字符是空格，" + allowed},
           {R"({"case": "办件0017"})", "办件编号的第 1 个字符“办”" + allowed},
           {R"({"case": "GA-2026/0017\t"})", "办件编号的第 13 个字符是控制字符 U+0009，" + allowed},
           {R"({"case": 17})", "case 须为字符串（办件编号）"}}) {
    SCOPED_TRACE(c.body);
    const Answer a = post("/api/halls/town/windows/w1/finish", c.body);
    EXPECT_EQ(a.status, 400) << a.body;
    EXPECT_EQ(a.j()["error"], "bad_argument") << a.body;
    EXPECT_EQ(a.j()["message"], c.message) << a.body;
  }
  EXPECT_EQ(seq(), before);
  EXPECT_EQ(get("/api/halls/town").j()["windows"][0]["current"], "A001");
  const Answer done = post("/api/halls/town/windows/w1/finish", R"({"case": "GA-2026/0017"})");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.j()["events"][0]["kind"], "ticket_finished");
  EXPECT_EQ(done.j()["events"][0]["number"], "A001");
  EXPECT_EQ(done.j()["events"][0]["case"], "GA-2026/0017");
}

TEST_F(HttpTest, AnIdempotencyKeyMakesARetrySafe) {
  const Answer first = post("/api/halls/town/windows/w2/open", R"({"staff": "s02"})", "retry-1");
  ASSERT_EQ(first.status, 200) << first.body;
  const std::uint64_t after = seq();
  const Answer again = post("/api/halls/town/windows/w2/open", R"({"staff": "s02"})", "retry-1");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(seq(), after);
  // Across an engine crash too.
  engine_->kill9();
  engine_->restart();
  ASSERT_EQ(engine_->http(), http_);
  EXPECT_EQ(post("/api/halls/town/windows/w2/open", R"({"staff": "s02"})", "retry-1").status, 200);
  EXPECT_EQ(seq(), after);
  // Without a key, actions after a restart are new actions, not "duplicates" of earlier ones.
  ASSERT_EQ(post("/api/halls/town/notice", R"({"text": "一"})").status, 200);
  engine_->kill9();
  engine_->restart();
  ASSERT_EQ(post("/api/halls/town/notice", R"({"text": "二"})").status, 200);
  EXPECT_EQ(get("/api/halls/town").j()["notice"], "二");
}

TEST_F(HttpTest, HistoryComesFromTheStore) {
  ASSERT_EQ(hallq({"open", "town", "w1"}).exit_code, 0);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(hallq({"issue", "town", "social"}).exit_code, 0);
  ASSERT_EQ(hallq({"call", "town", "w1"}).exit_code, 0);
  ASSERT_EQ(hallq({"start", "town", "w1"}).exit_code, 0);
  ASSERT_EQ(hallq({"finish", "town", "w1"}).exit_code, 0);
  const std::string date = get("/api/halls/town").j()["local_date"];

  const Answer by_hour = get("/api/halls/town/history?date=" + date + "&by=hour");
  ASSERT_EQ(by_hour.status, 200) << by_hour.body;
  const json h = by_hour.j();
  EXPECT_EQ(h["period"], "hour");
  EXPECT_EQ(h["periods"].size(), 24u);
  EXPECT_EQ(h["total"]["issued"], 3);
  EXPECT_EQ(h["total"]["called"], 1);
  EXPECT_EQ(h["total"]["served"], 1);
  EXPECT_EQ(h["services"][0]["id"], "social");
  EXPECT_EQ(h["services"][0]["issued"], 3);
  int issued_in_hours = 0;
  for (const json& p : h["periods"]) issued_in_hours += p["issued"].get<int>();
  EXPECT_EQ(issued_in_hours, 3);

  const json by_day = get("/api/halls/town/history?from=" + date + "&to=" + date).j();
  EXPECT_EQ(by_day["period"], "day");
  ASSERT_EQ(by_day["periods"].size(), 1u);
  EXPECT_EQ(by_day["periods"][0]["issued"], 3);
  EXPECT_EQ(by_day["windows"][0]["served"], 1);
}

TEST_F(HttpTest, MetricsAreInPrometheusTextFormat) {
  ASSERT_EQ(hallq({"open", "town", "w1"}).exit_code, 0);
  ASSERT_EQ(hallq({"issue", "town", "estate"}).exit_code, 0);
  const Answer m = get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.type.find("text/plain"), std::string::npos);
  EXPECT_NE(m.body.find("# TYPE hallq_engine_requests_total counter"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("hallq_waiting{hall=\"town\",service=\"estate\"} 1"), std::string::npos) << m.body;
  // Every sample line is NAME{labels} VALUE or NAME VALUE.
  std::size_t samples = 0;
  for (std::size_t at = 0; at < m.body.size();) {
    const std::size_t end = m.body.find('\n', at);
    const std::string line = m.body.substr(at, end - at);
    at = end == std::string::npos ? m.body.size() : end + 1;
    if (line.empty() || line[0] == '#') continue;
    ++samples;
    const std::size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    EXPECT_NO_THROW((void)std::stod(line.substr(space + 1))) << line;
  }
  EXPECT_GT(samples, 20u);
}

TEST_F(HttpTest, TheDashboardAndItsLibraryAreServed) {
  const Answer page = get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.type.find("text/html"), std::string::npos);
  EXPECT_NE(page.body.find("运行监控"), std::string::npos);
  EXPECT_EQ(get("/static/dashboard.js").status, 200);
  const Answer chart = get("/vendor/chart.umd.js");
  ASSERT_EQ(chart.status, 200);
  EXPECT_GT(chart.body.size(), 100000u);
}

TEST_F(HttpTest, AWebSocketGetsTheSummaryAndEachEvent) {
  boost::asio::io_context io;
  websocket::stream<tcp::socket> ws(io);
  connect_bounded(ws.next_layer(), http_, 5);  // a read that hangs fails the test instead
  ws.handshake(http_, "/ws?hall=town");
  auto next = [&ws] {
    beast::flat_buffer b;
    ws.read(b);
    return json::parse(beast::buffers_to_string(b.data()));
  };
  const json first = next();
  EXPECT_EQ(first["type"], "summary");
  EXPECT_EQ(first["data"]["hall"], "town");

  const auto issued = std::chrono::steady_clock::now();
  ASSERT_EQ(hallq({"issue", "town", "police"}).exit_code, 0);
  json event;
  json summary;
  while (event.is_null() || summary.is_null()) {
    const json m = next();
    if (m["type"] == "event") event = m;
    if (m["type"] == "summary" && m["data"]["waiting"] == 1) summary = m;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - issued, std::chrono::seconds(1));
  EXPECT_EQ(event["data"]["kind"], "ticket_issued");
  EXPECT_EQ(event["data"]["number"], "D001");
  EXPECT_EQ(summary["data"]["services"][3]["waiting"], 1);
  ws.close(websocket::close_code::normal);

  // An unknown hall is refused at the handshake.
  websocket::stream<tcp::socket> other(io);
  connect_bounded(other.next_layer(), http_, 5);
  EXPECT_THROW(other.handshake(http_, "/ws?hall=nosuch"), boost::system::system_error);
}

TEST(HttpStartTest, OnlyLoopbackAndAValidAddress) {
  TempDir dir;
  RunResult r = run_program(
      default_hallqd(), {"--conf", kTown, "--data", dir.path() + "/a", "--cmd", "tcp://127.0.0.1:*", "--pub",
                         "tcp://127.0.0.1:*", "--http", "0.0.0.0:0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("loopback"), std::string::npos) << r.err;
  r = run_program(default_hallqd(), {"--conf", kTown, "--data", dir.path() + "/b", "--http", "127.0.0.1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("HOST:PORT"), std::string::npos) << r.err;
}

// --- managers' logins (hallqd --accounts)

class HttpAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Hashing is slow on purpose (Argon2id): once for the suite.
    admin_hash_ = new std::string(server::hash_password("admin-pass-1"));
    viewer_hash_ = new std::string(server::hash_password("viewer-pass-1"));
  }
  void SetUp() override {
    accounts_ = dir_.path() + "/managers.toml";
    std::ofstream(accounts_)
        << "[[manager]]\nname = \"zhang\"\nrole = \"admin\"\npassword_hash = \"" << *admin_hash_
        << "\"\n\n[[manager]]\nname = \"li\"\nrole = \"viewer\"\nhalls = [\"town\"]\npassword_hash = \""
        << *viewer_hash_ << "\"\n";
    engine_ = std::make_unique<EngineProcess>(
        std::vector<std::string>{kTown, kSource + "/conf/district.toml"}, dir_.path() + "/data",
        std::vector<std::string>{"--accounts", accounts_});
    http_ = engine_->http();
  }
  struct Login {
    std::string cookie, csrf;
  };
  Login login(const std::string& user, const std::string& password) {
    const Answer a =
        request(http_, http::verb::post, "/api/login", json{{"user", user}, {"password", password}}.dump());
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_NE(a.set_cookie.find("HttpOnly"), std::string::npos) << a.set_cookie;
    EXPECT_NE(a.set_cookie.find("SameSite=Strict"), std::string::npos) << a.set_cookie;
    return {a.set_cookie.substr(0, a.set_cookie.find(';')), a.j()["csrf"]};
  }
  Answer as(const Login& l, http::verb method, const std::string& target, const std::string& body = "",
            bool with_csrf = true, const std::string& origin = "") {
    std::map<std::string, std::string> headers{{"Cookie", l.cookie}};
    if (with_csrf) headers["X-CSRF-Token"] = l.csrf;
    if (!origin.empty()) headers["Origin"] = origin;
    return request(http_, method, target, body, "", headers);
  }
  std::uint64_t town_seq(const Login& l) { return as(l, http::verb::get, "/api/halls/town").j()["seq"]; }

  static inline std::string* admin_hash_ = nullptr;
  static inline std::string* viewer_hash_ = nullptr;
  TempDir dir_;
  std::string accounts_;
  std::unique_ptr<EngineProcess> engine_;
  std::string http_;
};

TEST_F(HttpAuthTest, NothingWithoutALogin) {
  EXPECT_EQ(request(http_, http::verb::get, "/api/halls").status, 401);
  EXPECT_EQ(request(http_, http::verb::get, "/api/halls/town").j()["error"], "login_required");
  EXPECT_EQ(request(http_, http::verb::post, "/api/halls/town/windows/w1/open", "{}").status, 401);
  EXPECT_EQ(request(http_, http::verb::get, "/api/session").status, 401);
  EXPECT_EQ(request(http_, http::verb::get, "/api/audit").status, 401);
  EXPECT_EQ(request(http_, http::verb::get, "/").status, 200);  // the page, which shows the login form
  EXPECT_EQ(
      request(http_, http::verb::post, "/api/login", R"({"user": "zhang", "password": "wrong"})").status,
      401);
  EXPECT_EQ(request(http_, http::verb::post, "/api/login", R"({"user": "nobody", "password": "x"})").status,
            401);
  EXPECT_EQ(request(http_, http::verb::post, "/api/login", "{user").status, 400);
  // A forged session cookie is no session.
  EXPECT_EQ(request(http_, http::verb::get, "/api/halls", "", "",
                    {{"Cookie", "hallq_session=" + std::string(64, 'a')}})
                .status,
            401);
}

TEST_F(HttpAuthTest, AdminsActWithTheirCsrfTokenViewersOnlyRead) {
  const Login admin = login("zhang", "admin-pass-1");
  EXPECT_EQ(as(admin, http::verb::get, "/api/halls").j().size(), 2u);
  EXPECT_EQ(as(admin, http::verb::get, "/api/session").j()["role"], "admin");
  const std::uint64_t before = town_seq(admin);
  Answer a = as(admin, http::verb::post, "/api/halls/town/windows/w1/open", "{}", /*with_csrf=*/false);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.j()["error"], "csrf");
  a = as(admin, http::verb::post, "/api/halls/town/windows/w1/open", "{}", true, "http://evil.example");
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(town_seq(admin), before);
  a = as(admin, http::verb::post, "/api/halls/town/windows/w1/open", R"({"staff": "s01"})", true,
         "http://" + http_);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(town_seq(admin), before + 1);

  const Login viewer = login("li", "viewer-pass-1");
  const json halls = as(viewer, http::verb::get, "/api/halls").j();
  ASSERT_EQ(halls.size(), 1u);
  EXPECT_EQ(halls[0]["id"], "town");
  EXPECT_EQ(as(viewer, http::verb::get, "/api/halls/town").status, 200);
  EXPECT_EQ(as(viewer, http::verb::get, "/api/halls/district").status, 403);
  a = as(viewer, http::verb::post, "/api/halls/town/windows/w2/open", "{}");
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.j()["error"], "forbidden");
  EXPECT_EQ(as(viewer, http::verb::get, "/api/audit").status, 403);
  EXPECT_EQ(town_seq(admin), before + 1);

  // Logged out: the cookie is dead.
  EXPECT_EQ(as(viewer, http::verb::post, "/api/logout", "{}").status, 200);
  EXPECT_EQ(as(viewer, http::verb::get, "/api/halls").status, 401);
  EXPECT_EQ(as(admin, http::verb::get, "/api/halls").status, 200);
}

TEST_F(HttpAuthTest, TheAuditLogHasEveryLoginAndActionAndSurvivesACrash) {
  EXPECT_EQ(request(http_, http::verb::post, "/api/login", R"({"user": "zhang", "password": "nope"})").status,
            401);
  Login admin = login("zhang", "admin-pass-1");
  ASSERT_EQ(as(admin, http::verb::post, "/api/halls/town/notice", R"({"text": "系统维护"})").status, 200);
  ASSERT_EQ(as(admin, http::verb::post, "/api/halls/town/windows/w9/close", "{}").status, 409);
  ASSERT_EQ(as(admin, http::verb::post, "/api/halls/town/notice", R"({"text": "x"})", false).status, 403);
  const Login viewer = login("li", "viewer-pass-1");
  ASSERT_EQ(as(viewer, http::verb::post, "/api/halls/town/notice", R"({"text": "y"})").status, 403);

  engine_->kill9();
  engine_->restart();
  EXPECT_EQ(as(admin, http::verb::get, "/api/halls").status, 401);  // sessions do not survive a restart
  admin = login("zhang", "admin-pass-1");
  const json log = as(admin, http::verb::get, "/api/audit").j();
  std::vector<std::string> seen;
  for (const json& r : log)
    seen.push_back(r["user"].get<std::string>() + " " + r["result"].get<std::string>());
  const std::vector<std::string> expected = {"zhang login_failed",  "zhang login", "zhang ok",
                                             "zhang window_closed", "zhang csrf",  "li login",
                                             "li forbidden",        "zhang login"};
  EXPECT_EQ(seen, expected);
  ASSERT_GE(log.size(), 3u);
  EXPECT_EQ(log[2]["path"], "/api/halls/town/notice");
  EXPECT_EQ(log[2]["body"]["text"], "系统维护");
  EXPECT_EQ(log[1]["peer"], "127.0.0.1");
  EXPECT_EQ(log[0].value("body", json::object()).value("password", ""), "***");  // passwords never stored
  EXPECT_EQ(as(admin, http::verb::get, "/api/audit?from=3&limit=2").j().size(), 2u);
}

// Audit records share the group commit: clerks acting at once cost at most
// one LMDB write transaction per engine batch (it was three per action: a
// "pending" record, the events, the outcome), and each action has one
// record, with its outcome, numbered in order of commit.
TEST_F(HttpAuthTest, ConcurrentActionsShareTheGroupCommitWithTheirAuditRecords) {
  const Login admin = login("zhang", "admin-pass-1");
  auto metric = [&](const std::string& name) -> std::uint64_t {
    const std::string text = request(http_, http::verb::get, "/metrics").body;
    const std::size_t at = text.find("\n" + name + " ");
    if (at == std::string::npos) {
      ADD_FAILURE() << name << " missing from /metrics";
      return 0;
    }
    return std::stoull(text.substr(at + name.size() + 2));
  };
  const std::size_t records_before = as(admin, http::verb::get, "/api/audit?limit=100000").j().size();
  const std::uint64_t commits_before = metric("hallq_store_commits_total");
  const std::uint64_t batches_before = metric("hallq_engine_batches_total");

  constexpr int kClients = 8, kEach = 4, kActions = kClients * kEach;
  std::vector<int> statuses(kActions);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      for (int i = 0; i < kEach; ++i)
        statuses[c * kEach + i] = as(admin, http::verb::post, "/api/halls/town/notice",
                                     json{{"text", fmt::format("n{}-{}", c, i)}}.dump())
                                      .status;
    });
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(statuses, std::vector<int>(kActions, 200));

  const std::uint64_t commits = metric("hallq_store_commits_total") - commits_before;
  const std::uint64_t batches = metric("hallq_engine_batches_total") - batches_before;
  std::cout << kActions << " concurrent actions: " << commits << " write transactions, " << batches
            << " batches\n";
  EXPECT_GT(commits, 0u);
  EXPECT_LE(commits, batches);
  EXPECT_LE(commits, static_cast<std::uint64_t>(kActions));  // was 3 per action
  const json log = as(admin, http::verb::get, "/api/audit?limit=100000").j();
  ASSERT_EQ(log.size(), records_before + kActions) << log.dump();
  std::set<std::string> texts;
  for (std::size_t i = records_before; i < log.size(); ++i) {
    EXPECT_EQ(log[i]["result"], "ok") << log[i].dump();
    EXPECT_EQ(log[i]["status"], 200);
    texts.insert(log[i]["body"]["text"].get<std::string>());
  }
  EXPECT_EQ(texts.size(), static_cast<std::size_t>(kActions));
}

TEST_F(HttpAuthTest, RepeatedFailuresLockTheAccountForAWhile) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(
        request(http_, http::verb::post, "/api/login", R"({"user": "zhang", "password": "guess"})").status,
        401);
  const Answer locked =
      request(http_, http::verb::post, "/api/login", R"({"user": "zhang", "password": "admin-pass-1"})");
  EXPECT_EQ(locked.status, 429) << locked.body;
  login("li", "viewer-pass-1");  // others are not locked out
}

TEST_F(HttpAuthTest, TheLiveViewNeedsASessionForItsHall) {
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  const std::size_t colon = http_.rfind(':');
  const auto endpoints = resolver.resolve(http_.substr(0, colon), http_.substr(colon + 1));
  websocket::stream<tcp::socket> anonymous(io);
  boost::asio::connect(anonymous.next_layer(), endpoints);
  EXPECT_THROW(anonymous.handshake(http_, "/ws?hall=town"), boost::system::system_error);

  const Login viewer = login("li", "viewer-pass-1");
  auto with_cookie = [&](websocket::request_type& req) { req.set(http::field::cookie, viewer.cookie); };
  websocket::stream<tcp::socket> other_hall(io);
  boost::asio::connect(other_hall.next_layer(), endpoints);
  other_hall.set_option(websocket::stream_base::decorator(with_cookie));
  EXPECT_THROW(other_hall.handshake(http_, "/ws?hall=district"), boost::system::system_error);

  websocket::stream<tcp::socket> ws(io);
  boost::asio::connect(ws.next_layer(), endpoints);
  ws.set_option(websocket::stream_base::decorator(with_cookie));
  ws.handshake(http_, "/ws?hall=town");
  beast::flat_buffer b;
  ws.read(b);
  EXPECT_EQ(json::parse(beast::buffers_to_string(b.data()))["type"], "summary");
}

TEST(HttpAccountsFileTest, BrokenFilesAreRefusedWithTheirLine) {
  TempDir dir;
  const std::string file = dir.path() + "/managers.toml";
  std::ofstream(file) << "[[manager]]\nname = \"zhang\"\nrole = \"boss\"\npassword_hash = \"$argon2id$x\"\n";
  RunResult r = run_program(default_hallqd(), {"--conf", kTown, "--data", dir.path() + "/a", "--accounts",
                                               file, "--http", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("managers.toml:3: manager.role \"boss\""), std::string::npos) << r.err;
  std::ofstream(file)
      << "[[manager]]\nname = \"zhang\"\nhalls = [\"nosuch\"]\npassword_hash = \"$argon2id$x\"\n";
  r = run_program(default_hallqd(), {"--conf", kTown, "--data", dir.path() + "/b", "--accounts", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown hall nosuch"), std::string::npos) << r.err;
  // With logins, the API may listen beyond loopback.
  std::ofstream(file) << "[[manager]]\nname = \"zhang\"\npassword_hash = \"$argon2id$x\"\n";
  EngineProcess engine({kTown}, dir.path() + "/c", {"--accounts", file, "--http", "0.0.0.0:0"});
  EXPECT_NE(engine.http().find("0.0.0.0:"), std::string::npos) << engine.ready_line();
}

}  // namespace
}  // namespace hallq::testing
