// hallq-notify as it runs in a hall: the real hallqd (bookings with a person
// salt), the real notifier as a child process, commands through the client
// library and the HTTP booking API, and a local HTTP receiver standing in
// for the hall's SMS gateway. The expected texts are built here from known
// facts (the hall's name in conf/town.toml, the number the check-in gave,
// the window's number), not from the notifier's code.
//
// The queue in every test (service social, window w2 = 窗口 2 open):
//   N1  a booking WITHOUT a phone, checked in first     (priority class)
//   W1  a walk-in (老年人 priority)                      (priority class)
//   X   a booking WITH a phone, checked in last: 2 ahead
// call 1 -> N1 (X: 1 ahead -> `near`), call 2 -> W1, call 3 -> X (`called`, 窗口 2).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "engine/client/client.h"
#include "engine/core/calendar.h"
#include "engine/core/resident_id.h"
#include "engine/keys/person_hash.h"
#include "engine/protocol/event_codec.h"
#include "engine/protocol/message.h"
#include "tests/support/child_process.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/http_receiver.h"
#include "tests/support/run_program.h"
#include "tests/support/secure_engine.h"
#include "tests/support/stop_signals.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

namespace http = boost::beast::http;
using json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";
const std::string kHallName = "商家镇便民服务中心";  // conf/town.toml, [hall] name
const std::string kPhone = "13812345678";

// town.toml with social bookable all day.
std::string booking_hall(const TempDir& dir) {
  std::ifstream in(kTown);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string marker = "expected_handle_min = 6\n";
  const std::size_t at = text.find(marker);
  EXPECT_NE(at, std::string::npos);
  text.insert(at + marker.size(),
              "\n[service.appointments]\ncapacity = 4\nslot_min = 30\nhours = [\"00:00-24:00\"]\n"
              "check_in_before_min = 30\ncheck_in_after_min = 15\nbook_ahead_days = 7\n");
  // Estate's remote tickets (网上取号) at any hour, whenever the test runs.
  const std::string remote_hours = "[service.remote]\nhours = [\"08:30-16:30\"]";
  const std::size_t remote = text.find(remote_hours);
  EXPECT_NE(remote, std::string::npos);
  text.replace(remote, remote_hours.size(), "[service.remote]\nhours = [\"00:00-24:00\"]");
  const std::string path = dir.sub("town.toml");
  std::ofstream(path) << text;
  return path;
}

std::string id_born(std::string_view yyyymmdd, std::string_view order) {
  std::string id = "110105" + std::string(yyyymmdd) + std::string(order);
  id.push_back(core::resident_id_check_char(id));
  return id;
}

std::int64_t local_minute_now() {
  using namespace std::chrono;
  const std::int64_t us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return (us / 60'000'000) + 8 * 60;  // Beijing time, the hall's
}

