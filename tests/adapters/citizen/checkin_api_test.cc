// Check-in by the hall's QR code (签到, issue 20) through the gateway's routes
// over a local hall (conf/town.toml at 10:00 local on 2025-11-24): the check-in page opens
// only with the hall's current or previous ten-minute token, POST
// /api/checkin puts a remote ticket in its line, and every refusal (stale,
// forged or malformed check-in token, a wrong ticket token, a walk-in
// ticket, one already checked in or cancelled, another site, a bad body,
// an address over its budget) is a 4xx in Chinese with nothing sent to the
// engine and the hall unchanged. The tokens the test sends are computed by
// keys::checkin_token (checked against an independent HMAC in
// tests/keys/checkin_token_test.cc).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "adapters/citizen/citizen_api.h"
#include "engine/keys/checkin_token.h"
#include "engine/keys/ticket_token.h"
#include "tests/adapters/citizen/local_halls.h"

namespace hallq::testing {
namespace {

constexpr int kChina = 8 * 60;
const std::string kExpired = "签到二维码已过期，请扫描大厅屏幕上的最新二维码";

class CheckInApiTest : public ::testing::Test {
 protected:
  static citizen::CitizenConfig make_config(double burst = 100) {
    citizen::CitizenConfig c;
    c.halls = {"town"};
    c.public_url = "https://q.example.gov.cn";
    c.limits.remote_burst = 100;
    c.limits.remote_per_hour = 1;
    c.limits.checkin_burst = burst;
    c.limits.checkin_per_hour = 1;
    return c;
  }

  // A remote ticket of 不动产登记 (B001...): its number.
  std::string take_remote(std::uint32_t nonce) {
    const core::Status st =
        halls_.apply(core::IssueRemote{"estate", std::string(64, static_cast<char>('a' + nonce)), "", nonce});
    if (!st.ok()) throw std::runtime_error("remote ticket refused: " + st.message());
    return halls_.town().number_of(halls_.town().tickets().back());
  }
  std::string ticket_token(const std::string& number) const {
    return keys::ticket_token(secret_, "town", halls_.today(), number);
  }
  std::string checkin_token(core::TimeUs at) const {
    return keys::checkin_token_at(secret_, "town", at, kChina);
  }
  nlohmann::json body(const std::string& number, const std::string& c) const {
    return {{"hall", "town"},
            {"date", halls_.today()},
            {"number", number},
            {"k", ticket_token(number)},
            {"c", c}};
  }
  static server::HttpRequest post(const std::string& text, const std::string& peer = "1.1.1.1") {
    server::HttpRequest r;
    r.method = "POST";
    r.target = "/api/checkin";
    r.peer = peer;
    r.host = "q.example.gov.cn";
    r.origin = "https://q.example.gov.cn";
    r.content_type = "application/json";
    r.body = text;
    return r;
  }
  static server::HttpRequest get(const std::string& target, const std::string& peer = "1.1.1.1") {
    server::HttpRequest r;
    r.method = "GET";
    r.target = target;
    r.peer = peer;
    return r;
  }
  citizen::CitizenAnswer send(const server::HttpRequest& r) { return api_.handle(r, 0); }
  static nlohmann::json json_of(const citizen::CitizenAnswer& a) {
    return nlohmann::json::parse(a.response.body, nullptr, false);
  }
  const core::Ticket& ticket(const std::string& number) { return *halls_.town().find_number(number); }

