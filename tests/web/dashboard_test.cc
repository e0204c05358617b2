// The managers' dashboard in a real browser: Debian's Chromium driven by
// Playwright (dashboard_check.js) against the real hallqd, acting with the
// real hallq CLI. The script's lines are checked here.
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "engine/server/accounts.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

const std::string kSource = HALLQ_SOURCE_DIR;

TEST(DashboardTest, LiveCallsAdvisoriesAndNoticesInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  TempDir dir;
  // Open all day, so the tidal advisor works whatever the time of the run.
  std::ifstream in(kSource + "/conf/town.toml");
  std::string conf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string hours = "hours = [\"08:30-17:30\"]";
  ASSERT_NE(conf.find(hours), std::string::npos);
  conf.replace(conf.find(hours), hours.size(), "hours = [\"00:00-24:00\"]");
  // social takes bookings all day (2 places a half-hour slot).
  const std::string social = "expected_handle_min = 6\n";
  ASSERT_NE(conf.find(social), std::string::npos);
  conf.insert(conf.find(social) + social.size(),
              "\n[service.appointments]\ncapacity = 2\nslot_min = 30\nhours = [\"00:00-24:00\"]\n"
              "check_in_before_min = 60\ncheck_in_after_min = 29\nbook_ahead_days = 7\n");
  std::ofstream(dir.path() + "/town.toml") << conf;
  const std::string salt = dir.path() + "/person.salt";
  const RunResult made = run_program(HALLQ_PATH, {"keys", "salt", salt});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EngineProcess engine({dir.path() + "/town.toml"}, dir.path() + "/data", {"--advise-every", "0.2"});

  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const std::string out_dir =
      std::getenv("HALLQ_SCREENSHOTS") ? std::getenv("HALLQ_SCREENSHOTS") : dir.path();
  const RunResult r =
      run_program(HALLQ_NODE, {kSource + "/tests/web/dashboard_check.js", "http://" + engine.http(),
                               engine.cmd(), HALLQ_PATH, out_dir, salt});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("call_visible_ms "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("advisory_accepted "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("device_warning "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("appointment_shown "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nok\n"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(out_dir + "/dashboard.png"));
  std::cout << r.out;
}

TEST(DashboardTest, LoginFormRolesAndLogoutInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  TempDir dir;
  const std::string accounts = dir.path() + "/managers.toml";
  std::ofstream(accounts) << "[[manager]]\nname = \"zhang\"\nrole = \"admin\"\npassword_hash = \""
                          << server::hash_password("admin-pass-1") << "\"\n\n[[manager]]\nname = \"li\"\n"
                          << "role = \"viewer\"\nhalls = [\"town\"]\npassword_hash = \""
                          << server::hash_password("viewer-pass-1") << "\"\n";
  EngineProcess engine({kSource + "/conf/town.toml"}, dir.path() + "/data", {"--accounts", accounts});
  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const RunResult r =
      run_program(HALLQ_NODE, {kSource + "/tests/web/login_check.js", "http://" + engine.http()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ok\n"), std::string::npos) << r.out;
}

// 上报被拒记录: two rejections recorded through the API as hallq-upload
// reports them (the open API: the loopback caller may), one with a reason
// that is markup; the dashboard shows both, the markup as text.
// Then the 重新上报 button (rejections_check.js): pressed on town-E-1 and
// confirmed, hallqd holds the request (the list says so; asking again is 409).
TEST(DashboardTest, UploadRejectionsShownWithAHostileReasonAsTextAndReSentInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  TempDir dir;
  EngineProcess engine({kSource + "/conf/town.toml"}, dir.path() + "/data", {"--advise-every", "0"});
  const std::string hostile = "<img src=x onerror=\"window.__xss=1\"> 事项编码不存在 & \"引号\"";
  const nlohmann::json first = {{"record_id", "town-E-1"}, {"status", 422}, {"reason", hostile}};
  const nlohmann::json second = {{"record_id", "town-E-2"}, {"status", 409}, {"reason", "办件编号缺失"}};
  for (const nlohmann::json& body : {first, second}) {
    const HttpAnswer a =
        http_request(engine.http(), boost::beast::http::verb::post, "/api/halls/town/upload-rejections",
                     body.dump(), HttpRequestOptions{.idempotency_key = body["record_id"]});
    ASSERT_EQ(a.status, 200) << a.body;
  }
  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const RunResult r = run_program(
      HALLQ_NODE, {kSource + "/tests/web/rejections_check.js", "http://" + engine.http(), hostile});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("rejections_shown 2\nresend_requested town-E-1\nok\n"), std::string::npos) << r.out;
  const HttpAnswer list =
      http_request(engine.http(), boost::beast::http::verb::get, "/api/halls/town/upload-rejections");
  ASSERT_EQ(list.status, 200) << list.body;
  const nlohmann::json rows = nlohmann::json::parse(list.body)["rejections"];
  ASSERT_EQ(rows.size(), 2u) << list.body;
  EXPECT_EQ(rows[1]["record_id"], "town-E-1");
  EXPECT_TRUE(rows[1]["resend"].is_object()) << list.body;
  EXPECT_TRUE(rows[0]["resend"].is_null()) << list.body;  // the dismissed confirm sent nothing
  const HttpAnswer again = http_request(engine.http(), boost::beast::http::verb::post,
                                        "/api/halls/town/upload-rejections/town-E-1/resend", "{}",
                                        HttpRequestOptions{.idempotency_key = "again"});
  EXPECT_EQ(again.status, 409) << again.body;
  // hallq-upload reports that the platform accepted that re-send: the row says so.
  const HttpAnswer accepted = http_request(
      engine.http(), boost::beast::http::verb::post, "/api/halls/town/upload-rejections/town-E-1/accepted",
      R"({"resend":1})", HttpRequestOptions{.idempotency_key = "town-E-1~r1"});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  const RunResult shown = run_program(HALLQ_NODE, {kSource + "/tests/web/rejections_check.js",
                                                   "http://" + engine.http(), hostile, "accepted"});
  ASSERT_EQ(shown.exit_code, 0) << shown.out << shown.err;
  EXPECT_NE(shown.out.find("accepted_shown town-E-1\nok\n"), std::string::npos) << shown.out;
}

}  // namespace
}  // namespace hallq::testing