// The next slot whose check-in is open now (Beijing time): its local day and minute.
struct Slot {
  std::int64_t day = 0;
  int minute = 0;
};
Slot next_open_slot() {
  const std::int64_t slot = (local_minute_now() / 30 + 1) * 30;
  return {slot / 1440, static_cast<int>(slot % 1440)};
}
// The same as people write it: {"YYYY-MM-DD", "HH:MM"}.
std::pair<std::string, std::string> next_slot() {
  const Slot s = next_open_slot();
  return {core::format_date(s.day), fmt::format("{:02}:{:02}", s.minute / 60, s.minute % 60)};
}

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    salt_ = dir_.sub("person.salt");
    keys::PersonSalt::generate().write_file(salt_);
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{booking_hall(dir_)}, dir_.sub("data"),
                                              std::vector<std::string>{"--person-salt", salt_});
    client::ClientOptions o;
    o.timeout = 3s;
    client_ = std::make_unique<client::Client>(ctx_, engine_->cmd(), o);
    std::tie(day_, slot_) = next_slot();
    today_ = core::format_date(local_minute_now() / 1440);
    std::ofstream(dir_.sub("sms.token")) << "t0ken\n";
  }

  std::string write_config(const std::string& extra_retry = "", const std::string& turn = "") {
    const std::string path = dir_.sub("notify.toml");
    std::ofstream(path) << fmt::format(R"([notify]
hall = "town"
engine = "{}"
events = "{}"
sent_log = "sent.log"

[near]
people = 1
template = "{{number}}号前面还有{{ahead}}人，请回到{{hall_name}}大厅"

[called]
template = "请{{number}}号到{{window}}号窗口办理"
{}
[gateway]
url = "{}"
body = '{{"mobile":"{{phone}}","content":"{{text}}"}}'
timeout_ms = 400

[gateway.headers]
Authorization = {{ file = "sms.token", prefix = "Bearer " }}

[retry]
initial_ms = 50
max_ms = 200
{}
)",
                                       engine_->cmd(), engine_->pub(), turn, receiver_.url("/sms/send"),
                                       extra_retry);
    return path;
  }

  std::unique_ptr<ChildProcess> start_notifier(const std::string& config) {
    auto p = std::make_unique<ChildProcess>(HALLQ_NOTIFY_PATH, std::vector<std::string>{"--config", config},
                                            ChildProcess::Options{{}, dir_.sub("notify.stderr")});
    EXPECT_TRUE(p->wait_prefix("synced town", 20s)) << p->output();
    return p;
  }

  std::string command(const core::CommandBody& body) {
    auto r = client_->command("town", body);
    EXPECT_TRUE(r && r->ok()) << (r ? r->message : std::string("no answer"));
    if (!r || r->events.empty()) return {};
    for (const std::string& e : r->events) {
      const protocol::EventSummary s = protocol::describe_event(protocol::as_bytes(e));
      if (!s.number.empty()) return s.number;
    }
    return {};
  }

  // Books social in the next slot and checks in: the appointment ticket's number.
  std::string book_and_check_in(const std::string& id, const std::string& phone) {
    json b = {{"service", "social"}, {"day", day_}, {"slot", slot_}, {"id_number", id}};
    if (!phone.empty()) b["phone"] = phone;
    HttpAnswer r = http_request(engine_->http(), http::verb::post, "/api/halls/town/appointments", b.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    const std::uint32_t code = r.j()["code"].get<std::uint32_t>();
    r = http_request(engine_->http(), http::verb::post,
                     fmt::format("/api/halls/town/appointments/{}/check-in", code));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.j()["number"].get<std::string>();
  }

  // The queue of the file's comment; x_ is the phoned booking's number.
  void make_queue() {
    command(core::OpenWindow{"w2", ""});
    n1_ = book_and_check_in(id_born("19700101", "111"), "");
    w1_ = command(core::IssueTicket{"social", core::Priority::kPriority});
    x_ = book_and_check_in(id_born("19800615", "123"), kPhone);
    ASSERT_FALSE(x_.empty());
  }

  void call_next() {
    // Finish what the window has (the first time: nothing), then call.
    client_->command("town", core::StartService{"w2"});
    client_->command("town", core::Finish{"w2"});
    command(core::CallNext{"w2"});
  }

  std::string near_text() const { return fmt::format("{}号前面还有1人，请回到{}大厅", x_, kHallName); }
  std::string called_text() const { return fmt::format("请{}号到2号窗口办理", x_); }
  std::string key(const std::string& kind) const {
    return fmt::format("town/{}/{}/{}", today_, x_, kind);  // the hall's day
  }

  static json body_of(const ReceivedRequest& r) { return json::parse(r.body, nullptr, false); }

  TempDir dir_{"hallq-notify"};
  HttpReceiver receiver_;
  zmq::context_t ctx_;
  std::string salt_, day_, slot_, today_, n1_, w1_, x_;
  std::unique_ptr<EngineProcess> engine_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(NotifyTest, BookedTicketGetsNearThenCalledWithTheWindowAndWalkInsGetNothing) {
  auto notifier = start_notifier(write_config());
  make_queue();

  call_next();  // N1 (no phone): X now has 1 ahead
  ASSERT_TRUE(receiver_.wait_for(1)) << notifier->output();
  call_next();  // W1 (walk-in)
  call_next();  // X
  ASSERT_TRUE(receiver_.wait_for(2)) << notifier->output();
  ASSERT_TRUE(notifier->wait_prefix("sent called", 10s)) << notifier->output();

  const auto got = receiver_.requests();
  ASSERT_EQ(got.size(), 2u) << notifier->output();
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].target, "/sms/send");
  EXPECT_EQ(got[0].header("authorization"), "Bearer t0ken");
  EXPECT_EQ(got[0].header("content-type"), "application/json");
  EXPECT_EQ(body_of(got[0])["mobile"], kPhone);
  EXPECT_EQ(body_of(got[0])["content"], near_text());
  EXPECT_EQ(got[0].header("idempotency-key"), key("near"));
  EXPECT_EQ(body_of(got[1])["mobile"], kPhone);
  EXPECT_EQ(body_of(got[1])["content"], called_text());
  EXPECT_EQ(got[1].header("idempotency-key"), key("called"));

  // A recall is the same kind: nothing more.
  command(core::Recall{"w2"});
  EXPECT_EQ(notifier->stop(), 0);
  EXPECT_EQ(receiver_.requests().size(), 2u);

  // Neither the program's output nor the sent-log holds the whole phone number.
  EXPECT_EQ(notifier->output().find(kPhone), std::string::npos) << notifier->output();
  EXPECT_NE(notifier->output().find("138****5678"), std::string::npos) << notifier->output();
  std::ifstream in(dir_.sub("sent.log"));
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(log.find(kPhone), std::string::npos) << log;
  EXPECT_NE(log.find(key("near")), std::string::npos) << log;
  EXPECT_NE(log.find(key("called")), std::string::npos) << log;
}

