// The fixture of hallq-upload's process tests (tests/adapters/upload): the
// real hallqd on conf/town.toml with two named staff members (one name with
// a comma and quotes) and a province's 差评 reasons, managers' accounts
// (a viewer "upl", an uploader "upr", an admin "boss"; hallqd uses them in
// tests whose name holds "Login"), w1 and w4 open; a local HTTP receiver
// standing in for the 好差评 platform; the uploader's config and process,
// commands through the client library, and the ratings the test expects
// the platform to hold (built from the commands sent, not by the record
// builder).
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/server/accounts.h"
#include "tests/adapters/upload/accepted_events.h"
#include "tests/support/child_process.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/http_receiver.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {

namespace http = boost::beast::http;
using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
// The hall file's 差评 reasons (code, text) and version, written by the fixture.
const std::pair<std::string, std::string> kReasons[] = {
    {"TD01", "服务态度生硬"}, {"XL02", "等候时间过长"}, {"YC03", "多次跑动"}};
const std::string kReasonsVersion = "cq-test-2026.1";
// conf/town.toml's 区划编码 and social's 事项编码 and 实施部门编码 (checked to be there by the test).
const std::string kDivision = "500240000000", kSocialItem = "500240-SB-0001",
                  kSocialDepartment = "11500240MB1532113R";

