// hallq-upload as it runs beside a hall: the real hallqd, the real uploader
// as a child process, commands through the client library, and a local HTTP
// receiver standing in for the provincial 好差评 platform (it honours
// idempotency keys: it holds each record id once). The platform refuses
// (503), hangs past the uploader's timeout and recovers; hallqd and the
// uploader are killed with SIGKILL in the middle and restarted; one record
// is refused with 422 and a reason. At the end the platform holds each
// rating exactly once, in the order the ratings were given.
//
// Expected records are built here from the commands sent (ticket number and
// id from the issue's event, level, window, staff, the service's name and
// kind in the hall file below), not by the record builder.
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
#include "engine/protocol/snapshot_codec.h"
#include "engine/server/accounts.h"
#include "tests/adapters/upload/upload_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/http_receiver.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

TEST_F(UploadTest, EveryRecordOnceInOrderThroughRefusalsHangsAndKills) {
  config_ = write_config();
  // The platform is down at first: 503 three times.
  receiver_.fail_next(3, 503);
  serve_and_rate("social", "w1", 5);
  serve_and_rate("estate", "w4", 2);
  auto uploader = start_uploader();
  ASSERT_TRUE(receiver_.wait_accepted(2)) << uploader->output();
  EXPECT_GE(receiver_.requests().size(), 5u);  // 3 refused + 2 accepted
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(uploader->wait_prefix("retry town town-E-", 1s)) << uploader->output();

  // The platform hangs: the uploader times out (300 ms) and tries again until it answers.
  receiver_.hang(true);
  const std::size_t before = receiver_.requests().size();
  serve_and_rate("social", "w1", 4);
  ASSERT_TRUE(receiver_.wait_for(before + 2)) << uploader->output();  // sent, timed out, sent again
  receiver_.hang(false);
  ASSERT_TRUE(receiver_.wait_accepted(3)) << uploader->output();
  EXPECT_TRUE(
      uploader->wait_line([](const std::string& l) { return l.find("(timeout)") != std::string::npos; }, 1s))
      << uploader->output();

  // hallqd killed in the middle: the uploader waits for it; ratings given after the restart go too.
  engine_->kill9();
  ASSERT_TRUE(uploader->wait_prefix("engine town:", 20s)) << uploader->output();
  engine_->restart();
  client::ClientOptions o;
  o.timeout = 3s;
  client_ = std::make_unique<client::Client>(ctx_, engine_->cmd(), o);
  serve_and_rate("estate", "w4", 1);
  ASSERT_TRUE(receiver_.wait_accepted(4)) << uploader->output();

  // The uploader killed with a backlog: after the restart the rest goes, none twice.
  uploader->kill();
  for (int i = 0; i < 6; ++i) serve_and_rate(i % 2 ? "estate" : "social", i % 2 ? "w4" : "w1", 1 + i % 5);
  // A record the platform refuses for good: kept with the reason, the others go on.
  const std::string refused = expected_[6].id;
  receiver_.refuse(refused, 422, R"({"message":"事项编码不存在"})");
  uploader = start_uploader();
  ASSERT_TRUE(receiver_.wait_accepted(6)) << uploader->output();
  uploader->kill();  // SIGKILL wherever it is
  uploader = start_uploader();
  ASSERT_TRUE(receiver_.wait_accepted(expected_.size() - 1)) << uploader->output();
  EXPECT_EQ(uploader->stop(), 0);

  // The platform holds each accepted rating once, in the order they were given.
  std::vector<std::string> want_ids;
  for (const Expected& e : expected_)
    if (e.id != refused) want_ids.push_back(e.id);
  std::vector<std::string> got_ids;
  for (const ReceivedRequest& r : receiver_.accepted()) got_ids.push_back(r.header("idempotency-key"));
  EXPECT_EQ(got_ids, want_ids);

  std::size_t at = 0;
  for (const Expected& e : expected_) {
    if (e.id == refused) continue;
    ASSERT_LT(at, receiver_.accepted().size());
    const ReceivedRequest r = receiver_.accepted()[at++];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hcp/evaluations");
    EXPECT_EQ(r.header("authorization"), "Bearer t0ken");
    const json b = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(b.is_object()) << r.body;
    EXPECT_EQ(b["recordId"], e.id);
    EXPECT_EQ(b["recordKind"], "evaluation");
    EXPECT_EQ(b["hallId"], "town");
    EXPECT_EQ(b["ticketNo"], e.number);
    EXPECT_EQ(b["alternate"], e.level);
    EXPECT_EQ(b["serviceId"], e.service);
    EXPECT_EQ(b["taskName"], e.service_name);
    EXPECT_EQ(b["projectType"], e.project_type);
    EXPECT_EQ(b["windowId"], e.window);
    EXPECT_EQ(b["windowNo"], e.window_number);
    EXPECT_EQ(b["handleUserId"], e.staff);
    EXPECT_EQ(b["handleUserName"], e.staff_name);
    EXPECT_EQ(b["channel"], "keypad");
    EXPECT_FALSE(b["issueTime"].get<std::string>().empty());
    EXPECT_FALSE(b["finishTime"].get<std::string>().empty());
    EXPECT_FALSE(b["assessTime"].get<std::string>().empty());
  }

  // The refused record is kept with the platform's reason.
  std::ifstream rejected(dir_.sub("state/town.rejected"));
  std::string line, found;
  while (std::getline(rejected, line))
    if (line.find(refused) != std::string::npos) found = line;
  const json j = json::parse(found, nullptr, false);
  ASSERT_TRUE(j.is_object()) << found;
  EXPECT_EQ(j["record_id"], refused);
  EXPECT_EQ(j["status"], 422);
  EXPECT_EQ(j["reason"], "事项编码不存在");

  // ... and in hallqd (the open API: the loopback caller may report): one
  // UploadRejected, listed with the ticket's number, though the uploader was
  // killed and restarted after it.
  const json listed = rejections();
  ASSERT_EQ(listed["count"], 1) << listed.dump();
  EXPECT_EQ(listed["rejections"][0]["record_id"], refused);
  EXPECT_EQ(listed["rejections"][0]["ticket"], expected_[6].number);
  EXPECT_EQ(listed["rejections"][0]["status"], 422);
  EXPECT_EQ(listed["rejections"][0]["reason"], "事项编码不存在");
}

