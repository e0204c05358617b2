// 好差评 from the ticket's phone page (issue 21) through the gateway's routes
// over a local hall (conf/town.toml from 10:00 local on 2025-11-24): a
// finished ticket's JSON offers the five levels and the hall's 差评 reasons;
// POST /api/evaluate sends Evaluate with channel phone and the page then
// shows the rating and offers nothing; a second rating is refused with the
// engine's words; an earlier day's ticket is rated within supplement_days
// (补充评价) and refused by the engine after it; every hostile request (wrong
// token, another site, unknown reason code, level 7, reasons on a good
// level, an over-long comment, unknown keys) is a 4xx with nothing sent to
// the engine and the hall unchanged. Expected texts are the ones rating.h
// and the hall file give, written out here.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "adapters/citizen/citizen_api.h"
#include "engine/core/rating.h"
#include "engine/keys/ticket_token.h"
#include "tests/adapters/citizen/local_halls.h"

namespace hallq::testing {
namespace {

constexpr core::TimeUs kDay = 86'400LL * core::kUsPerSecond;

class EvaluateApiTest : public ::testing::Test {
 protected:
  static citizen::CitizenConfig make_config() {
    citizen::CitizenConfig c;
    c.halls = {"town"};
    c.public_url = "https://q.example.gov.cn";
    c.limits.token_failures_burst = 100;
    return c;
  }

  // A 社保医保 ticket served and finished at w1: its number.
  std::string finished_ticket() {
    EXPECT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());
    const std::string number = halls_.town().number_of(halls_.town().tickets().back());
    EXPECT_TRUE(halls_.apply(core::CallNext{"w1"}).ok());
    EXPECT_TRUE(halls_.apply(core::StartService{"w1"}).ok());
    EXPECT_TRUE(halls_.apply(core::Finish{"w1"}).ok());
    return number;
  }
  std::string query(const std::string& date, const std::string& number, std::string token = "") const {
    if (token.empty()) token = keys::ticket_token(secret_, "town", date, number);
    return "hall=town&date=" + date + "&number=" + number + "&k=" + token;
  }
  static server::HttpRequest post(const std::string& q, const std::string& body) {
    server::HttpRequest r;
    r.method = "POST";
    r.target = "/api/evaluate?" + q;
    r.peer = "1.1.1.1";
    r.host = "q.example.gov.cn";
    r.origin = "https://q.example.gov.cn";
    r.content_type = "application/json";
    r.body = body;
    return r;
  }
  static server::HttpRequest get(const std::string& target) {
    server::HttpRequest r;
    r.method = "GET";
    r.target = target;
    r.peer = "1.1.1.1";
    return r;
  }
  citizen::CitizenAnswer send(const server::HttpRequest& r) { return api_.handle(r, 0); }
  static nlohmann::json json_of(const citizen::CitizenAnswer& a) {
    return nlohmann::json::parse(a.response.body, nullptr, false);
  }

