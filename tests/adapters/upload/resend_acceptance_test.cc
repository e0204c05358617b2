// The platform's acceptance of a re-sent record, reported back to hallqd
// (issue 21; adapters/upload/README.md, "Rejections"): the real hallqd with
// managers' accounts, the real hallq-upload logged in as an uploader, and
// the local HTTP receiver as the platform. Records A and C are refused
// (422); a manager asks for each to be sent again and the receiver now
// accepts it. For A the uploader is killed with SIGKILL between the
// platform's 2xx and hallqd's answer to its report (hallqd held with
// SIGSTOP meanwhile); for C hallqd itself is killed with SIGKILL before
// answering and restarted. Either way the receiver holds each record once
// and hallqd's log (read from its store, opened read-only beside it) holds
// exactly one UploadResendAccepted per record; the rejections list, read
// over HTTP, shows each re-send accepted. Bad reports are refused with a
// Chinese reason and change nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <string>
#include <vector>

#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "engine/store/event_store.h"
#include "tests/adapters/upload/upload_fixture.h"

namespace hallq::testing {
namespace {

class ResendAcceptanceTest : public UploadTest {
 protected:
  // The UploadResendAccepted events of `record_id` in hallqd's log, from its store.
  std::vector<int> acceptances(const std::string& record_id) const {
    std::vector<int> found;
    store::EventStore store({.dir = dir_.sub("data"), .read_only = true});
    std::string buffer;  // aligned for FlatBuffers
    store.for_each_event("town", 1, [&](std::uint64_t, std::string_view raw) {
      buffer.assign(raw);
      const protocol::Bytes bytes = protocol::as_bytes(buffer);
      if (protocol::is_upload_resend_acceptance(bytes)) {
        const protocol::EventSummary e = protocol::describe_event(bytes);
        if (e.record_id == record_id) found.push_back(e.resend);
      }
      return true;
    });
    return found;
  }

  HttpAnswer resend(const std::string& id, const std::string& key) {
    return http_request(engine_->http(), http::verb::post,
                        "/api/halls/town/upload-rejections/" + id + "/resend", "{}",
                        HttpRequestOptions{.idempotency_key = key, .headers = boss_});
  }

  HttpAnswer accepted(const std::string& id, const std::string& body, const std::string& key,
                      const std::map<std::string, std::string>& session) {
    return http_request(engine_->http(), http::verb::post,
                        "/api/halls/town/upload-rejections/" + id + "/accepted", body,
                        HttpRequestOptions{.idempotency_key = key, .headers = session});
  }

  std::map<std::string, std::string> session(const std::string& user, const std::string& password) {
    std::map<std::string, std::string> s = login(user, password);
    s["Content-Type"] = "application/json";
    return s;
  }

  // After hallqd's restart: the client and the admin's session again.
  void reconnect() {
    client::ClientOptions o;
    o.timeout = 3s;
    client_ = std::make_unique<client::Client>(ctx_, engine_->cmd(), o);
    boss_ = session("boss", "admin-pass-3");
  }

  // The platform's 2xx for `id`'s first re-send reached the uploader while
  // hallqd is stopped (SIGSTOP), so its report cannot have been answered.
  void accepted_while_hallqd_stopped(const std::string& id, const std::string& key,
                                     std::unique_ptr<ChildProcess>& uploader) {
    receiver_.hang(true);  // the first send is held: the uploader has read the page by then
    const std::size_t before = receiver_.requests().size();
    const HttpAnswer r = resend(id, key);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(receiver_.wait_for(before + 1)) << uploader->output();
    ASSERT_EQ(::kill(engine_->pid(), SIGSTOP), 0);
    receiver_.hang(false);  // the held one times out (300 ms); the retry is accepted
    ASSERT_TRUE(uploader->wait_prefix(fmt::format("uploaded town {} resend=1", id), 20s))
        << uploader->output();
    EXPECT_EQ(uploader->output().find("reported acceptance of town " + id), std::string::npos)
        << uploader->output();
  }

  std::map<std::string, std::string> boss_;
};

TEST_F(ResendAcceptanceTest, LoginAcceptedReSendRecordedOnceAcrossKillsOfTheUploaderAndOfHallqd) {
  std::ofstream(dir_.sub("upr.password")) << "upload-pass-2\n";
  config_ = write_config("user = \"upr\"\npassword_file = \"upr.password\"");
  serve_and_rate("social", "w1", 2);
  serve_and_rate("estate", "w4", 5);
  serve_and_rate("social", "w1", 3);
  const std::string a_id = expected_[0].id, b_id = expected_[1].id, c_id = expected_[2].id;
  receiver_.refuse(a_id, 422, R"({"message":"事项编码不存在"})");
  receiver_.refuse(c_id, 422, R"({"message":"实施部门编码不存在"})");
  auto uploader = start_uploader();
  ASSERT_TRUE(uploader->wait_prefix("reported town " + c_id + " to hallqd", 20s)) << uploader->output();
  ASSERT_TRUE(receiver_.wait_accepted(1)) << uploader->output();
  boss_ = session("boss", "admin-pass-3");
  std::map<std::string, std::string> upr = session("upr", "upload-pass-2");

  // Reports that cannot be: a record never refused, one refused but never re-sent.
  HttpAnswer r = accepted("town-E-999", R"({"resend":1})", "town-E-999~r1", upr);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("没有被平台拒收"), std::string::npos) << r.body;
  r = accepted(b_id, R"({"resend":1})", b_id + "~r1", upr);
  EXPECT_EQ(r.status, 404) << r.body;
  r = accepted(c_id, R"({"resend":1})", c_id + "~r1", upr);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.j()["error"], "not_resent") << r.body;
  EXPECT_NE(r.body.find("没有申请过重新上报"), std::string::npos) << r.body;