// The role uploader: the uploader logs in with it and reports rejections;
// hallqd lists them newest first with the platform's reason. The uploader
// killed with SIGKILL after its local line but before hallqd heard of the
// rejection (hallqd stopped with SIGSTOP meanwhile): after the restart the
// rejection is recorded exactly once. The role can do nothing else; a
// viewer cannot report (the uploader warns and keeps its local line).
TEST_F(UploadTest, LoginAsUploaderRejectionsReachHallqdOnceAcrossAKill) {
  std::ofstream(dir_.sub("upr.password")) << "upload-pass-2\n";
  config_ = write_config("user = \"upr\"\npassword_file = \"upr.password\"");
  serve_and_rate("social", "w1", 5);
  const std::string first = expected_[0].id;
  const std::string hostile = "<img src=x onerror=alert(1)> 事项编码不存在";
  receiver_.refuse(first, 422, json{{"message", hostile}}.dump());
  auto uploader = start_uploader();
  ASSERT_TRUE(uploader->wait_prefix("reported town " + first + " to hallqd", 20s)) << uploader->output();

  // The next record: the platform's first answer held back, then hallqd
  // stopped, so the report cannot reach it; the local line is written.
  receiver_.hang(true);
  const std::size_t before = receiver_.requests().size();
  serve_and_rate("estate", "w4", 1);
  const std::string second = expected_[1].id;
  receiver_.refuse(second, 422, R"({"reason":"办件编号缺失"})");
  ASSERT_TRUE(receiver_.wait_for(before + 1)) << uploader->output();
  ASSERT_EQ(::kill(engine_->pid(), SIGSTOP), 0);
  receiver_.hang(false);  // the held one times out (300 ms); the retry is refused
  ASSERT_TRUE(uploader->wait_prefix("rejected town " + second, 20s)) << uploader->output();
  uploader->kill();  // SIGKILL: the report to hallqd never finished (or never began)
  ASSERT_EQ(::kill(engine_->pid(), SIGCONT), 0);
  {
    std::ifstream in(dir_.sub("state/town.rejected"));
    const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(all.find(second), std::string::npos) << all;
  }
  uploader = start_uploader();
  ASSERT_TRUE(uploader->wait_prefix("reported town " + second + " to hallqd", 20s)) << uploader->output();
  serve_and_rate("social", "w1", 4);  // the uploader went on past both
  ASSERT_TRUE(receiver_.wait_accepted(1)) << uploader->output();
  EXPECT_EQ(receiver_.accepted().front().header("idempotency-key"), expected_[2].id);
  EXPECT_EQ(uploader->stop(), 0);

  const std::map<std::string, std::string> viewer = login("upl", "upload-pass-1");
  const json listed = rejections(viewer);
  ASSERT_EQ(listed["count"], 2) << listed.dump();  // the second once, though reported after a kill
  EXPECT_EQ(listed["days"], 30);
  EXPECT_EQ(listed["rejections"][0]["record_id"], second);  // newest first
  EXPECT_EQ(listed["rejections"][0]["reason"], "办件编号缺失");
  EXPECT_EQ(listed["rejections"][0]["ticket"], expected_[1].number);
  EXPECT_EQ(listed["rejections"][1]["record_id"], first);
  EXPECT_EQ(listed["rejections"][1]["reason"], hostile);
  EXPECT_EQ(listed["rejections"][1]["status"], 422);
  EXPECT_EQ(listed["rejections"][1]["ticket"], expected_[0].number);
  HttpAnswer a = http_request(engine_->http(), http::verb::get, "/api/halls/town/upload-rejections?days=0",
                              "", HttpRequestOptions{.headers = viewer});
  EXPECT_EQ(a.status, 400) << a.body;
  EXPECT_NE(a.body.find("days=0"), std::string::npos) << a.body;

  // The uploader's role: the records and the report, nothing else.
  std::map<std::string, std::string> upr = login("upr", "upload-pass-2");
  upr["Content-Type"] = "application/json";
  a = http_request(engine_->http(), http::verb::get, "/api/halls/town/evaluation-records", "",
                   HttpRequestOptions{.headers = upr});
  EXPECT_EQ(a.status, 200) << a.body;
  for (const char* target : {"/api/halls/town", "/api/halls/town/upload-rejections",
                             "/api/halls/town/tickets", "/api/halls", "/api/audit"}) {
    a = http_request(engine_->http(), http::verb::get, target, "", HttpRequestOptions{.headers = upr});
    EXPECT_EQ(a.status, 403) << target << " " << a.body;
  }
  a = http_request(engine_->http(), http::verb::post, "/api/halls/town/notice", R"({"text":"x"})",
                   HttpRequestOptions{.headers = upr});
  EXPECT_EQ(a.status, 403) << a.body;
  // Its own report: the same record again is the first outcome, a bad one refused in Chinese.
  a = http_request(engine_->http(), http::verb::post, "/api/halls/town/upload-rejections",
                   json{{"record_id", second}, {"status", 422}, {"reason", "办件编号缺失"}}.dump(),
                   HttpRequestOptions{.idempotency_key = second, .headers = upr});
  EXPECT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.j()["duplicate"], true) << a.body;
  a = http_request(engine_->http(), http::verb::post, "/api/halls/town/upload-rejections",
                   json{{"record_id", "village-E-1"}, {"status", 422}, {"reason", "x"}}.dump(),
                   HttpRequestOptions{.headers = upr});
  EXPECT_EQ(a.status, 400) << a.body;
  EXPECT_NE(a.body.find("本大厅"), std::string::npos) << a.body;
  EXPECT_EQ(rejections(viewer)["count"], 2);

  // A viewer may not report: the uploader with a viewer account warns and keeps its local line.
  std::map<std::string, std::string> v = viewer;
  v["Content-Type"] = "application/json";
  a = http_request(engine_->http(), http::verb::post, "/api/halls/town/upload-rejections",
                   json{{"record_id", first}, {"status", 422}, {"reason", "x"}}.dump(),
                   HttpRequestOptions{.headers = v});
  EXPECT_EQ(a.status, 403) << a.body;
  std::ofstream(dir_.sub("upl.password")) << "upload-pass-1\n";
  config_ = write_config("user = \"upl\"\npassword_file = \"upl.password\"");
  serve_and_rate("estate", "w4", 2);
  receiver_.refuse(expected_[3].id, 400, "bad record");
  uploader = start_uploader();
  ASSERT_TRUE(uploader->wait_prefix("warning: rejection of town " + expected_[3].id, 20s))
      << uploader->output();
  EXPECT_NE(uploader->output().find("role uploader"), std::string::npos) << uploader->output();
  EXPECT_EQ(uploader->stop(), 0);
  EXPECT_EQ(rejections(viewer)["count"], 2);
}

