// The ticket page across the day's end in a real browser (issue 20, 21):
// Debian's Chromium at a phone's size (day_rollover_page_check.js) against
// the real hallq-citizen and a real hallqd over CURVE whose simulated clock
// (1×) starts on a Wednesday at 10:00; the test restarts hallqd on the same
// store the next morning, then on the first day past the hall's
// supplement_days, while the gateway and the browser's pages stay up. Day 1:
// A001 and A002 finished unrated, A003 waiting with its page open. Day 2:
// A003's open page says 号码已失效 by itself and its link reopened says the
// same (410, under the hall's name); A001 is rated 不满意 with two reasons by
// 补充评价, which hallqd's stream carries (channel phone, supplementary), and
// a second submit is refused in the engine's words. Day 3: A002's page, left
// open on 补充评价, is refused as too late, its link reopened says so, and the
// engine's sequence does not move. The expected words come from
// conf/town.toml (name, supplement_days, reasons) and the test's own dates.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/client/subscriber.h"
#include "engine/config/config_loader.h"
#include "tests/adapters/citizen/citizen_fixture.h"

namespace hallq::testing {
namespace {

// The test's days: a Wednesday with no holiday in conf/town.toml, its Thursday.
const std::string kDay1 = "2026-12-02", kDay1Words = "12月2日", kDay2 = "2026-12-03";

// The engine's TicketEvaluated events as its stream carries them.
struct EvaluatedEvents : client::Subscriber::Listener {
  void on_event(const core::Hall&, const protocol::DecodedEvent& e, protocol::Bytes) override {
    if (const auto* t = std::get_if<core::TicketEvaluated>(&e.event.body)) seen.push_back({e.number, *t});
  }
  std::vector<std::pair<std::string, core::TicketEvaluated>> seen;
};

// Polls `done` every 25 ms until it holds or `limit` passes (a condition with a deadline).
bool wait_until(const std::function<bool()>& done,
                std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return true;
}

// hallqd, the gateway and the hall's manager, across restarts of hallqd on
// later days (the same store, keys and endpoints).
class RolloverWorld {
 public:
  explicit RolloverWorld(const std::string& hall_path) : hall_path_(hall_path) {
    engine_.add_device("gw", "citizen", "town");
    engine_.add_device("m1", "manager", "town");
    engine_.start({hall_path_},
                  {"--time-scale", "1", "--time-start", kDay1 + " 10:00", "--advise-every", "0"});
    cmd_ = engine_.engine().cmd();
    pub_ = engine_.engine().pub();
    keys::write_ticket_secret_file(engine_.dir() + "/ticket.secret");
    secret_ = keys::read_ticket_secret_file(engine_.dir() + "/ticket.secret");
    const std::string config = engine_.dir() + "/citizen.toml";
    std::ofstream(config) << "[citizen]\nengine = \"" << cmd_ << "\"\nevents = \"" << pub_
                          << "\"\nhalls = [\"town\"]\nticket_secret = \"ticket.secret\"\n"
                          << "public_url = \"https://q.example.gov.cn/\"\n\n[limits]\n"
                          << "token_failures_burst = 50\ntoken_failures_per_minute = 1\n\n[security]\n"
                          << "key_file = \"keys/gw.key\"\nengine_public_key_file = \"keys/engine.pub\"\n";
    gateway_.emplace(HALLQ_CITIZEN_PATH,
                     std::vector<std::string>{"--config", config, "--listen", "127.0.0.1:0"},
                     ChildProcess::Options{{}, engine_.dir() + "/citizen.stderr"});
    const auto ready = gateway_->wait_prefix("hallq-citizen ready");
    if (!ready) throw std::runtime_error("hallq-citizen did not start: " + gateway_->output());
    const std::size_t at = ready->find("http=") + 5;
    http_ = ready->substr(at, ready->find(' ', at) - at);
    if (!wait_until([&] {
          const HttpAnswer h = http_request(http_, boost::beast::http::verb::get, "/healthz");
          return h.status == 200 && h.j()["halls"]["town"] == true;
        }))
      throw std::runtime_error("hallq-citizen never synced town");
  }