  // A: the uploader killed after the platform's 2xx, before hallqd answered its report.
  accepted_while_hallqd_stopped(a_id, "fix-a", uploader);
  uploader->kill();  // SIGKILL
  ASSERT_EQ(::kill(engine_->pid(), SIGCONT), 0);
  uploader = start_uploader();  // its cursor is before A's re-send: sent again, reported again
  ASSERT_TRUE(uploader->wait_prefix("reported acceptance of town " + a_id + " resend=1 to hallqd", 20s))
      << uploader->output();

  // C: hallqd killed before answering the report, and restarted; the uploader logs in again.
  accepted_while_hallqd_stopped(c_id, "fix-c", uploader);
  engine_->kill9();
  engine_->restart();
  reconnect();
  upr = session("upr", "upload-pass-2");
  ASSERT_TRUE(uploader->wait_prefix("reported acceptance of town " + c_id + " resend=1 to hallqd", 20s))
      << uploader->output();
  serve_and_rate("estate", "w4", 4);  // the cursor moved on: the next record goes
  ASSERT_TRUE(receiver_.wait_accepted(4)) << uploader->output();
  EXPECT_EQ(uploader->stop(), 0);

  // The platform holds each record once: A and C under their re-send's key.
  std::vector<std::string> keys;
  for (const ReceivedRequest& q : receiver_.accepted()) keys.push_back(q.header("idempotency-key"));
  EXPECT_EQ(keys, (std::vector<std::string>{b_id, a_id + "~r1", c_id + "~r1", expected_[3].id}));
  std::map<std::string, int> held;
  for (const ReceivedRequest& q : receiver_.accepted())
    ++held[json::parse(q.body)["recordId"].get<std::string>()];
  EXPECT_EQ(held, (std::map<std::string, int>{{a_id, 1}, {b_id, 1}, {c_id, 1}, {expected_[3].id, 1}}));
  EXPECT_EQ(json::parse(receiver_.accepted()[1].body)["resend"], 1);
  // hallqd's log: one acceptance each, of re-send 1.
  EXPECT_EQ(acceptances(a_id), std::vector<int>{1});
  EXPECT_EQ(acceptances(c_id), std::vector<int>{1});

  // The list, read over HTTP by a viewer: both re-sends accepted.
  const std::map<std::string, std::string> viewer = session("upl", "upload-pass-1");
  const json listed = rejections(viewer);
  ASSERT_EQ(listed["count"], 2) << listed.dump();
  for (const json& row : listed["rejections"]) {
    SCOPED_TRACE(row.dump());
    EXPECT_TRUE(row["resend"].is_object());
    ASSERT_TRUE(row["accepted"].is_object());
    EXPECT_GT(row["accepted"]["seq"].get<std::uint64_t>(), row["resend"]["seq"].get<std::uint64_t>());
    EXPECT_GT(row["accepted"]["at_us"].get<std::int64_t>(), 0);
    EXPECT_EQ(row["accepted"]["at"].get<std::string>().size(), 19u);  // YYYY-MM-DD HH:MM:SS
    EXPECT_EQ(row["rejected_again"], false);
  }

  // Bad reports now, each refused in Chinese, nothing recorded.
  r = accepted(a_id, R"({"resend":1})", a_id + "~r1", upr);  // the uploader's retry: its first outcome
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["duplicate"], true) << r.body;
  r = accepted(a_id, R"({"resend":1})", "", upr);  // another report of the same acceptance
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.j()["error"], "already_accepted") << r.body;
  EXPECT_NE(r.body.find("第 1 次重新上报已登记为平台接受"), std::string::npos) << r.body;
  r = accepted(a_id, R"({"resend":2})", a_id + "~r2", upr);  // never requested
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("只申请过 1 次重新上报，没有第 2 次"), std::string::npos) << r.body;
  for (const std::string& body :
       {std::string("not json"), std::string("[1]"), std::string("{}"), std::string(R"({"resend":"1"})"),
        std::string(R"({"resend":0})"), std::string(R"({"resend":1000000})"),
        std::string(R"({"resend":1.5})"), std::string(R"({"resend":1,"status":200})")}) {
    r = accepted(c_id, body, "", upr);
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
    EXPECT_NE(r.j().value("message", ""), "") << body;
  }
  r = accepted(c_id, R"({"resend":1})", c_id, upr);  // a key that is not RECORD_ID~rN
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("Idempotency-Key"), std::string::npos) << r.body;
  r = accepted("village-E-1", R"({"resend":1})", "", upr);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("本大厅"), std::string::npos) << r.body;
  r = accepted(c_id, R"({"resend":1})", c_id + "~r1", viewer);
  EXPECT_EQ(r.status, 403) << r.body;
  r = http_request(engine_->http(), http::verb::get,
                   "/api/halls/town/upload-rejections/" + a_id + "/accepted", "",
                   HttpRequestOptions{.headers = boss_});
  EXPECT_EQ(r.status, 405) << r.body;
  // Accepted: no re-send to ask for any more.
  r = resend(a_id, "fix-a-again");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("平台已接受"), std::string::npos) << r.body;
  EXPECT_EQ(acceptances(a_id), std::vector<int>{1});
  EXPECT_EQ(acceptances(c_id), std::vector<int>{1});
  EXPECT_EQ(rejections(viewer)["count"], 2);
}

}  // namespace
}  // namespace hallq::testing