// 重新上报 (issue 21): record A is refused (422); a manager's re-send of an
// unknown, a never-rejected or a malformed record is refused (404, 404,
// 400), a viewer's and the uploader account's 403. The cause is "fixed" (the
// service's 事项编码 in the hall file, hallqd restarted) and a re-send asked
// for: a retry of that request is its first outcome, another one 409. The
// platform refuses the re-send too (key A~r1): reported again, listed twice.
// Asked again, it accepts: the receiver holds A once, under A~r2, rebuilt
// with the new 事项编码; no other record went twice, and the next one goes.
TEST_F(UploadTest, LoginResendOfARejectedRecordOnceItsCauseIsFixed) {
  refused_and_accepted_ratings();
  const std::string a_id = expected_[0].id, b_id = expected_[1].id;
  receiver_.refuse(a_id + "~r1", 422, R"({"message":"实施部门编码不存在"})");
  auto uploader = start_uploader();
  ASSERT_TRUE(uploader->wait_prefix("reported town " + a_id + " to hallqd", 20s)) << uploader->output();
  ASSERT_TRUE(receiver_.wait_accepted(1)) << uploader->output();

  std::map<std::string, std::string> boss = login("boss", "admin-pass-3");
  boss["Content-Type"] = "application/json";
  const auto resend = [&](const std::string& id, const std::string& key,
                          const std::map<std::string, std::string>& session) {
    return http_request(engine_->http(), http::verb::post,
                        "/api/halls/town/upload-rejections/" + id + "/resend", "{}",
                        HttpRequestOptions{.idempotency_key = key, .headers = session});
  };
  HttpAnswer r = resend("town-E-999", "k0", boss);  // well formed, never rejected
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("没有被平台拒收"), std::string::npos) << r.body;
  r = resend(b_id, "k0", boss);  // accepted by the platform
  EXPECT_EQ(r.status, 404) << r.body;
  r = resend("village-E-1", "k0", boss);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("本大厅"), std::string::npos) << r.body;
  std::map<std::string, std::string> viewer = login("upl", "upload-pass-1");
  viewer["Content-Type"] = "application/json";
  r = resend(a_id, "k0", viewer);
  EXPECT_EQ(r.status, 403) << r.body;
  std::map<std::string, std::string> upr = login("upr", "upload-pass-2");
  upr["Content-Type"] = "application/json";
  r = resend(a_id, "k0", upr);
  EXPECT_EQ(r.status, 403) << r.body;
  r = http_request(engine_->http(), http::verb::get, "/api/halls/town/upload-rejections/" + a_id + "/resend",
                   "", HttpRequestOptions{.headers = boss});
  EXPECT_EQ(r.status, 405) << r.body;

  // The cause fixed: social's 事项编码 in the hall file, hallqd restarted on
  // it. The uploader stopped meanwhile, so that the 409 below is not raced
  // by its sending the re-send.
  EXPECT_EQ(uploader->stop(), 0);
  {
    std::ifstream in(hall_);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string old_code = "500240-SB-0001";
    ASSERT_NE(text.find(old_code), std::string::npos);
    text.replace(text.find(old_code), old_code.size(), "500240-SB-0099");
    std::ofstream(hall_) << text;
  }
  engine_->kill9();
  engine_->restart();
  client::ClientOptions o;
  o.timeout = 3s;
  client_ = std::make_unique<client::Client>(ctx_, engine_->cmd(), o);
  boss = login("boss", "admin-pass-3");
  boss["Content-Type"] = "application/json";
  r = resend(a_id, "fix-1", boss);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["duplicate"], false) << r.body;
  r = resend(a_id, "fix-1", boss);  // the same request again: its first outcome
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["duplicate"], true) << r.body;
  r = resend(a_id, "fix-2", boss);  // another request while the first is pending
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("已申请重新上报"), std::string::npos) << r.body;

  // The platform refuses the re-send: a rejection of its own, reported again.
  uploader = start_uploader();
  ASSERT_TRUE(uploader->wait_prefix("rejected town " + a_id + " resend=1", 20s)) << uploader->output();
  ASSERT_TRUE(uploader->wait_prefix("reported town " + a_id + " to hallqd", 20s)) << uploader->output();
  viewer = login("upl", "upload-pass-1");  // sessions do not survive the restart
  const json listed = rejections(viewer);
  ASSERT_EQ(listed["count"], 2) << listed.dump();
  EXPECT_EQ(listed["rejections"][0]["record_id"], a_id);
  EXPECT_EQ(listed["rejections"][0]["reason"], "实施部门编码不存在");
  EXPECT_TRUE(listed["rejections"][0]["resend"].is_null()) << listed.dump();
  EXPECT_EQ(listed["rejections"][0]["rejected_again"], false);
  EXPECT_EQ(listed["rejections"][1]["record_id"], a_id);
  EXPECT_EQ(listed["rejections"][1]["reason"], "事项编码不存在");
  EXPECT_TRUE(listed["rejections"][1]["resend"].is_object()) << listed.dump();
  EXPECT_EQ(listed["rejections"][1]["rejected_again"], true);

  // Asked again: accepted this time.
  r = resend(a_id, "fix-3", boss);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(receiver_.wait_accepted(2)) << uploader->output();
  serve_and_rate("social", "w1", 4);  // and the records after it go on
  ASSERT_TRUE(receiver_.wait_accepted(3)) << uploader->output();
  EXPECT_EQ(uploader->stop(), 0);

  std::vector<std::string> keys;
  for (const ReceivedRequest& q : receiver_.accepted()) keys.push_back(q.header("idempotency-key"));
  EXPECT_EQ(keys, (std::vector<std::string>{b_id, a_id + "~r2", expected_[2].id}));
  const json body = json::parse(receiver_.accepted()[1].body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << receiver_.accepted()[1].body;
  EXPECT_EQ(body["recordId"], a_id);
  EXPECT_EQ(body["resend"], 2);
  EXPECT_EQ(body["taskCode"], "500240-SB-0099");  // rebuilt with the config as fixed
  EXPECT_EQ(body["ticketNo"], expected_[0].number);
  EXPECT_EQ(body["alternate"], 2);
  EXPECT_EQ(body["handleUserName"], "张三");
  // Every request the platform got, by key: each once (A's three sends under three keys).
  std::map<std::string, int> sent;
  for (const ReceivedRequest& q : receiver_.requests()) ++sent[q.header("idempotency-key")];
  EXPECT_EQ(sent, (std::map<std::string, int>{
                      {a_id, 1}, {a_id + "~r1", 1}, {a_id + "~r2", 1}, {b_id, 1}, {expected_[2].id, 1}}));
  EXPECT_EQ(rejections(viewer)["count"], 2);
}