// The date `n` working days after `date` ("YYYY-MM-DD", itself not counted),
// Monday to Friday: conf/town.toml lists no holidays or 调休 days. The
// test's own calendar arithmetic (std::chrono), not the engine's.
inline std::string working_days_after(const std::string& date, int n) {
  using namespace std::chrono;
  sys_days d = year_month_day{year{std::stoi(date.substr(0, 4))},
                              month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                              day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
  while (n > 0) {
    d += days{1};
    const weekday w{d};
    if (w != Saturday && w != Sunday) --n;
  }
  const year_month_day ymd{d};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}
inline constexpr int kFollowUpWorkingDays = 5;  // conf/town.toml's [evaluation] follow_up_working_days

// What the test expects the platform to hold for one rating.
struct Expected {
  std::string id, number, service, service_name, window, staff, staff_name;
  int level = 0, window_number = 0, project_type = 1;
};

class UploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // town.toml with two named staff members (one name with a comma and quotes: CSV quoting).
    std::ifstream in(kTown);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text +=
        "\n[[staff]]\nid = \"s01\"\nname = \"张三\"\n\n[[staff]]\nid = \"s02\"\nname = "
        "\"李四,\\\"四哥\\\"\"\n";
    // The province's 差评 reasons and their list's version (kReasons below), in place of the default list.
    const std::string evaluation = "[evaluation]\n";
    ASSERT_NE(text.find(evaluation), std::string::npos);
    text.insert(
        text.find(evaluation) + evaluation.size(),
        fmt::format("reasons_version = \"{}\"\nreasons = [", kReasonsVersion) +
            fmt::format("{{ code = \"{}\", text = \"{}\" }}, ", kReasons[0].first, kReasons[0].second) +
            fmt::format("{{ code = \"{}\", text = \"{}\" }}, ", kReasons[1].first, kReasons[1].second) +
            fmt::format("{{ code = \"{}\", text = \"{}\" }}]\n", kReasons[2].first, kReasons[2].second));
    hall_ = dir_.sub("town.toml");
    std::ofstream(hall_) << text;
    // Managers' logins: "upl", a viewer of town (an uploader's account before
    // the role uploader), "upr" with the role uploader, "boss" an admin.
    std::ofstream(dir_.sub("managers.toml"))
        << "[[manager]]\nname = \"upl\"\nrole = \"viewer\"\nhalls = [\"town\"]\npassword_hash = \""
        << server::hash_password("upload-pass-1") << "\"\n\n"
        << "[[manager]]\nname = \"upr\"\nrole = \"uploader\"\nhalls = [\"town\"]\npassword_hash = \""
        << server::hash_password("upload-pass-2") << "\"\n\n"
        << "[[manager]]\nname = \"boss\"\nrole = \"admin\"\npassword_hash = \""
        << server::hash_password("admin-pass-3") << "\"\n";
    std::vector<std::string> extra = {"--advise-every", "0"};
    extra.insert(extra.end(), engine_extra_.begin(), engine_extra_.end());
    if (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()).find("Login") !=
        std::string::npos)
      extra.insert(extra.end(), {"--accounts", dir_.sub("managers.toml")});
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{hall_}, dir_.sub("data"), extra);
    client::ClientOptions o;
    o.timeout = 3s;
    client_ = std::make_unique<client::Client>(ctx_, engine_->cmd(), o);
    command(core::OpenWindow{"w1", "s01"});
    command(core::OpenWindow{"w4", "s02"});
  }

  std::string write_config(const std::string& engine_login = "") {
    const std::string path = dir_.sub("upload.toml");
    std::ofstream(dir_.sub("platform.token")) << "t0ken\n";
    std::ofstream(path) << fmt::format(R"([engine]
url = "http://{}"
{}

[platform]
url = "{}"
token_file = "platform.token"
timeout_ms = 300

[upload]
halls = ["town"]
state_dir = "state"
page = 3
poll_ms = 20

[backoff]
initial_ms = 20
max_ms = 200
seed = 7
)",
                                       engine_->http(), engine_login, receiver_.url("/hcp/evaluations"));
    return path;
  }

  std::unique_ptr<ChildProcess> start_uploader() {
    auto p = std::make_unique<ChildProcess>(HALLQ_UPLOAD_PATH, std::vector<std::string>{"--config", config_},
                                            ChildProcess::Options{{}, dir_.sub("upload.stderr")});
    EXPECT_TRUE(p->wait_prefix("hallq-upload ready", 20s)) << p->output();
    return p;
  }

  // The events of a command the engine accepted.
  std::vector<protocol::EventSummary> command(const core::CommandBody& body) {
    return accepted_events(*client_, body);
  }

  // A citizen of `service` served at `window` (the only ticket there) and rating `level`.
  void serve_and_rate(const std::string& service, const std::string& window, int level) {
    const std::vector<protocol::EventSummary> issued = command(core::IssueTicket{service});
    ASSERT_FALSE(issued.empty());
    Expected e;
    e.number = issued.front().number;
    e.id = fmt::format("town-E-{}", issued.front().ticket);
    command(core::CallNext{window});
    command(core::StartService{window});
    command(core::Finish{window});
    command(core::Evaluate{e.number, level, window});
    e.level = level;
    e.service = service;
    // conf/town.toml: social 社保医保 (instant) at w1 (no. 1, s01 张三); estate 不动产登记 (promise) at w4
    // (s02 李四).
    const bool social = service == "social";
    e.service_name = social ? "社保医保" : "不动产登记";
    e.project_type = social ? 1 : 2;
    e.window = window;
    e.window_number = window == "w1" ? 1 : 4;
    e.staff = window == "w1" ? "s01" : "s02";
    e.staff_name = window == "w1" ? "张三" : "李四,\"四哥\"";
    expected_.push_back(e);
  }

  // The uploader logs in as "upr" (role uploader); a 2 of social at w1
  // (expected_[0]), which the platform will refuse 422 事项编码不存在, and a 5
  // of estate at w4 (expected_[1]).
  void refused_and_accepted_ratings() {
    std::ofstream(dir_.sub("upr.password")) << "upload-pass-2\n";
    config_ = write_config("user = \"upr\"\npassword_file = \"upr.password\"");
    serve_and_rate("social", "w1", 2);
    serve_and_rate("estate", "w4", 5);
    receiver_.refuse(expected_[0].id, 422, R"({"message":"事项编码不存在"})");
  }

  // A session's Cookie and X-CSRF-Token headers for `user`.
  std::map<std::string, std::string> login(const std::string& user, const std::string& password) {
    const HttpAnswer a = http_request(engine_->http(), http::verb::post, "/api/login",
                                      json{{"user", user}, {"password", password}}.dump());
    EXPECT_EQ(a.status, 200) << a.body;
    return {{"Cookie", a.set_cookie.substr(0, a.set_cookie.find(';'))},
            {"X-CSRF-Token", a.j().value("csrf", "")}};
  }

  // The hall's upload rejections as hallqd lists them (GET .../upload-rejections).
  json rejections(const std::map<std::string, std::string>& session = {}) {
    const HttpAnswer a = http_request(engine_->http(), http::verb::get, "/api/halls/town/upload-rejections",
                                      "", HttpRequestOptions{.headers = session});
    EXPECT_EQ(a.status, 200) << a.body;
    return a.j();
  }

  std::vector<std::string> engine_extra_;  // more hallqd arguments, set by a derived fixture's constructor
  TempDir dir_{"hallq-upload"};
  HttpReceiver receiver_;
  zmq::context_t ctx_;
  std::string hall_, config_;
  std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<client::Client> client_;
  std::vector<Expected> expected_;
};

}  // namespace hallq::testing
