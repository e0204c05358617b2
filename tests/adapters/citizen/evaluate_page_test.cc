// 好差评 on the ticket page in a real browser (issue 21): Debian's Chromium at
// a phone's size, driven by Playwright (evaluate_page_check.js), against the
// real hallq-citizen and hallqd over CURVE. A finished ticket is rated 不满意
// with two of the hall's reasons and a comment; the engine's stream carries
// the rating with channel phone; a second rating is refused on the page in
// the engine's words; hostile POSTs over real HTTP (wrong token, unknown
// reason code, level 7, over-long comment, another site) change nothing.
// The reasons expected are read from conf/town.toml here. Screenshots for
// the README: HALLQ_SCREENSHOTS=doc.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/client/subscriber.h"
#include "engine/config/config_loader.h"
#include "tests/adapters/citizen/citizen_fixture.h"
#include "tests/support/run_program.h"

namespace hallq::testing {
namespace {

// The engine's TicketEvaluated events as its stream carries them.
struct EvaluatedEvents : client::Subscriber::Listener {
  void on_event(const core::Hall&, const protocol::DecodedEvent& e, protocol::Bytes) override {
    if (const auto* t = std::get_if<core::TicketEvaluated>(&e.event.body)) seen.push_back({e.number, *t});
  }
  std::vector<std::pair<std::string, core::TicketEvaluated>> seen;
};

core::Ticket ticket_of(const protocol::DecodedSnapshot& d, std::uint32_t number) {
  for (const core::Ticket& t : d.state.tickets)
    if (t.number == number) return t;
  return {};
}

TEST(EvaluatePage, RateWithReasonsInChromiumThenASecondRatingIsRefused) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  const auto town = config::load_hall_config(kSourceDir + "/conf/town.toml");
  const std::vector<core::EvaluationReason>& reasons = town->evaluation.reasons;
  ASSERT_GE(reasons.size(), 3u);
  CitizenWorld w("token_failures_burst = 50\ntoken_failures_per_minute = 1\n");
  ASSERT_TRUE(w.command(core::OpenWindow{"w1", "s01"}).ok());
  std::vector<std::string> numbers;
  for (int i = 0; i < 2; ++i) {
    numbers.push_back(w.issue());
    ASSERT_TRUE(w.command(core::CallNext{"w1"}).ok());
    ASSERT_TRUE(w.command(core::StartService{"w1"}).ok());
    ASSERT_TRUE(w.command(core::Finish{"w1"}).ok());
  }
  EvaluatedEvents events;
  client::SubscriberOptions so;
  so.curve = w.engine().curve("m1");
  so.personal_data = true;  // the comment is personal data (SECURITY.md): the manager's full copy
  client::Subscriber watcher(w.ctx(), w.engine().engine().cmd(), w.engine().engine().pub(), {"town"}, &events,
                             so);
  const auto synced_by = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!watcher.synced("town") && std::chrono::steady_clock::now() < synced_by)
    watcher.poll(std::chrono::milliseconds(50));
  ASSERT_TRUE(watcher.synced("town"));

  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const std::string out_dir =
      std::getenv("HALLQ_SCREENSHOTS") ? std::getenv("HALLQ_SCREENSHOTS") : w.engine().dir();
  const RunResult r = run_program(HALLQ_NODE, {kSourceDir + "/tests/adapters/citizen/evaluate_page_check.js",
                                               "http://" + w.http() + w.page(numbers[0]), out_dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::cout << r.out;
  std::string shown;
  for (const core::EvaluationReason& e : reasons) shown += (shown.empty() ? "" : "|") + e.text;
  EXPECT_NE(r.out.find("reasons " + shown + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chosen " + reasons[0].code + "," + reasons[2].code + "\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("rated 您的评价：不满意\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("refused " + numbers[0] + " 已评价过"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nok\n"), std::string::npos) << r.out;

  // The engine's record: rated 2 once, by phone, with the two reasons and the comment on one line.
  const auto seen_by = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (events.seen.empty() && std::chrono::steady_clock::now() < seen_by)
    watcher.poll(std::chrono::milliseconds(50));
  ASSERT_EQ(events.seen.size(), 1u);
  EXPECT_EQ(events.seen[0].first, numbers[0]);
  EXPECT_EQ(events.seen[0].second.level, 2);
  EXPECT_EQ(events.seen[0].second.reasons, (std::vector<std::string>{reasons[0].code, reasons[2].code}));
  EXPECT_EQ(events.seen[0].second.comment, "窗口人员态度冷淡， 材料清单没有写清楚");
  EXPECT_EQ(events.seen[0].second.channel, core::EvaluationChannel::kPhone);
  EXPECT_FALSE(events.seen[0].second.supplementary);
  const core::Ticket a1 = ticket_of(w.snapshot(), 1);
  EXPECT_EQ(a1.state, core::TicketState::kRated);
  EXPECT_EQ(a1.rating, 2);

  // Hostile POSTs on the second finished ticket: refused, nothing changed.
  const core::Seq before = w.seq();
  HttpRequestOptions same_origin;
  same_origin.headers["Origin"] = "http://" + w.http();
  std::string long_comment;
  for (int i = 0; i < 201; ++i) long_comment += "差";
  const std::string good = "/api/evaluate?" + w.query(numbers[1]);
  const std::string forged =
      "/api/evaluate?hall=town&date=" + w.today() + "&number=" + numbers[1] + "&k=AAAAAAAAAAAAAAAAAAAAAA";
  struct Case {
    std::string target, body;
    int status;
  };
  const std::vector<Case> cases{
      {forged, R"({"level": 1})", 404},
      {good, R"({"level": 1, "reasons": ["no-such-code"]})", 400},
      {good, R"({"level": 7})", 400},
      {good, nlohmann::json{{"level", 1}, {"comment", long_comment}}.dump(), 400},
  };
  for (const Case& c : cases) {
    const HttpAnswer a =
        http_request(w.http(), boost::beast::http::verb::post, c.target, c.body, same_origin);
    EXPECT_EQ(a.status, c.status) << c.body << " -> " << a.body;
    EXPECT_FALSE(a.j()["message"].get<std::string>().empty()) << a.body;
  }
  HttpRequestOptions foreign;
  foreign.headers["Origin"] = "https://evil.example.com";
  EXPECT_EQ(http_request(w.http(), boost::beast::http::verb::post, good, R"({"level": 1})", foreign).status,
            403);
  EXPECT_EQ(w.seq(), before) << "nothing changed";
  EXPECT_EQ(ticket_of(w.snapshot(), 2).state, core::TicketState::kDone);
}

}  // namespace
}  // namespace hallq::testing