// The upload's bookkeeping over the engine's device socket (ZeroMQ, here a
// loopback install without keys, where every peer is otherwise trusted): a
// re-send request, an acceptance and a rejection are refused as forbidden,
// naming the managers' HTTP route, and change nothing (the hall's sequence,
// the rejections list); the same re-send through the HTTP API, which checks
// it against the log, is then accepted.
TEST_F(UploadTest, LoginUploadBookkeepingIsRefusedOnTheDeviceSocket) {
  refused_and_accepted_ratings();
  const std::string a_id = expected_[0].id, b_id = expected_[1].id;
  {
    auto uploader = start_uploader();
    ASSERT_TRUE(uploader->wait_prefix("reported town " + a_id + " to hallqd", 20s)) << uploader->output();
    ASSERT_TRUE(receiver_.wait_accepted(1)) << uploader->output();
    EXPECT_EQ(uploader->stop(), 0);
  }
  std::map<std::string, std::string> boss = login("boss", "admin-pass-3");
  boss["Content-Type"] = "application/json";
  const json before = rejections(boss);
  ASSERT_EQ(before["count"], 1) << before.dump();
  const auto seq = [&] {
    auto snap = client_->snapshot("town");
    protocol::DecodedSnapshot d;
    EXPECT_TRUE(snap && snap->ok() && protocol::decode_snapshot(protocol::as_bytes(snap->snapshot), d).ok());
    return d.state.seq;
  };
  const core::Seq seq_before = seq();

  const std::vector<std::pair<core::CommandBody, std::string>> attempts = {
      {core::RequestUploadResend{a_id}, "upload_resend"},
      {core::RecordUploadAcceptance{a_id, 1}, "upload_acceptance"},
      {core::RecordUploadRejection{b_id, 422, "伪造的拒收"}, "upload_rejection"}};
  for (const auto& [body, verb] : attempts) {
    auto r = client_->command("town", body);
    ASSERT_TRUE(r.has_value()) << verb;
    EXPECT_EQ(r->code, core::ErrorCode::kForbidden) << verb << ": " << r->message;
    EXPECT_EQ(r->message,
              "无权执行此操作：" + verb +
                  " is taken over the managers' HTTP API only (/api/halls/town/upload-rejections), "
                  "which checks it against the event log");
    EXPECT_TRUE(r->events.empty()) << verb;
  }
  EXPECT_EQ(seq(), seq_before);
  EXPECT_EQ(rejections(boss), before);
  command(core::IssueTicket{"social"});  // the socket still serves everything else
  EXPECT_GT(seq(), seq_before);

  const HttpAnswer r =
      http_request(engine_->http(), http::verb::post, "/api/halls/town/upload-rejections/" + a_id + "/resend",
                   "{}", HttpRequestOptions{.idempotency_key = "k1", .headers = boss});
  EXPECT_EQ(r.status, 200) << r.body;
  const json after = rejections(boss);
  ASSERT_EQ(after["count"], 1) << after.dump();
  EXPECT_TRUE(after["rejections"][0]["resend"].is_object()) << after.dump();
}