  const std::string secret_ = std::string(32, 's');
  const citizen::CitizenConfig config_ = make_config();
  LocalHalls halls_;
  citizen::CitizenApi api_{config_, secret_, halls_};
};

TEST_F(CheckInApiTest, ThePageOpensWithTheCurrentTokenOnly) {
  const std::string now = checkin_token(halls_.now());
  const citizen::CitizenAnswer page = send(get("/c/town?k=" + now));
  ASSERT_EQ(page.response.status, 200) << page.response.body;
  EXPECT_NE(page.response.body.find("data-hall=\"town\" data-date=\"2025-11-24\" data-token=\"" + now + "\""),
            std::string::npos)
      << page.response.body;
  EXPECT_NE(page.response.body.find("<title>签到 · "), std::string::npos);
  EXPECT_EQ(send(get("/static/checkin.js")).response.status, 200);
  EXPECT_EQ(send(get("/static/remember.js")).response.status, 200);

  halls_.advance(20 * core::kUsPerMinute);  // two slots on: stale
  const citizen::CitizenAnswer stale = send(get("/c/town?k=" + now, "2.2.2.2"));
  EXPECT_EQ(stale.response.status, 403);
  EXPECT_NE(stale.response.body.find(kExpired), std::string::npos) << stale.response.body;
  EXPECT_EQ(send(get("/c/town?k=AAAAAAAAAAAAAAAAAAAAAA", "2.2.2.2")).response.status, 403);
  EXPECT_EQ(send(get("/c/town", "2.2.2.2")).response.status, 403);
  EXPECT_EQ(send(get("/c/nowhere?k=" + now, "2.2.2.2")).response.status, 404);
}

TEST_F(CheckInApiTest, ARemoteTicketJoinsItsLine) {
  const std::string b1 = take_remote(1);
  ASSERT_EQ(ticket(b1).state, core::TicketState::kNotArrived);
  const citizen::CitizenAnswer a = send(post(body(b1, checkin_token(halls_.now())).dump()));
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(json_of(a)["number"], b1);
  EXPECT_EQ(json_of(a)["state"], "waiting");
  EXPECT_EQ(ticket(b1).state, core::TicketState::kWaiting);
  EXPECT_EQ(halls_.check_ins_sent, 1);

  // The previous slot's code still works (taken 10 minutes ago, scanned now).
  const std::string b2 = take_remote(2);
  const std::string earlier = checkin_token(halls_.now());
  halls_.advance(10 * core::kUsPerMinute);
  const citizen::CitizenAnswer late = send(post(body(b2, earlier).dump()));
  ASSERT_EQ(late.response.status, 200) << late.response.body;
  EXPECT_EQ(ticket(b2).state, core::TicketState::kWaiting);
}

TEST_F(CheckInApiTest, RefusalsAreChineseAndChangeNothing) {
  const std::string b1 = take_remote(1);
  const std::string b2 = take_remote(2);
  ASSERT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());  // A001, a walk-in
  ASSERT_TRUE(halls_.apply(core::Cancel{b2}).ok());             // B002 given up
  const std::string stale = checkin_token(halls_.now());
  halls_.advance(20 * core::kUsPerMinute);
  const std::string good = checkin_token(halls_.now());
  const core::Seq before = halls_.town().seq();
  nlohmann::json other_key = body(b1, good);
  other_key["admin"] = "1";
  nlohmann::json bad_ticket_token = body(b1, good);
  bad_ticket_token["k"] = ticket_token("B009");
  struct Case {
    std::string body;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {body(b1, stale).dump(), 403, kExpired},
      {body(b1, "AAAAAAAAAAAAAAAAAAAAAA").dump(), 403, kExpired},
      {body(b1, ticket_token(b1)).dump(), 403, kExpired},  // the ticket's token is not a check-in token
      {body(b1, "short").dump(), 403, kExpired},
      {body(b1, "").dump(), 403, kExpired},
      {bad_ticket_token.dump(), 404, "找不到这张号票"},
      {body("A001", good).dump(), 409, "A001 不是网上取号的号票，无需签到"},
      {body(b2, good).dump(), 409, "B002 已取消，不能签到"},
      {"not json", 400, "请求格式不正确"},
      {other_key.dump(), 400, "请求格式不正确"},
      {R"({"hall":"town","date":"2026-11-24","number":"B001","k":1,"c":"x"})", 400, "请求格式不正确"},
  };
  for (const Case& c : cases) {
    const citizen::CitizenAnswer a = send(post(c.body));
    EXPECT_EQ(a.response.status, c.status) << c.body << " -> " << a.response.body;
    const nlohmann::json j = json_of(a);
    ASSERT_TRUE(j.is_object() && j.contains("message")) << a.response.body;
    const std::string message = j["message"];
    EXPECT_NE(message.find(c.message), std::string::npos) << c.body << " -> " << message;
  }
  server::HttpRequest cross = post(body(b1, good).dump());
  cross.origin = "https://evil.example";
  EXPECT_EQ(send(cross).response.status, 403);
  server::HttpRequest form_post = post(body(b1, good).dump());
  form_post.content_type = "application/x-www-form-urlencoded";
  EXPECT_EQ(send(form_post).response.status, 415);
  EXPECT_EQ(send(get("/api/checkin")).response.status, 405);
  EXPECT_EQ(halls_.check_ins_sent, 0) << "none of them reached the engine";
  EXPECT_EQ(halls_.town().seq(), before);
  EXPECT_EQ(ticket(b1).state, core::TicketState::kNotArrived);

  // Checked in once; the second time is refused in words.
  ASSERT_EQ(send(post(body(b1, good).dump(), "3.3.3.3")).response.status, 200);
  const citizen::CitizenAnswer again = send(post(body(b1, good).dump(), "3.3.3.3"));
  EXPECT_EQ(again.response.status, 409);
  EXPECT_EQ(json_of(again)["message"], b1 + " 已签到，请留意叫号");
  EXPECT_EQ(halls_.check_ins_sent, 1);
}

TEST_F(CheckInApiTest, AnAddressOverItsBudgetIsStopped) {
  const citizen::CitizenConfig tight = make_config(2);
  citizen::CitizenApi api(tight, secret_, halls_);
  const std::string b1 = take_remote(1);
  const std::string forged = body(b1, "AAAAAAAAAAAAAAAAAAAAAA").dump();
  EXPECT_EQ(api.handle(post(forged), 0).response.status, 403);
  EXPECT_EQ(api.handle(post(forged), 0).response.status, 403);
  const citizen::CitizenAnswer third = api.handle(post(body(b1, checkin_token(halls_.now())).dump()), 0);
  EXPECT_EQ(third.response.status, 429);
  EXPECT_EQ(json_of(third)["message"], "签到请求过于频繁，请稍后再试");
  EXPECT_EQ(ticket(b1).state, core::TicketState::kNotArrived);
  EXPECT_EQ(api.handle(post(body(b1, checkin_token(halls_.now())).dump(), "4.4.4.4"), 0).response.status, 200)
      << "another address is served";
}

}  // namespace
}  // namespace hallq::testing
