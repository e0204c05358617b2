// 差评工单 through the real hallqd's HTTP API (hallqd --accounts): a rating of
// 2 opens an order due five working days later, a 5 opens none; an admin
// records callbacks and the rectification as himself, each an event and an
// audit record; steps out of order, a closed order, an unknown one, bad
// bodies and a viewer's POST are refused and change nothing; the order
// survives a restart of the engine (its events are in the store).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/server/accounts.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

namespace http = boost::beast::http;
using json = nlohmann::json;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

class WorkOrderHttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    admin_hash_ = new std::string(server::hash_password("admin-pass-1"));
    viewer_hash_ = new std::string(server::hash_password("viewer-pass-1"));
  }
  void SetUp() override {
    const std::string accounts = dir_.path() + "/managers.toml";
    std::ofstream(accounts) << "[[manager]]\nname = \"zhang\"\nrole = \"admin\"\npassword_hash = \""
                            << *admin_hash_ << "\"\n\n[[manager]]\nname = \"li\"\nrole = \"viewer\"\n"
                            << "password_hash = \"" << *viewer_hash_ << "\"\n";
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{kTown}, dir_.path() + "/data",
                                              std::vector<std::string>{"--accounts", accounts});
    http_ = engine_->http();
  }
  struct Login {
    std::string cookie, csrf;
  };
  Login login(const std::string& user, const std::string& password) {
    const HttpAnswer a = http_request(http_, http::verb::post, "/api/login",
                                      json{{"user", user}, {"password", password}}.dump());
    EXPECT_EQ(a.status, 200) << a.body;
    return {a.set_cookie.substr(0, a.set_cookie.find(';')), a.j()["csrf"]};
  }
  HttpAnswer as(const Login& l, http::verb method, const std::string& target, const std::string& body = "") {
    return http_request(http_, method, target, body,
                        {"", {{"Cookie", l.cookie}, {"X-CSRF-Token", l.csrf}}, ""});
  }
  RunResult hallq(std::vector<std::string> args) {
    args.insert(args.begin(), {"--engine", engine_->cmd()});
    return run_program(HALLQ_PATH, args);
  }
  // Serves the next social ticket at w1 and rates it `level`.
  void serve_and_rate(const std::string& number, int level) {
    ASSERT_EQ(hallq({"issue", "town", "social"}).exit_code, 0);
    ASSERT_EQ(hallq({"call", "town", "w1"}).exit_code, 0);
    ASSERT_EQ(hallq({"start", "town", "w1"}).exit_code, 0);
    ASSERT_EQ(hallq({"finish", "town", "w1"}).exit_code, 0);
    ASSERT_EQ(hallq({"evaluate", "town", number, std::to_string(level)}).exit_code, 0);
  }
  std::uint64_t seq(const Login& l) { return as(l, http::verb::get, "/api/halls/town").j()["seq"]; }

  static inline std::string* admin_hash_ = nullptr;
  static inline std::string* viewer_hash_ = nullptr;
  TempDir dir_{"hallq-work-orders"};
  std::unique_ptr<EngineProcess> engine_;
  std::string http_;
};