// 差评工单 through the uploader (issue 21): a 差评 with reasons, a comment,
// a case number and the tablet channel; its callbacks (未联系上, then
// 已联系) and its rectification recorded by a manager over hallqd's HTTP
// API while the platform is down (503) and after it recovers. Steps out of
// order are refused with their Chinese reason and make no record. The
// platform holds the evaluation and each step once, in order, each under
// its record id, with the fields the test sent or wrote in the hall file;
// a step's id carries the sequence number hallqd answered the step with.
TEST_F(UploadTest, LoginWorkOrderStepsReachThePlatformOnceInOrderThroughAnOutage) {
  {
    std::ifstream in(hall_);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const std::string& v : {kDivision, kSocialItem, kSocialDepartment})
      ASSERT_NE(text.find("\"" + v + "\""), std::string::npos) << v;
  }
  std::ofstream(dir_.sub("upr.password")) << "upload-pass-2\n";
  config_ = write_config("user = \"upr\"\npassword_file = \"upr.password\"");

  // The 差评: social at w1 (s01 张三), finished with a case number, rated 1 on the window's tablet.
  const std::string case_number = "BJ2026-1205/0007";
  const std::string comment = "窗口人员一直在看手机";
  const std::vector<protocol::EventSummary> issued = command(core::IssueTicket{"social"});
  ASSERT_FALSE(issued.empty());
  const std::string number = issued.front().number;
  const core::TicketId ticket = issued.front().ticket;
  command(core::CallNext{"w1"});
  command(core::StartService{"w1"});
  command(core::Finish{"w1", case_number});
  core::Evaluate rating{number, 1, "w1"};
  rating.reasons = {kReasons[0].first, kReasons[2].first};
  rating.comment = comment;
  rating.channel = core::EvaluationChannel::kTablet;
  command(rating);
  const std::string evaluation_id = fmt::format("town-E-{}", ticket);

  auto uploader = start_uploader();
  ASSERT_TRUE(receiver_.wait_accepted(1)) << uploader->output();

  std::map<std::string, std::string> boss = login("boss", "admin-pass-3");
  boss["Content-Type"] = "application/json";
  // A step; its event's seq from hallqd's answer (0 if refused).
  const auto step = [&](const std::string& what, const json& body, int want_status,
                        const std::string& want_text = "") -> std::uint64_t {
    const HttpAnswer a = http_request(engine_->http(), http::verb::post,
                                      fmt::format("/api/halls/town/work-orders/{}/{}", ticket, what),
                                      body.dump(), HttpRequestOptions{.headers = boss});
    EXPECT_EQ(a.status, want_status) << what << " " << a.body;
    if (!want_text.empty()) {
      EXPECT_NE(a.body.find(want_text), std::string::npos) << a.body;
    }
    if (a.status != 200) return 0;
    const json events = a.j()["events"];
    EXPECT_EQ(events.size(), 1u) << a.body;
    return events.empty() ? 0 : events[0]["seq"].get<std::uint64_t>();
  };
  struct Step {
    std::string kind, note;
    std::uint64_t seq;
  };
  std::vector<Step> steps;

  // Out of order: a rectification before any callback.
  step("rectification", {{"note", "已整改"}}, 409, "尚未回访，须先记录回访再记录整改");

  // The platform goes down; the steps are recorded meanwhile and wait in the outbox.
  receiver_.answer(503);
  steps.push_back({"work_order_called_back", "未联系上：电话无人接听",
                   step("callback", {{"reached", false}, {"note", "电话无人接听"}}, 200)});
  ASSERT_TRUE(uploader->wait_prefix(fmt::format("retry town town-W-{}-{}", ticket, steps[0].seq), 20s))
      << uploader->output();
  ASSERT_TRUE(uploader->wait_prefix(fmt::format("retry town town-W-{}-{}", ticket, steps[0].seq), 20s))
      << uploader->output();
  steps.push_back({"work_order_called_back", "已联系：已致歉，群众表示理解",
                   step("callback", {{"reached", true}, {"note", "已致歉，群众表示理解"}}, 200)});
  step("callback", {{"reached", true}, {"note", "again"}}, 409, "已回访联系上，请记录整改");
  steps.push_back({"work_order_rectified", "已对窗口人员批评教育，纳入月度考核",
                   step("rectification", {{"note", "已对窗口人员批评教育，纳入月度考核"}}, 200)});
  step("rectification", {{"note", "再次整改"}}, 409, "已整改办结");
  step("callback", {{"reached", false}, {"note", "x"}}, 409, "已整改办结");
  for (const Step& s : steps) ASSERT_NE(s.seq, 0u);
  EXPECT_LT(steps[0].seq, steps[1].seq);
  EXPECT_LT(steps[1].seq, steps[2].seq);
  EXPECT_EQ(receiver_.accepted().size(), 1u);  // nothing went through the outage

  // The platform recovers: the steps go, in order; then a rating after them.
  receiver_.answer(200);
  ASSERT_TRUE(receiver_.wait_accepted(4)) << uploader->output();
  serve_and_rate("estate", "w4", 5);
  ASSERT_TRUE(receiver_.wait_accepted(5)) << uploader->output();
  EXPECT_EQ(uploader->stop(), 0);

  std::vector<std::string> want = {evaluation_id};
  for (const Step& s : steps) want.push_back(fmt::format("town-W-{}-{}", ticket, s.seq));
  want.push_back(expected_.back().id);
  std::vector<std::string> got;
  for (const ReceivedRequest& r : receiver_.accepted()) got.push_back(r.header("idempotency-key"));
  EXPECT_EQ(got, want);
  // Each key accepted once: the refused attempts (503) were sent again under the same key, none twice after a
  // 2xx.
  std::map<std::string, int> accepted_times;
  for (const ReceivedRequest& r : receiver_.requests())
    if (r.answered >= 200 && r.answered < 300) ++accepted_times[r.header("idempotency-key")];
  for (const std::string& id : want) EXPECT_EQ(accepted_times[id], 1) << id;
  EXPECT_EQ(accepted_times.size(), want.size());

  // The fields: what the test sent and what the hall file says.
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(want[i]);
    const json b = json::parse(receiver_.accepted()[i].body, nullptr, false);
    ASSERT_TRUE(b.is_object()) << receiver_.accepted()[i].body;
    EXPECT_EQ(b["recordId"], want[i]);
    EXPECT_EQ(b["recordKind"], i == 0 ? "evaluation" : steps[i - 1].kind);
    EXPECT_EQ(b["hallId"], "town");
    EXPECT_EQ(b["ticketNo"], number);
    EXPECT_EQ(b["alternate"], 1);
    EXPECT_EQ(b["appraisald"], (json{kReasons[0].first, kReasons[2].first}));
    EXPECT_EQ(b["appraisaldn"], (json{kReasons[0].second, kReasons[2].second}));
    EXPECT_EQ(b["appraisalVersion"], kReasonsVersion);
    EXPECT_EQ(b["writingevaluation"], comment);
    EXPECT_EQ(b["channel"], "tablet");
    EXPECT_EQ(b["pf"], 4);  // 政务大厅平板电脑 (README's table)
    EXPECT_EQ(b["isSupplement"], false);
    EXPECT_EQ(b["projectNo"], case_number);
    EXPECT_EQ(b["serviceId"], "social");
    EXPECT_EQ(b["taskName"], "社保医保");
    EXPECT_EQ(b["taskCode"], kSocialItem);
    EXPECT_EQ(b["deptCode"], kSocialDepartment);
    EXPECT_EQ(b["areaCode"], kDivision);
    EXPECT_EQ(b["projectType"], 1);
    EXPECT_EQ(b["windowId"], "w1");
    EXPECT_EQ(b["windowNo"], 1);
    EXPECT_EQ(b["handleUserId"], "s01");
    EXPECT_EQ(b["handleUserName"], "张三");
    EXPECT_EQ(receiver_.accepted()[i].header("authorization"), "Bearer t0ken");
    // The order the 差评 opened, on the evaluation and on every step: due 5 working days after the rating.
    EXPECT_EQ(b["workOrderId"], fmt::format("town-{}", ticket));
    EXPECT_EQ(b["workOrderDue"],
              working_days_after(b["assessTime"].get<std::string>().substr(0, 10), kFollowUpWorkingDays));
    if (i == 0) {
      EXPECT_FALSE(b.contains("workOrderNote")) << b.dump();
      continue;
    }
    const Step& s = steps[i - 1];
    EXPECT_EQ(b["seq"], s.seq);
    EXPECT_EQ(b["workOrderNote"], s.note);
    EXPECT_EQ(b["workOrderBy"], "boss");
    ASSERT_TRUE(b["workOrderTime"].is_string()) << b.dump();
    EXPECT_GE(b["workOrderTime"].get<std::string>(), b["assessTime"].get<std::string>());
  }
}