  // Stops hallqd (SIGTERM, as an upgrade would) and starts it again on the
  // same store and endpoints at `day` 09:00; returns once its hall has rolled
  // to that day.
  void restart_on(const std::string& day) {
    if (later_) {
      later_->stop();
    } else {
      engine_.engine().terminate();
    }
    later_.emplace(
        default_hallqd(),
        std::vector<std::string>{"--conf", hall_path_, "--data", engine_.dir() + "/data", "--cmd", cmd_,
                                 "--pub", pub_, "--http", "off", "--keys", engine_.dir() + "/keys.toml",
                                 "--time-scale", "1", "--time-start", day + " 09:00", "--advise-every", "0"},
        ChildProcess::Options{{}, engine_.dir() + "/" + day + ".stderr"});
    const auto ready =
        later_->wait_line([](const std::string& l) { return l.find("ready") != std::string::npos; });
    if (!ready) throw std::runtime_error("hallqd did not restart: " + later_->output());
    manager_.reset();
    if (!wait_until([&] {
          const auto d = try_snapshot();
          return d && core::format_date(d->state.day) == day;
        }))
      throw std::runtime_error("hallqd did not roll to " + day);
  }

  protocol::DecodedReply command(const core::CommandBody& body) {
    auto r = manager().command("town", body);
    if (!r) throw std::runtime_error("the engine did not answer");
    return *r;
  }
  protocol::DecodedSnapshot snapshot() {
    auto d = try_snapshot();
    if (!d) throw std::runtime_error("no snapshot");
    return *d;
  }
  // The engine's state of town, or nullopt if it did not answer (yet).
  std::optional<protocol::DecodedSnapshot> try_snapshot() {
    auto snap = manager().snapshot("town");
    protocol::DecodedSnapshot d;
    if (!snap || !protocol::decode_snapshot(protocol::as_bytes(snap->snapshot), d).ok()) return std::nullopt;
    return d;
  }

  // The QR link of `number` issued on kDay1, and its query for the API routes.
  std::string link(const std::string& number) const {
    return "http://" + http_ + "/t/town/" + kDay1 + "/" + number +
           "?k=" + keys::ticket_token(secret_, "town", kDay1, number);
  }
  std::string query(const std::string& number) const {
    return "hall=town&date=" + kDay1 + "&number=" + number +
           "&k=" + keys::ticket_token(secret_, "town", kDay1, number);
  }

  SecureEngine& engine() { return engine_; }
  const std::string& cmd() const { return cmd_; }
  const std::string& pub() const { return pub_; }
  const std::string& http() const { return http_; }
  zmq::context_t& ctx() { return ctx_; }

 private:
  client::Client& manager() {
    if (!manager_) {
      client::ClientOptions o;
      o.curve = engine_.curve("m1");
      manager_ = std::make_unique<client::Client>(ctx_, cmd_, o);
    }
    return *manager_;
  }

