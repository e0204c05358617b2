// hallqd under abuse (issue 16): each attack of a hostile client on the
// hall's network, run against the real hallqd on loopback, bounded in time,
// asserting the bound: cross-site requests, hall probing, /metrics, login
// guessing and lockout, the audit log's growth, WebSockets.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/server/accounts.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/program_output.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

using json = nlohmann::json;
using boost::asio::ip::tcp;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

const std::string kEvil = "http://evil.example";  // another site
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
const std::string kDistrict = std::string(HALLQ_SOURCE_DIR) + "/conf/district.toml";

// --- without accounts (the default and the demo)

class OpenApiAbuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{kTown}, dir_.path() + "/data");
    http_ = engine_->http();
  }
  std::uint64_t seq() { return http_request(http_, http::verb::get, "/api/halls/town").j()["seq"]; }

  TempDir dir_;
  std::unique_ptr<EngineProcess> engine_;
  std::string http_;
};

TEST_F(OpenApiAbuseTest, CrossSiteActionsAreRefusedWithoutAccounts) {
  const std::uint64_t before = seq();
  // What a page on another site can send without a preflight.
  HttpAnswer a = http_request(http_, http::verb::post, "/api/halls/town/windows/w1/open", R"({"staff":"x"})",
                              {"", {{"Origin", kEvil}, {"Content-Type", "text/plain"}}, ""});
  EXPECT_EQ(a.status, 403) << a.body;
  EXPECT_EQ(a.j()["error"], "csrf");
  a = http_request(http_, http::verb::post, "/api/halls/town/windows/w1/open", R"({"staff":"x"})",
                   {"", {{"Content-Type", "text/plain"}}, ""});
  EXPECT_EQ(a.status, 415) << a.body;
  a = http_request(http_, http::verb::post, "/api/halls/town/notice", "text=x",
                   {"", {{"Content-Type", "application/x-www-form-urlencoded"}}, ""});
  EXPECT_EQ(a.status, 415) << a.body;
  a = http_request(http_, http::verb::post, "/api/halls/town/windows/w1/open", "",
                   {"", {{"Origin", kEvil}}, ""});
  EXPECT_EQ(a.status, 403) << a.body;
  EXPECT_EQ(seq(), before);
  // The same-host page and a JSON client still act.
  a = http_request(
      http_, http::verb::post, "/api/halls/town/windows/w1/open", "{}",
      {"", {{"Origin", "http://" + http_}, {"Content-Type", "application/json; charset=utf-8"}}, ""});
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(http_request(http_, http::verb::post, "/api/halls/town/windows/w1/pause").status, 200);
  EXPECT_EQ(seq(), before + 2);
}

TEST(MetricsAccessTest, OpenOnlyOnLoopbackTokenOrLoginOtherwise) {
  TempDir dir;
  const std::string token_file = dir.path() + "/metrics.token";
  std::ofstream(token_file) << "s3cret-scrape-token-0123456789\n";
  EngineProcess engine({kTown}, dir.path() + "/data", {"--metrics-token-file", token_file});
  const std::string http = engine.http();
  EXPECT_EQ(http_request(http, http::verb::get, "/metrics").status, 401);
  EXPECT_EQ(http_request(http, http::verb::get, "/metrics", "", {"", {{"Authorization", "Bearer wrong"}}, ""})
                .status,
            401);
  const HttpAnswer m = http_request(http, http::verb::get, "/metrics", "",
                                    {"", {{"Authorization", "Bearer s3cret-scrape-token-0123456789"}}, ""});
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("hall=\"town\""), std::string::npos);
}

// --- with accounts

class AbuseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    admin_hash_ = new std::string(server::hash_password("admin-pass-1"));
    viewer_hash_ = new std::string(server::hash_password("viewer-pass-1"));
  }
  void SetUp() override { start({}); }
  void start(std::vector<std::string> extra) {
    accounts_ = dir_.path() + "/managers.toml";
    std::ofstream(accounts_)
        << "[[manager]]\nname = \"boss\"\nrole = \"admin\"\npassword_hash = \"" << *admin_hash_
        << "\"\n\n[[manager]]\nname = \"li\"\nrole = \"viewer\"\nhalls = [\"town\"]\npassword_hash = \""
        << *viewer_hash_ << "\"\n";
    extra.insert(extra.begin(), {"--accounts", accounts_});
    engine_.reset();
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{kTown, kDistrict},
                                              dir_.path() + "/data" + std::to_string(++starts_), extra);
    http_ = engine_->http();
  }
  struct Login {
    std::string cookie, csrf;
  };
  HttpAnswer try_login(const std::string& user, const std::string& password, const std::string& from = "") {
    return http_request(http_, http::verb::post, "/api/login",
                        json{{"user", user}, {"password", password}}.dump(), {"", {}, from});
  }
  Login login(const std::string& user, const std::string& password, const std::string& from = "") {
    const HttpAnswer a = try_login(user, password, from);
    EXPECT_EQ(a.status, 200) << a.body;
    if (a.status != 200) return {};
    return {a.set_cookie.substr(0, a.set_cookie.find(';')), a.j()["csrf"]};
  }
  HttpAnswer as(const Login& l, http::verb method, const std::string& target, const std::string& body = "") {
    return http_request(http_, method, target, body,
                        {"", {{"Cookie", l.cookie}, {"X-CSRF-Token", l.csrf}}, ""});
  }
  // The WebSocket handshake's HTTP status (101 when upgraded).
  int ws_status(const std::string& target, std::map<std::string, std::string> headers) {
    headers.insert({{"Connection", "Upgrade"},
                    {"Upgrade", "websocket"},
                    {"Sec-WebSocket-Version", "13"},
                    {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}});
    return http_request(http_, http::verb::get, target, "", {"", headers, ""}).status;
  }

  static inline std::string* admin_hash_ = nullptr;
  static inline std::string* viewer_hash_ = nullptr;
  TempDir dir_;
  int starts_ = 0;
  std::string accounts_;
  std::unique_ptr<EngineProcess> engine_;
  std::string http_;
};

TEST_F(AbuseTest, LoginTakesJsonOnly) {
  HttpAnswer a =
      http_request(http_, http::verb::post, "/api/login", R"({"user":"boss","password":"admin-pass-1"})",
                   {"", {{"Content-Type", "text/plain"}}, ""});
  EXPECT_EQ(a.status, 415) << a.body;
  EXPECT_TRUE(a.set_cookie.empty());
  a = http_request(http_, http::verb::post, "/api/login", "user=boss&password=admin-pass-1",
                   {"", {{"Content-Type", "application/x-www-form-urlencoded"}}, ""});
  EXPECT_EQ(a.status, 415) << a.body;
  a = http_request(http_, http::verb::post, "/api/login", R"({"user":"boss","password":"admin-pass-1"})",
                   {"", {{"Origin", kEvil}}, ""});
  EXPECT_EQ(a.status, 403) << a.body;
  login("boss", "admin-pass-1");
}

TEST_F(AbuseTest, HallIdsCannotBeProbed) {
  // Without a session: 401 whether the hall exists or not, on /api and /ws.
  EXPECT_EQ(http_request(http_, http::verb::get, "/api/halls/town").status, 401);
  EXPECT_EQ(http_request(http_, http::verb::get, "/api/halls/nosuch").status, 401);
  EXPECT_EQ(ws_status("/ws?hall=town", {}), 401);
  EXPECT_EQ(ws_status("/ws?hall=nosuch", {}), 401);
  // A viewer of town: the same 403 for another hall and for no hall.
  const Login viewer = login("li", "viewer-pass-1");
  const HttpAnswer other = as(viewer, http::verb::get, "/api/halls/district");
  const HttpAnswer none = as(viewer, http::verb::get, "/api/halls/nosuch");
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(none.status, 403);
  EXPECT_EQ(other.j()["error"], none.j()["error"]);
  EXPECT_EQ(ws_status("/ws?hall=district", {{"Cookie", viewer.cookie}}), 403);
  EXPECT_EQ(ws_status("/ws?hall=nosuch", {{"Cookie", viewer.cookie}}), 403);
  EXPECT_EQ(ws_status("/ws?hall=town", {{"Cookie", viewer.cookie}}), 101);
  EXPECT_EQ(ws_status("/ws?hall=town", {{"Cookie", viewer.cookie}, {"Origin", kEvil}}), 403);
}