// With managers' logins on: the uploader logs in with its viewer account,
// and again when hallqd restarts (sessions do not survive it: 401). A wrong
// password uploads nothing and says why.
TEST_F(UploadTest, LoginsAViewerAccountAndAgainAfterARestart) {
  std::ofstream(dir_.sub("wrong.password")) << "not-the-password\n";
  config_ = write_config("user = \"upl\"\npassword_file = \"wrong.password\"");
  serve_and_rate("social", "w1", 4);
  auto uploader = start_uploader();
  ASSERT_TRUE(uploader->wait_prefix("login failed: HTTP 401", 20s)) << uploader->output();
  EXPECT_EQ(uploader->stop(), 0);
  EXPECT_TRUE(receiver_.requests().empty());

  std::ofstream(dir_.sub("upl.password")) << "upload-pass-1\n";
  config_ = write_config("user = \"upl\"\npassword_file = \"upl.password\"");
  uploader = start_uploader();
  ASSERT_TRUE(receiver_.wait_accepted(1)) << uploader->output();
  engine_->kill9();
  engine_->restart();
  client::ClientOptions o;
  o.timeout = 3s;
  client_ = std::make_unique<client::Client>(ctx_, engine_->cmd(), o);
  serve_and_rate("estate", "w4", 2);
  ASSERT_TRUE(receiver_.wait_accepted(2)) << uploader->output();
  EXPECT_EQ(uploader->stop(), 0);
  std::vector<std::string> got;
  for (const ReceivedRequest& r : receiver_.accepted()) got.push_back(r.header("idempotency-key"));
  EXPECT_EQ(got, (std::vector<std::string>{expected_[0].id, expected_[1].id}));
}