TEST_F(WorkOrderHttpTest, ABadRatingIsFollowedUpByCallbackAndRectification) {
  ASSERT_EQ(hallq({"open", "town", "w1", "--staff", "s01"}).exit_code, 0);
  serve_and_rate("A001", 2);
  serve_and_rate("A002", 5);
  const Login admin = login("zhang", "admin-pass-1");
  const Login viewer = login("li", "viewer-pass-1");
  const std::string base = "/api/halls/town/work-orders";

  HttpAnswer r = as(viewer, http::verb::get, base);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.j()["orders"].size(), 1u) << r.body;  // the 5 opened none
  json o = r.j()["orders"][0];
  const std::uint64_t ticket = o["ticket"];
  EXPECT_EQ(o["number"], "A001");
  EXPECT_EQ(o["service"], "social");
  EXPECT_EQ(o["window"], "w1");
  EXPECT_EQ(o["staff"], "s01");
  EXPECT_EQ(o["level"], 2);
  EXPECT_EQ(o["level_name"], "不满意");
  EXPECT_EQ(o["rated_on"], r.j()["today"]);
  EXPECT_EQ(o["working_days_left"], 5);
  EXPECT_GT(o["due"].get<std::string>(), r.j()["today"].get<std::string>());
  EXPECT_EQ(o["status"], "open");
  EXPECT_EQ(o["callbacks"].size(), 0u);
  EXPECT_EQ(r.j()["counts"]["open"], 1);

  const std::string step = fmt::format("{}/{}/", base, ticket);
  const std::uint64_t before = seq(admin);
  // A viewer reads but does not act; refusals change nothing.
  EXPECT_EQ(as(viewer, http::verb::post, step + "callback", R"({"reached": true, "note": "x"})").status, 403);
  r = as(admin, http::verb::post, step + "rectification", R"({"note": "先整改"})");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.j()["error"], "wrong_ticket_state");
  EXPECT_NE(r.j()["message"].get<std::string>().find("尚未回访"), std::string::npos) << r.body;
  EXPECT_EQ(as(admin, http::verb::post, step + "callback", R"({"note": "无 reached"})").status, 400);
  EXPECT_EQ(as(admin, http::verb::post, step + "callback", R"({"reached": true, "note": ""})").status, 400);
  EXPECT_EQ(as(admin, http::verb::post, step + "callback", "{note").status, 400);
  std::string long_note;
  for (int i = 0; i < 501; ++i) long_note += "字";
  r = as(admin, http::verb::post, step + "callback", json{{"reached", true}, {"note", long_note}}.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.j()["message"].get<std::string>().find("501"), std::string::npos) << r.body;
  EXPECT_EQ(as(admin, http::verb::post, base + "/999/callback", R"({"reached": true, "note": "x"})").status,
            404);
  EXPECT_EQ(as(admin, http::verb::post, base + "/abc/callback", R"({"reached": true, "note": "x"})").status,
            400);
  EXPECT_EQ(seq(admin), before);

  r = as(admin, http::verb::post, step + "callback", R"({"reached": false, "note": "电话无人接听"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["events"][0]["kind"], "work_order_called_back");
  EXPECT_EQ(r.j()["events"][0]["by"], "zhang");
  EXPECT_EQ(r.j()["events"][0]["reached"], false);
  ASSERT_EQ(as(admin, http::verb::post, step + "callback", R"({"reached": true, "note": "已致歉"})").status,
            200);
  r = as(admin, http::verb::post, step + "rectification", R"({"note": "窗口一次性告知材料清单"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["events"][0]["kind"], "work_order_rectified");
  EXPECT_EQ(as(admin, http::verb::post, step + "callback", R"({"reached": true, "note": "x"})").status, 409);
  EXPECT_EQ(seq(admin), before + 3);

  // Kept across a restart (from the store), closed, with its steps and who did them.
  engine_->kill9();
  engine_->restart();
  const Login again = login("zhang", "admin-pass-1");
  r = as(again, http::verb::get, base);
  ASSERT_EQ(r.j()["orders"].size(), 1u) << r.body;
  o = r.j()["orders"][0];
  EXPECT_EQ(o["status"], "closed");
  EXPECT_EQ(r.j()["counts"]["closed"], 1);
  ASSERT_EQ(o["callbacks"].size(), 2u);
  EXPECT_EQ(o["callbacks"][0]["note"], "电话无人接听");
  EXPECT_EQ(o["callbacks"][0]["reached"], false);
  EXPECT_EQ(o["callbacks"][1]["by"], "zhang");
  EXPECT_EQ(o["rectification"], "窗口一次性告知材料清单");
  EXPECT_EQ(o["rectified_by"], "zhang");

  // Each step, and each refusal of an admin's, is in the audit log as his.
  std::vector<std::string> steps;
  for (const json& rec : as(again, http::verb::get, "/api/audit").j())
    if (rec.value("path", "").find("/work-orders/") != std::string::npos)
      steps.push_back(rec["user"].get<std::string>() + " " + rec["result"].get<std::string>());
  const std::vector<std::string> expected = {"li forbidden",
                                             "zhang wrong_ticket_state",
                                             "zhang bad_argument",
                                             "zhang bad_argument",
                                             "zhang malformed",
                                             "zhang bad_argument",
                                             "zhang unknown_ticket",
                                             "zhang bad_argument",
                                             "zhang ok",
                                             "zhang ok",
                                             "zhang ok",
                                             "zhang wrong_ticket_state"};
  EXPECT_EQ(steps, expected);
}

}  // namespace
}  // namespace hallq::testing