  const std::string secret_ = std::string(32, 's');
  LocalHalls halls_;
  citizen::CitizenConfig config_ = make_config();
  citizen::CitizenApi api_{config_, secret_, halls_};
};

TEST_F(EvaluateApiTest, AFinishedTicketOffersTheLevelsAndReasonsAndIsRatedOnceFromThePhone) {
  ASSERT_TRUE(halls_.apply(core::OpenWindow{"w1", "s01"}).ok());
  const std::string number = finished_ticket();
  const std::string q = query(halls_.today(), number);
  nlohmann::json t = json_of(send(get("/api/ticket?" + q)));
  ASSERT_TRUE(t["can_rate"].get<bool>()) << t.dump();
  ASSERT_EQ(t["rate"]["levels"].size(), 5u);
  EXPECT_EQ(t["rate"]["levels"][0], (nlohmann::json{{"level", 5}, {"name", "非常满意"}}));
  EXPECT_EQ(t["rate"]["levels"][4], (nlohmann::json{{"level", 1}, {"name", "非常不满意"}}));
  const auto& reasons = halls_.town().config().evaluation.reasons;
  ASSERT_EQ(t["rate"]["reasons"].size(), reasons.size());
  EXPECT_EQ(t["rate"]["reasons"][0]["code"], reasons[0].code);
  EXPECT_EQ(t["rate"]["comment_max"], 200);

  const std::string body = nlohmann::json{{"level", 2},
                                          {"reasons", {reasons[1].code, reasons[0].code}},
                                          {"comment", "材料清单没有写清楚，跑了两趟"}}
                               .dump();
  citizen::CitizenAnswer a = send(post(q, body));
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(halls_.evaluations_sent, 1);
  EXPECT_EQ(halls_.last_evaluation_channel, core::EvaluationChannel::kPhone);
  t = json_of(a);
  EXPECT_FALSE(t["can_rate"].get<bool>());
  EXPECT_EQ(t["rating"], 2);
  EXPECT_EQ(t["rating_name"], "不满意");
  EXPECT_FALSE(t.contains("rate"));
  const core::Ticket* ticket = halls_.town().find_number(number);
  EXPECT_EQ(ticket->state, core::TicketState::kRated);
  EXPECT_EQ(ticket->rating, 2);
  // The page itself says so and offers nothing.
  const citizen::CitizenAnswer page = send(get("/t/town/" + halls_.today() + "/" + number + "?k=" +
                                               keys::ticket_token(secret_, "town", halls_.today(), number)));
  ASSERT_EQ(page.response.status, 200);
  EXPECT_NE(page.response.body.find("感谢您的评价"), std::string::npos);

  // A second rating: the engine's refusal, nothing changed.
  const core::Seq seq = halls_.town().seq();
  a = send(post(q, R"({"level": 5})"));
  EXPECT_EQ(a.response.status, 409);
  EXPECT_EQ(json_of(a)["error"], "already_rated");
  EXPECT_EQ(json_of(a)["message"], number + " 已评价过");
  EXPECT_EQ(halls_.town().seq(), seq);
  EXPECT_EQ(halls_.town().find_number(number)->rating, 2);
}

TEST_F(EvaluateApiTest, HostileRequestsAreRefusedWithNothingSent) {
  ASSERT_TRUE(halls_.apply(core::OpenWindow{"w1", "s01"}).ok());
  const std::string number = finished_ticket();
  const std::string q = query(halls_.today(), number);
  const core::Seq seq = halls_.town().seq();
  struct Case {
    server::HttpRequest request;
    int status;
    std::string error, message;
  };
  std::vector<Case> cases;
  cases.push_back({post(query(halls_.today(), number, std::string(22, 'A')), R"({"level": 5})"), 404,
                   "not_found", "找不到这张号票：链接无效，请重新扫描号票上的二维码"});
  cases.push_back(
      {post(q, R"({"level": 7})"), 400, "bad_level", "评价等级须为 1 至 5（5 非常满意 … 1 非常不满意）"});
  cases.push_back(
      {post(q, R"({"level": 0})"), 400, "bad_level", "评价等级须为 1 至 5（5 非常满意 … 1 非常不满意）"});
  cases.push_back(
      {post(q, R"({"level": "5"})"), 400, "bad_level", "评价等级须为 1 至 5（5 非常满意 … 1 非常不满意）"});
  cases.push_back({post(q, R"({"level": 1, "reasons": ["zz"]})"), 400, "bad_reason",
                   "差评原因不在本大厅的原因列表中，请刷新页面后重新选择"});
  cases.push_back({post(q, R"({"level": 4, "reasons": ["01"]})"), 400, "bad_request",
                   "只有“不满意”和“非常不满意”可选差评原因或填写意见"});
  std::string long_comment;
  for (int i = 0; i < 201; ++i) long_comment += "慢";
  cases.push_back({post(q, nlohmann::json{{"level", 1}, {"comment", long_comment}}.dump()), 400,
                   "bad_comment", "意见最多 200 字，请删减后再提交"});
  cases.push_back(
      {post(q, R"({"level": 1, "comment": "a\nb"})"), 400, "bad_comment", "意见不能含换行等控制字符"});
  cases.push_back({post(q, R"({"level": 1, "staff": "s01"})"), 400, "bad_request", "请求格式不正确"});
  cases.push_back({post(q, "level=1"), 400, "bad_request", "请求格式不正确"});
  server::HttpRequest foreign = post(q, R"({"level": 5})");
  foreign.origin = "https://evil.example.com";
  cases.push_back({foreign, 403, "csrf", "请在号票页面上操作"});
  server::HttpRequest form = post(q, R"({"level": 5})");
  form.content_type = "application/x-www-form-urlencoded";
  cases.push_back({form, 415, "unsupported_media_type", "请求格式不正确"});
  server::HttpRequest get_it = post(q, "");
  get_it.method = "GET";
  cases.push_back({get_it, 405, "method_not_allowed", "不支持的请求方式"});
  for (const Case& c : cases) {
    const citizen::CitizenAnswer a = send(c.request);
    EXPECT_EQ(a.response.status, c.status) << c.request.body << " " << a.response.body;
    EXPECT_EQ(json_of(a)["error"], c.error) << c.request.body;
    EXPECT_EQ(json_of(a)["message"], c.message) << c.request.body;
  }
  EXPECT_EQ(halls_.evaluations_sent, 0);
  EXPECT_EQ(halls_.town().seq(), seq);
  EXPECT_EQ(halls_.town().find_number(number)->state, core::TicketState::kDone);
  // 200 characters exactly is accepted.
  long_comment.resize(long_comment.size() - 3);
  EXPECT_EQ(send(post(q, nlohmann::json{{"level", 1}, {"comment", long_comment}}.dump())).response.status,
            200);
}

TEST_F(EvaluateApiTest, AnEarlierDaysTicketIsRatedWithinTheSupplementWindowAndRefusedAfterIt) {
  ASSERT_TRUE(halls_.apply(core::OpenWindow{"w1", "s01"}).ok());
  const std::string first = finished_ticket(), second = finished_ticket();
  const std::string day0 = halls_.today();
  EXPECT_EQ(halls_.town().config().evaluation.supplement_days, 7);
  // Two days later: the page of day 0 still opens, offers the rating, takes it.
  halls_.advance(2 * kDay);
  ASSERT_TRUE(halls_.apply(core::Tick{}).ok());
  ASSERT_NE(halls_.today(), day0);
  const std::string q = query(day0, first);
  EXPECT_EQ(send(get("/events?" + q)).response.status, 410) << "live updates are for today's tickets";
  nlohmann::json t = json_of(send(get("/api/ticket?" + q)));
  ASSERT_TRUE(t["can_rate"].get<bool>()) << t.dump();
  EXPECT_TRUE(t["past"].get<bool>());
  EXPECT_EQ(t["date"], day0);
  const citizen::CitizenAnswer page =
      send(get("/t/town/" + day0 + "/" + first + "?k=" + keys::ticket_token(secret_, "town", day0, first)));
  ASSERT_EQ(page.response.status, 200) << page.response.body;
  EXPECT_NE(page.response.body.find("data-past=\"1\""), std::string::npos);
  citizen::CitizenAnswer a = send(post(q, R"({"level": 4})"));
  ASSERT_EQ(a.response.status, 200) << a.response.body;
  EXPECT_EQ(json_of(a)["rating"], 4);
  t = json_of(send(get("/api/ticket?" + q)));
  EXPECT_FALSE(t["can_rate"].get<bool>()) << t.dump();
  EXPECT_EQ(t["rating_name"], "满意");
  a = send(post(q, R"({"level": 1})"));
  EXPECT_EQ(a.response.status, 409);
  EXPECT_EQ(json_of(a)["error"], "already_rated");

  // Eight days after day 0: past the window. The page is gone (410) and the
  // engine refuses the rating in its own words; nothing changes.
  halls_.advance(6 * kDay);
  ASSERT_TRUE(halls_.apply(core::Tick{}).ok());
  const std::string q2 = query(day0, second);
  EXPECT_EQ(send(get("/api/ticket?" + q2)).response.status, 410);
  const core::Seq seq = halls_.town().seq();
  const int sent = halls_.evaluations_sent;
  a = send(post(q2, R"({"level": 5})"));
  EXPECT_EQ(a.response.status, 409) << a.response.body;
  EXPECT_EQ(json_of(a)["error"], "refused");
  // The engine's words (the same command straight to the core).
  core::Evaluate direct{second, 5, ""};
  direct.channel = core::EvaluationChannel::kPhone;
  direct.day = *core::parse_day(day0);
  const core::Status st = halls_.apply(direct);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(json_of(a)["message"], st.message());
  EXPECT_NE(st.message().find("补充评价"), std::string::npos) << st.message();
  EXPECT_EQ(halls_.evaluations_sent, sent + 1);
  EXPECT_EQ(halls_.town().seq(), seq);
}

// A hall with no event yet today has no day in the replica (day 0): an
// earlier day's rating still goes to the engine, which decides (before, the
// gateway answered 410 itself). Its refusal comes back in its own words.
TEST_F(EvaluateApiTest, AHallWithNoEventYetStillAsksTheEngineForAnEarlierDay) {
  ASSERT_EQ(halls_.town().day(), 0) << "nothing has happened in the hall yet";
  const std::string yesterday = core::format_date(halls_.town().config().local_day(LocalHalls::kStart) - 1);
  const citizen::CitizenAnswer a = send(post(query(yesterday, "A001"), R"({"level": 5})"));
  EXPECT_EQ(halls_.evaluations_sent, 1) << a.response.body;
  EXPECT_EQ(a.response.status, 409) << a.response.body;
  core::Evaluate direct{"A001", 5, ""};
  direct.channel = core::EvaluationChannel::kPhone;
  direct.day = *core::parse_day(yesterday);
  const core::Status st = halls_.apply(direct);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(json_of(a)["message"], st.message());
  EXPECT_EQ(halls_.town().seq(), 0u) << "nothing changed";
}

TEST_F(EvaluateApiTest, AnEarlierDaysTransferredTicketNamesTheServiceItWasFinishedIn) {
  // A 社保医保 ticket sent on to 户籍证件 at w1 and finished at w3 (police = 2 there, conf/town.toml).
  ASSERT_TRUE(halls_.apply(core::OpenWindow{"w1", "s01"}).ok());
  ASSERT_TRUE(halls_.apply(core::OpenWindow{"w3", "s03"}).ok());
  ASSERT_TRUE(halls_.apply(core::IssueTicket{"social"}).ok());
  const std::string number = halls_.town().number_of(halls_.town().tickets().back());
  ASSERT_TRUE(halls_.apply(core::CallNext{"w1"}).ok());
  ASSERT_TRUE(halls_.apply(core::StartService{"w1"}).ok());
  ASSERT_TRUE(halls_.apply(core::Transfer{"w1", "police"}).ok());
  ASSERT_TRUE(halls_.apply(core::CallNext{"w3"}).ok());
  ASSERT_TRUE(halls_.apply(core::StartService{"w3"}).ok());
  ASSERT_TRUE(halls_.apply(core::Finish{"w3"}).ok());
  const std::string day0 = halls_.today();
  nlohmann::json t = json_of(send(get("/api/ticket?" + query(day0, number))));
  ASSERT_EQ(t["service"], "户籍证件") << t.dump();

  halls_.advance(kDay);
  ASSERT_TRUE(halls_.apply(core::Tick{}).ok());
  t = json_of(send(get("/api/ticket?" + query(day0, number))));
  ASSERT_TRUE(t["past"].get<bool>()) << t.dump();
  EXPECT_EQ(t["number"], number) << "the printed number";
  EXPECT_EQ(t["service"], "户籍证件") << "the service it was finished in, as on the day";
}

}  // namespace
}  // namespace hallq::testing