// A remote ticket (网上取号) with a phone whose turn comes before its citizen
// checked in: a walk-in estate ticket taken after it is called first at 不动产
// window 4. The notifier with a [turn] section sends 已到号 once, with the end
// of the 15 minutes' grace conf/town.toml gives estate (reckoned here from the
// call's own time, Beijing time) and the ticket's check-in code (from the
// engine's answer to IssueRemote). Before it, the usual `near`.
TEST_F(NotifyTest, ARemoteTicketWhoseTurnCameIsToldItsDeadlineAndCode) {
  auto notifier = start_notifier(write_config(
      "", "\n[turn]\ntemplate = \"{number}号已到号，请于{deadline}前到{hall_name}签到（签到码{code}）\"\n"));
  const std::string person(64, 'a');
  auto issued = client_->command("town", core::IssueRemote{"estate", person, kPhone, 7});
  ASSERT_TRUE(issued && issued->ok()) << (issued ? issued->message : std::string("no answer"));
  std::string remote;
  std::uint32_t code = 0;
  for (const std::string& e : issued->events) {
    const protocol::EventSummary s = protocol::describe_event(protocol::as_bytes(e));
    if (s.kind == "remote_ticket_issued") {
      remote = s.number;
      code = s.booking;  // its check-in code
    }
  }
  ASSERT_FALSE(remote.empty());
  ASSERT_NE(code, 0u);
  const std::string walk_in = command(core::IssueTicket{"estate", core::Priority::kNormal});
  command(core::OpenWindow{"w4", ""});
  const std::int64_t before = local_minute_now();
  EXPECT_EQ(command(core::CallNext{"w4"}), walk_in) << "the remote ticket is away: the walk-in behind it";
  const std::int64_t after = local_minute_now();
  // First `near` (nobody ahead of it once w4 opened: people = 1), then 已到号.
  ASSERT_TRUE(receiver_.wait_for(2)) << notifier->output();
  ASSERT_TRUE(notifier->wait_prefix("sent turn", 10s)) << notifier->output();

  const auto got = receiver_.requests();
  ASSERT_EQ(got.size(), 2u) << notifier->output();
  EXPECT_EQ(got[0].header("idempotency-key"), fmt::format("town/{}/{}/near", today_, remote));
  EXPECT_EQ(body_of(got[1])["mobile"], kPhone);
  EXPECT_EQ(got[1].header("idempotency-key"), fmt::format("town/{}/{}/turn", today_, remote));
  const auto text = [&](std::int64_t minute) {
    const std::int64_t m = (minute + 15) % 1440;
    return fmt::format("{}号已到号，请于{:02}:{:02}前到{}签到（签到码{:06}）", remote, m / 60, m % 60,
                       kHallName, code);
  };
  const std::string content = body_of(got[1])["content"];
  EXPECT_TRUE(content == text(before) || content == text(after)) << content;
  EXPECT_EQ(notifier->stop(), 0);
  EXPECT_EQ(receiver_.requests().size(), 2u) << "each sent once";
}