// The records API: a page, a cursor, bad parameters refused in Chinese.
TEST_F(UploadTest, RecordsApiPagesInEventOrder) {
  serve_and_rate("social", "w1", 5);
  serve_and_rate("social", "w1", 3);
  serve_and_rate("estate", "w4", 2);
  HttpAnswer a =
      http_request(engine_->http(), http::verb::get, "/api/halls/town/evaluation-records?after=0&limit=2");
  ASSERT_EQ(a.status, 200) << a.body;
  json j = a.j();
  ASSERT_EQ(j["records"].size(), 2u);
  EXPECT_EQ(j["records"][0]["recordId"], expected_[0].id);
  EXPECT_EQ(j["records"][1]["recordId"], expected_[1].id);
  EXPECT_EQ(j["scanned_to"], j["records"][1]["seq"]);
  EXPECT_LT(j["records"][0]["seq"].get<int>(), j["records"][1]["seq"].get<int>());
  a = http_request(engine_->http(), http::verb::get,
                   fmt::format("/api/halls/town/evaluation-records?after={}", j["scanned_to"].get<int>()));
  ASSERT_EQ(a.status, 200) << a.body;
  j = a.j();
  ASSERT_EQ(j["records"].size(), 1u);
  EXPECT_EQ(j["records"][0]["recordId"], expected_[2].id);
  EXPECT_EQ(j["records"][0]["alternate"], 2);
  EXPECT_EQ(j["scanned_to"], j["last_seq"]);

  a = http_request(engine_->http(), http::verb::get, "/api/halls/town/evaluation-records?after=x");
  EXPECT_EQ(a.status, 400);
  EXPECT_NE(a.body.find("after=x"), std::string::npos) << a.body;
  a = http_request(engine_->http(), http::verb::get, "/api/halls/town/evaluation-records?limit=0");
  EXPECT_EQ(a.status, 400) << a.body;
  a = http_request(engine_->http(), http::verb::get, "/api/halls/town/evaluation-records?since=1");
  EXPECT_EQ(a.status, 400) << a.body;
}