TEST_F(AbuseTest, MetricsNeedALoginBeyondLoopbackAndShowTheAccountsHalls) {
  start({"--metrics", "login"});
  EXPECT_EQ(http_request(http_, http::verb::get, "/metrics").status, 401);
  const Login viewer = login("li", "viewer-pass-1");
  const HttpAnswer m = as(viewer, http::verb::get, "/metrics");
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_NE(m.body.find("hall=\"town\""), std::string::npos);
  EXPECT_EQ(m.body.find("hall=\"district\""), std::string::npos) << "a viewer of town sees district";
  const Login admin = login("boss", "admin-pass-1");
  EXPECT_NE(as(admin, http::verb::get, "/metrics").body.find("hall=\"district\""), std::string::npos);
}

TEST_F(AbuseTest, ParallelGuessesGetOnlyTheLimitCheckedAndTheAdminElsewhereLogsIn) {
  // 40 guesses at once from one address: at most 5 reach the password check.
  std::promise<void> go;
  std::shared_future<void> start = go.get_future().share();
  std::vector<std::future<int>> guesses;
  for (int i = 0; i < 40; ++i)
    guesses.push_back(std::async(std::launch::async, [&, i] {
      start.wait();
      return try_login("boss", "guess-" + std::to_string(i)).status;
    }));
  go.set_value();
  int checked = 0, refused = 0;
  for (auto& g : guesses) {
    const int status = g.get();
    checked += status == 401;
    refused += status == 429;
  }
  std::cout << "40 parallel guesses: " << checked << " checked, " << refused << " refused (429)\n";
  EXPECT_LE(checked, 5);
  EXPECT_EQ(checked + refused, 40);
  // The attacker keeps guessing: still locked, with a growing delay.
  const HttpAnswer locked = try_login("boss", "admin-pass-1");
  EXPECT_EQ(locked.status, 429);
  EXPECT_GT(locked.j()["retry_after_s"].get<int>(), 0);
  // The real admin on another machine (another loopback address) is not locked out.
  login("boss", "admin-pass-1", "127.0.0.2");
}

TEST_F(AbuseTest, RefusalsWithoutALoginAreCountedNotStoredOneByOne) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(try_login("ghost", "guess").status, 401);
  // The flood that filled the disk: the same locked login again and again,
  // each with a 60 KiB body, and requests without a session.
  const std::string padding(60 * 1024, 'x');
  constexpr int kFlood = 1000;
  for (int i = 0; i < kFlood; ++i) {
    const std::string body = json{{"user", "ghost"}, {"password", "guess"}, {"pad", padding}}.dump();
    ASSERT_EQ(http_request(http_, http::verb::post, "/api/login", body).status, 429);
    ASSERT_EQ(http_request(http_, http::verb::get, "/api/halls/town").status, 401);
  }
  const Login admin = login("boss", "admin-pass-1", "127.0.0.2");
  // A long extra field: its record is cut, the action itself goes through.
  ASSERT_EQ(as(admin, http::verb::post, "/api/halls/town/notice",
               json{{"text", "维护"}, {"comment", std::string(3000, 'n')}}.dump())
                .status,
            200);
  const HttpAnswer log = as(admin, http::verb::get, "/api/audit?limit=100000");
  ASSERT_EQ(log.status, 200) << log.body;
  std::size_t records = 0, largest = 0;
  for (const json& r : log.j()) {
    ++records;
    largest = std::max(largest, r.dump().size());
  }
  std::cout << 2 * kFlood << " refusals without a session -> " << records << " audit records, largest "
            << largest << " bytes, log " << log.body.size() << " bytes\n";
  // 5 failed logins, the admin's login, the notice (no sample: under a minute).
  EXPECT_EQ(records, 7u) << log.body;
  EXPECT_LE(largest, 4096u);
  EXPECT_EQ(log.j()[6]["result"], "ok");
  EXPECT_EQ(log.j()[6]["body"]["comment"].get<std::string>().size(), 256u + std::string("…").size());
  const std::string metrics = as(admin, http::verb::get, "/metrics").body;
  EXPECT_NE(metrics.find("hallq_http_anonymous_refusals_total{reason=\"locked\"} " + std::to_string(kFlood)),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("hallq_http_anonymous_refusals_total{reason=\"login_required\"}"),
            std::string::npos);
}