TEST_F(NotifyTest, FailuresAndATimeoutAreRetriedWithTheSameKeyAndDeliveredOnce) {
  auto notifier = start_notifier(write_config());
  make_queue();
  // The gateway hangs on the first request (the notifier times out after
  // 400 ms), answers 500 to the next two, then recovers.
  receiver_.hang(true);
  call_next();
  ASSERT_TRUE(receiver_.wait_for(1)) << notifier->output();
  receiver_.fail_next(2, 500);
  receiver_.hang(false);
  ASSERT_TRUE(notifier->wait_prefix("sent near", 20s)) << notifier->output();
  call_next();
  call_next();
  ASSERT_TRUE(notifier->wait_prefix("sent called", 20s)) << notifier->output();

  const auto got = receiver_.requests();
  ASSERT_EQ(got.size(), 5u) << notifier->output();
  std::vector<int> answers;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(got[i].header("idempotency-key"), key("near")) << i;
    EXPECT_EQ(body_of(got[i])["content"], near_text()) << i;
    answers.push_back(got[i].answered);
  }
  EXPECT_EQ(answers, (std::vector<int>{0, 500, 500, 200}));
  EXPECT_EQ(got[4].header("idempotency-key"), key("called"));
  EXPECT_EQ(got[4].answered, 200);
  const std::string out = notifier->output();
  EXPECT_NE(out.find("retry near " + x_ + " attempt=1 status=0 error=timeout"), std::string::npos) << out;
  EXPECT_NE(out.find("retry near " + x_ + " attempt=3 status=500"), std::string::npos) << out;
  EXPECT_NE(out.find("sent near " + x_ + " 138****5678 status=200 attempts=4"), std::string::npos) << out;
}

TEST_F(NotifyTest, APermanentRefusalIsLoggedAndNotRetried) {
  auto notifier = start_notifier(write_config());
  make_queue();
  receiver_.answer(400);
  call_next();
  ASSERT_TRUE(notifier->wait_prefix("refused near", 20s)) << notifier->output();
  receiver_.answer(200);
  call_next();
  call_next();
  ASSERT_TRUE(notifier->wait_prefix("sent called", 20s)) << notifier->output();
  const auto got = receiver_.requests();
  ASSERT_EQ(got.size(), 2u) << notifier->output();
  EXPECT_EQ(got[0].answered, 400);
  EXPECT_EQ(got[0].header("idempotency-key"), key("near"));
}

TEST_F(NotifyTest, GivesUpAfterTheLastAttempt) {
  auto notifier = start_notifier(write_config("max_attempts = 3"));
  make_queue();
  receiver_.answer(503);
  call_next();
  ASSERT_TRUE(notifier->wait_prefix("gave_up near", 20s)) << notifier->output();
  EXPECT_EQ(receiver_.requests().size(), 3u);
}

TEST_F(NotifyTest, KilledAfterASendAndRestartedItSendsNothingTwice) {
  const std::string config = write_config();
  auto notifier = start_notifier(config);
  make_queue();
  call_next();
  ASSERT_TRUE(notifier->wait_prefix("sent near", 20s)) << notifier->output();
  notifier->kill();  // SIGKILL

  notifier = start_notifier(config);
  EXPECT_NE(notifier->output().find("logged=1"), std::string::npos) << notifier->output();
  call_next();
  call_next();
  ASSERT_TRUE(notifier->wait_prefix("sent called", 20s)) << notifier->output();
  // The restarted notifier planned the hall at its snapshot, before these
  // calls: a second `near` would have come before the `called`.
  const auto got = receiver_.requests();
  ASSERT_EQ(got.size(), 2u) << notifier->output();
  EXPECT_EQ(got[0].header("idempotency-key"), key("near"));
  EXPECT_EQ(got[1].header("idempotency-key"), key("called"));
  EXPECT_EQ(notifier->output().find("sent near"), std::string::npos) << notifier->output();
}

TEST_F(NotifyTest, SigtermAndSigintStopItWithExit0WhileOtherSignalsDoNot) {
  const std::string config = write_config();
  make_queue();
  int round = 0;
  const std::string failed = check_stop_signals([&] { return start_notifier(config); },
                                                [&](ChildProcess& p) {
                                                  if (round++ == 0) {
                                                    call_next();
                                                    return p.wait_prefix("sent near", 20s).has_value();
                                                  }
                                                  call_next();
                                                  call_next();
                                                  return p.wait_prefix("sent called", 20s).has_value();
                                                });
  EXPECT_EQ(failed, "");
  EXPECT_EQ(receiver_.requests().size(), 2u);
}