  std::string hall_path_;
  SecureEngine engine_{"hallq-rollover"};
  std::string cmd_, pub_, http_, secret_;
  zmq::context_t ctx_;
  std::unique_ptr<client::Client> manager_;
  std::optional<ChildProcess> gateway_, later_;  // later_: hallqd from the first restart on
};

TEST(DayRolloverPage, LapsedPageSupplementaryRatingAndItsEndInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  const std::string hall_path = kSourceDir + "/conf/town.toml";
  const auto town = config::load_hall_config(hall_path);
  const int supplement_days = town->evaluation.supplement_days;
  ASSERT_GE(supplement_days, 1);
  ASSERT_GE(town->evaluation.reasons.size(), 3u);
  const std::string day3 = core::format_date(*core::parse_day(kDay1) + supplement_days + 1);

  RolloverWorld w(hall_path);
  ASSERT_TRUE(w.command(core::OpenWindow{"w1", "s01"}).ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(w.command(core::IssueTicket{"social"}).ok());
  for (int i = 0; i < 2; ++i) {  // A001, A002: finished, not rated at the window
    ASSERT_TRUE(w.command(core::CallNext{"w1"}).ok());
    ASSERT_TRUE(w.command(core::StartService{"w1"}).ok());
    ASSERT_TRUE(w.command(core::Finish{"w1"}).ok());
  }

  const nlohmann::json spec{
      {"lapsing", w.link("A003")},
      {"rate", w.link("A001")},
      {"late", w.link("A002")},
      {"hall_name", town->name},
      {"lapsed_headline", "号码已失效"},
      {"lapsed_detail", "当日未办理的号码已作废，如需办理请重新取号"},
      {"already_rated", "A001 已评价过（不满意）"},
      {"too_late", fmt::format("{} 的号已过补充评价期限（办理后 {} 天内）", kDay1Words, supplement_days)},
  };
  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const std::string out_dir =
      std::getenv("HALLQ_SCREENSHOTS") ? std::getenv("HALLQ_SCREENSHOTS") : w.engine().dir();
  ChildProcess node(HALLQ_NODE,
                    {kSourceDir + "/tests/adapters/citizen/day_rollover_page_check.js", spec.dump(), out_dir},
                    ChildProcess::Options{{}, w.engine().dir() + "/node.stderr"});
  auto browser_said = [&] { return node.output(); };

  // Day 1 ends with A003's page open.
  ASSERT_TRUE(node.wait_prefix("restart", std::chrono::seconds(60)).has_value()) << browser_said();
  w.restart_on(kDay2);
  // The stream a manager's screen reads, from the new day on (the comment is personal data:
  // the manager's full copy).
  EvaluatedEvents events;
  client::SubscriberOptions so;
  so.curve = w.engine().curve("m1");
  so.personal_data = true;
  client::Subscriber watcher(w.ctx(), w.cmd(), w.pub(), {"town"}, &events, so);
  ASSERT_TRUE(wait_until([&] {
    watcher.poll(std::chrono::milliseconds(25));
    return watcher.synced("town");
  }));
  node.write_line("restarted");

  // Day 2: A003 lapsed on its open page, A001 rated by 补充评价, A002's page left open.
  ASSERT_TRUE(node.wait_prefix("restart", std::chrono::seconds(90)).has_value()) << browser_said();
  ASSERT_TRUE(wait_until([&] {
    watcher.poll(std::chrono::milliseconds(25));
    return !events.seen.empty();
  }));
  ASSERT_EQ(events.seen.size(), 1u);
  EXPECT_EQ(events.seen[0].first, "A001");
  const core::TicketEvaluated& e = events.seen[0].second;
  EXPECT_EQ(e.level, 2);
  EXPECT_EQ(e.reasons,
            (std::vector<std::string>{town->evaluation.reasons[0].code, town->evaluation.reasons[2].code}));
  EXPECT_EQ(e.comment, "第二天才想起来评价：材料清单没有写清楚");
  EXPECT_EQ(e.channel, core::EvaluationChannel::kPhone);
  EXPECT_TRUE(e.supplementary);

  // Day 3, the first past the supplement days: A002's page is refused, then gone.
  w.restart_on(day3);
  // The gateway has the new day once A002's link is no longer an open earlier day's.
  ASSERT_TRUE(wait_until([&] {
    return http_request(w.http(), boost::beast::http::verb::get, "/api/ticket?" + w.query("A002")).status ==
           410;
  }));
  const core::Seq before = w.snapshot().seq;
  node.write_line("restarted");
  const std::optional<int> status = node.wait_exit(std::chrono::seconds(60));
  ASSERT_EQ(status.value_or(-1), 0) << browser_said();
  const std::string out = node.output();
  std::cout << out;
  EXPECT_NE(out.find("lapsed 号码已失效|当日未办理的号码已作废，如需办理请重新取号\n"), std::string::npos)
      << out;
  EXPECT_NE(
      out.find("reloaded 410 " + town->name + "|号码已失效|当日未办理的号码已作废，如需办理请重新取号\n"),
      std::string::npos)
      << out;
  EXPECT_NE(
      out.find("chosen " + town->evaluation.reasons[0].code + "," + town->evaluation.reasons[2].code + "\n"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("refused A001 已评价过（不满意）\n"), std::string::npos) << out;
  const std::string too_late = spec["too_late"];
  EXPECT_NE(out.find("too_late " + too_late + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find("reloaded 410 " + town->name + "|号码已失效|" + too_late + "\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("\nok\n"), std::string::npos) << out;
  EXPECT_EQ(w.snapshot().seq, before) << "the refused rating changed nothing";
}

}  // namespace
}  // namespace hallq::testing