TEST_F(AbuseTest, EveryRefusalOfALoggedInUserIsAudited) {
  const Login viewer = login("li", "viewer-pass-1");
  EXPECT_EQ(as(viewer, http::verb::get, "/api/halls/district").status, 403);
  EXPECT_EQ(as(viewer, http::verb::get, "/api/audit").status, 403);
  EXPECT_EQ(as(viewer, http::verb::post, "/api/halls/town/notice", R"({"text": "x"})").status, 403);
  EXPECT_EQ(ws_status("/ws?hall=district", {{"Cookie", viewer.cookie}}), 403);
  const Login admin = login("boss", "admin-pass-1");
  std::vector<std::string> seen;
  for (const json& r : as(admin, http::verb::get, "/api/audit").j())
    seen.push_back(r["user"].get<std::string>() + " " + std::to_string(r["status"].get<int>()) + " " +
                   r["path"].get<std::string>());
  const std::vector<std::string> expected = {"li 200 /api/login", "li 403 /api/halls/district",
                                             "li 403 /api/audit", "li 403 /api/halls/town/notice",
                                             "li 403 /ws",        "boss 200 /api/login"};
  EXPECT_EQ(seen, expected);
}

TEST_F(AbuseTest, AFullStoreRefusesActionsInsteadOfDroppingTheirAuditRecords) {
  // A real full store: a 1 MiB map that may not grow, filled with the audit
  // records of a viewer's refusals until LMDB says MDB_MAP_FULL.
  start({"--map-limit-mib", "1"});
  const std::string stderr_path = dir_.path() + "/data" + std::to_string(starts_) + ".stderr";
  const Login admin = login("boss", "admin-pass-1");
  const Login viewer = login("li", "viewer-pass-1");
  const std::string path = "/api/halls/district/" + std::string(230, 'x');  // a full-size record
  int refusals = 0;
  while (slurp(stderr_path).find("audit log failing") == std::string::npos) {
    ASSERT_LT(refusals, 50'000) << "the store never filled";
    for (int i = 0; i < 100; ++i, ++refusals) ASSERT_EQ(as(viewer, http::verb::get, path).status, 403);
  }
  const std::uint64_t before = as(admin, http::verb::get, "/api/halls/town").j()["seq"];
  // Every action now: refused (its record cannot be kept), nothing changes.
  for (int i = 0; i < 20; ++i) {
    const HttpAnswer a = as(admin, http::verb::post, "/api/halls/town/windows/w1/open", "{}");
    ASSERT_EQ(a.status, 503) << a.body;
    EXPECT_EQ(a.j()["error"], "storage");
    EXPECT_NE(a.j()["message"].get<std::string>().find("审计日志无法写入"), std::string::npos);
  }
  EXPECT_EQ(as(admin, http::verb::get, "/api/halls/town").j()["seq"].get<std::uint64_t>(), before);
  // Logged once, without the record.
  const std::string err = slurp(stderr_path);
  std::size_t lines = 0;
  for (std::size_t at = err.find("audit log"); at != std::string::npos; at = err.find("audit log", at + 1))
    ++lines;
  std::cout << refusals << " audited refusals filled the 1 MiB store; stderr " << err.size() << " bytes\n";
  EXPECT_EQ(lines, 1u) << err;
  EXPECT_EQ(err.find("/api/halls"), std::string::npos) << "a record in the log: " << err;
  const std::string metrics = as(admin, http::verb::get, "/metrics").body;
  const std::size_t at = metrics.find("\nhallq_http_audit_failures_total ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GE(std::stoul(metrics.substr(at + 33)), 20u);
}

TEST_F(AbuseTest, LogoutClosesTheSessionsWebSockets) {
  const Login viewer = login("li", "viewer-pass-1");
  boost::asio::io_context io;
  websocket::stream<tcp::socket> ws(io);
  connect_bounded(ws.next_layer(), http_, 10);  // a read that hangs fails the test instead
  ws.set_option(websocket::stream_base::decorator(
      [&](websocket::request_type& req) { req.set(http::field::cookie, viewer.cookie); }));
  ws.handshake(http_, "/ws?hall=town");
  beast::flat_buffer b;
  ws.read(b);
  ASSERT_EQ(as(viewer, http::verb::post, "/api/logout").status, 200);
  beast::error_code ec;
  while (!ec) {
    b.clear();
    ws.read(b, ec);
  }
  EXPECT_EQ(ec, websocket::error::closed) << ec.message();
  EXPECT_EQ(ws.reason().reason, "session ended");
}

}  // namespace
}  // namespace hallq::testing