// Over CURVE: the notifier's key (role notifier) gets the hall with the
// phones and sends; bookings and calls come from a manager's key.
TEST(NotifyCurve, ANotifierKeySyncsAndSends) {
  SecureEngine secure("hallq-notify-curve");
  secure.add_device("mgr", "manager", "town");
  secure.add_device("notify-1", "notifier", "town");
  TempDir dir("hallq-notify-curve-hall");
  secure.start({booking_hall(dir)});
  HttpReceiver receiver;
  const std::string config = dir.sub("notify.toml");
  std::ofstream(config) << fmt::format(R"([notify]
hall = "town"
engine = "{}"
events = "{}"
sent_log = "sent.log"

[near]
people = 1
template = "前面还有{{ahead}}人"

[called]
template = "请{{number}}号到{{window}}号窗口办理"
[gateway]
url = "{}"
body = '{{"mobile":"{{phone}}","content":"{{text}}"}}'

[security]
key_file = "{}"
engine_public_key_file = "{}"
)",
                                       secure.engine().cmd(), secure.engine().pub(), receiver.url("/sms"),
                                       secure.key_path("notify-1"), secure.engine_pub_path());
  ChildProcess notifier(HALLQ_NOTIFY_PATH, {"--config", config}, {{}, dir.sub("notify.stderr")});
  ASSERT_TRUE(notifier.wait_prefix("synced town", 20s)) << notifier.output();

  zmq::context_t ctx;
  client::ClientOptions o;
  o.curve = secure.curve("mgr");
  client::Client mgr(ctx, secure.engine().cmd(), o);
  const Slot slot = next_open_slot();
  auto r = mgr.command("town", core::OpenWindow{"w2", ""});
  ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
  r = mgr.command("town", core::Book{"social", slot.day, slot.minute, std::string(64, 'a'), kPhone, 1});
  ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
  const std::uint32_t code = protocol::describe_event(protocol::as_bytes(r->events.back())).booking;
  r = mgr.command("town", core::CheckIn{code});
  ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
  std::string number;
  for (const std::string& e : r->events) {
    const auto s = protocol::describe_event(protocol::as_bytes(e));
    if (!s.number.empty()) number = s.number;
  }
  r = mgr.command("town", core::CallNext{"w2"});
  ASSERT_TRUE(r && r->ok()) << (r ? r->message : "no answer");
  ASSERT_TRUE(notifier.wait_prefix("sent called", 20s)) << notifier.output();
  const auto got = receiver.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(json::parse(got[0].body)["mobile"], kPhone);
  EXPECT_EQ(json::parse(got[0].body)["content"], fmt::format("请{}号到2号窗口办理", number));
  EXPECT_EQ(notifier.stop(), 0);
}

TEST_F(NotifyTest, AnUnknownHallIsAConfigurationError) {
  std::string text;
  {
    std::ifstream in(write_config());
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  text.replace(text.find("hall = \"town\""), 13, "hall = \"nohall\"");
  const std::string path = dir_.sub("nohall.toml");
  std::ofstream(path) << text;
  const RunResult r = run_program(HALLQ_NOTIFY_PATH, {"--config", path});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("notify.hall：引擎上没有大厅 \"nohall\""), std::string::npos) << r.err;
}

TEST(NotifyConfigProgram, ABrokenConfigStopsItWithExit2AndTheMessage) {
  TempDir dir("hallq-notify-bad");
  const std::string path = dir.sub("notify.toml");
  std::ofstream(path) << R"([notify]
hall = "town"

[near]
people = 3
template = "前面还有{ahead}人"

[called]
template = "请到{window}号窗口"

[gateway]
url = "ftp://sms.example.cn/send"
body = '{"to":"{phone}","text":"{text}"}'
)";
  RunResult r = run_program(HALLQ_NOTIFY_PATH, {"--config", path});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(
      r.err.find(path +
                 ":12: gateway.url: \"ftp://sms.example.cn/send\" 不是 http://主机[:端口]/路径 形式的地址"),
      std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  std::ofstream(path) << R"([notify]
hall = "town"
colour = "red"
)";
  r = run_program(HALLQ_NOTIFY_PATH, {"--config", path});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(path + ":3: unknown key \"colour\" in [notify]"), std::string::npos) << r.err;

  r = run_program(HALLQ_NOTIFY_PATH, {"--config", dir.sub("missing.toml")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace hallq::testing