// The export for a manual upload: `hallq evaluations` of today while hallqd
// runs, read back by Python's csv module (read_csv.py), not by hallq.
TEST_F(UploadTest, CsvExportReadsBackInExcelsFormat) {
  serve_and_rate("social", "w1", 5);
  serve_and_rate("estate", "w4", 1);
  serve_and_rate("social", "w1", 3);
  // The hall's day of the last rating, from the engine's own answer (its JSON "assessTime").
  const HttpAnswer a = http_request(engine_->http(), http::verb::get, "/api/halls/town/evaluation-records");
  ASSERT_EQ(a.status, 200) << a.body;
  const std::string day = a.j()["records"][2]["assessTime"].get<std::string>().substr(0, 10);
  const std::string first = a.j()["records"][0]["assessTime"].get<std::string>().substr(0, 10);

  const std::string file = dir_.sub("export.csv");
  RunResult r = run_program(HALLQ_PATH, {"evaluations", "town", "--data", dir_.sub("data"), "--from", first,
                                         "--to", day, "--csv", file, "--conf", hall_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_program("/usr/bin/env",
                  {"python3", std::string(HALLQ_SOURCE_DIR) + "/tests/adapters/upload/read_csv.py", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json got = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(got.is_object()) << r.out;
  EXPECT_TRUE(got["bom"].get<bool>());
  EXPECT_TRUE(got["crlf_only"].get<bool>());
  ASSERT_EQ(got["rows"].size(), expected_.size()) << r.out;
  for (std::size_t i = 0; i < expected_.size(); ++i) {
    const json& row = got["rows"][i];
    const Expected& e = expected_[i];
    EXPECT_EQ(row["recordId"], e.id);
    EXPECT_EQ(row["ticketNo"], e.number);
    EXPECT_EQ(row["alternate"], std::to_string(e.level));
    EXPECT_EQ(row["taskName"], e.service_name);
    EXPECT_EQ(row["projectType"], std::to_string(e.project_type));
    EXPECT_EQ(row["windowNo"], std::to_string(e.window_number));
    EXPECT_EQ(row["handleUserName"], e.staff_name);
    EXPECT_EQ(row["channel"], "keypad");
    // The 差评 opened a work order: its id and due day (5 working days after the rating); none for the
    // others.
    const std::string rated = a.j()["records"][i]["assessTime"].get<std::string>().substr(0, 10);
    EXPECT_EQ(row["workOrderId"], e.level <= 2 ? "town-" + e.id.substr(std::string("town-E-").size()) : "");
    EXPECT_EQ(row["workOrderDue"], e.level <= 2 ? working_days_after(rated, kFollowUpWorkingDays) : "");
    EXPECT_EQ(row["workOrderNote"], "");
  }

  // Bad input: a reversed range, a malformed date; nothing written.
  r = run_program(HALLQ_PATH, {"evaluations", "town", "--data", dir_.sub("data"), "--from", "2026-02-01",
                               "--to", "2026-01-01", "--csv", dir_.sub("bad.csv")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("晚于"), std::string::npos) << r.err;
  r = run_program(HALLQ_PATH, {"evaluations", "town", "--data", dir_.sub("data"), "--from", "2026-13-01",
                               "--to", "2026-01-01"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(std::ifstream(dir_.sub("bad.csv")).good());
}

}  // namespace
}  // namespace hallq::testing
