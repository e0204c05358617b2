// Check-in by the hall's QR code (签到) end to end: Debian's Chromium at a
// phone's size (checkin_page_check.js) against the real hallq-citizen and
// hallqd over CURVE takes a remote ticket on /r/town, opens /c/town with the
// hall's current check-in token and checks it in; the engine's own snapshot
// then holds it waiting, checked in. A second remote ticket (issued by the
// manager) shows the refusals over plain HTTP: a stale token (two slots
// old) and a forged one answer 403 in Chinese and the engine's sequence
// does not move; the current token checks it in. The tokens are computed
// here by keys::checkin_token_at over the system clock at UTC+8, as the
// hall's screen does (the gateway accepts the previous slot too, so a slot
// that turns during the test does not matter).
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/keys/checkin_token.h"
#include "tests/adapters/citizen/citizen_fixture.h"
#include "tests/support/run_program.h"

namespace hallq::testing {
namespace {

const std::string kExpired = "签到二维码已过期，请扫描大厅屏幕上的最新二维码";

// The engine's record of a number today: its ticket's state and, for a
// remote ticket, its check-in state.
struct Held {
  core::TicketState ticket = core::TicketState::kLeft;
  std::optional<core::RemoteState> remote;
  std::uint32_t code = 0;
};
Held held(CitizenWorld& w, std::string_view service_prefix, std::uint32_t n) {
  const protocol::DecodedSnapshot d = w.snapshot();
  const std::optional<core::ServiceIdx> s = d.config->find_prefix(service_prefix);
  Held h;
  for (const core::Ticket& t : d.state.tickets) {
    if (!s || t.service != *s || t.number != n) continue;
    h.ticket = t.state;
    for (const core::RemoteTicket& r : d.state.remotes)
      if (r.ticket == t.id) {
        h.remote = r.state;
        h.code = r.code;
      }
  }
  return h;
}

TEST(CheckInPage, ScanTheHallsCodeAndCheckInInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  CitizenWorld w("token_failures_burst = 5\ntoken_failures_per_minute = 1\ncheckin_burst = 10\n",
                 all_day_remote);
  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const std::string out_dir =
      std::getenv("HALLQ_SCREENSHOTS") ? std::getenv("HALLQ_SCREENSHOTS") : w.engine().dir();
  auto token_at = [&](core::TimeUs t) { return keys::checkin_token_at(w.secret(), "town", t, 8 * 60); };
  const core::TimeUs now = time::system_clock().now_us();
  const RunResult r = run_program(HALLQ_NODE, {kSourceDir + "/tests/adapters/citizen/checkin_page_check.js",
                                               "http://" + w.http(), token_at(now), out_dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("empty 本手机上没有今天在本厅网上取的号。请先打开取号成功后的号票页面"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("checked_in B001 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nok\n"), std::string::npos) << r.out;
  std::cout << r.out;
  const Held b1 = held(w, "B", 1);
  EXPECT_EQ(b1.ticket, core::TicketState::kWaiting) << "the engine holds B001 in its line";
  EXPECT_EQ(b1.remote, core::RemoteState::kCheckedIn);

  // B002, taken by another person; refused with stale and forged codes.
  const protocol::DecodedReply issued = w.command(core::IssueRemote{"estate", std::string(64, 'b'), "", 7});
  ASSERT_TRUE(issued.ok()) << issued.message;
  ASSERT_EQ(held(w, "B", 2).ticket, core::TicketState::kNotArrived);
  HttpRequestOptions same_origin;
  same_origin.headers["Origin"] = "http://" + w.http();
  auto check_in = [&](const std::string& c) {
    const nlohmann::json body{
        {"hall", "town"}, {"date", w.today()}, {"number", "B002"}, {"k", w.token("B002")}, {"c", c}};
    return http_request(w.http(), boost::beast::http::verb::post, "/api/checkin", body.dump(), same_origin);
  };
  const core::Seq before = w.seq();
  const std::string stale = token_at(time::system_clock().now_us() - 20 * core::kUsPerMinute);
  const HttpAnswer page = http_request(w.http(), boost::beast::http::verb::get, "/c/town?k=" + stale);
  EXPECT_EQ(page.status, 403);
  EXPECT_NE(page.body.find(kExpired), std::string::npos) << page.body;
  for (const std::string& c : {stale, std::string("AAAAAAAAAAAAAAAAAAAAAA"), w.token("B002")}) {
    const HttpAnswer a = check_in(c);
    EXPECT_EQ(a.status, 403) << c << " -> " << a.body;
    EXPECT_EQ(a.j()["message"], kExpired) << a.body;
  }
  EXPECT_EQ(w.seq(), before) << "nothing changed";
  EXPECT_EQ(held(w, "B", 2).ticket, core::TicketState::kNotArrived);

  const HttpAnswer good = check_in(token_at(time::system_clock().now_us()));
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(good.j()["state"], "waiting") << good.body;
  EXPECT_EQ(held(w, "B", 2).ticket, core::TicketState::kWaiting);
}

}  // namespace
}  // namespace hallq::testing
