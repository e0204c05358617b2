// The gateway's error pages in a real browser (issue 20, "bad input: a precise
// message"): Debian's Chromium at a phone's size (error_page_check.js)
// against the real hallq-citizen and hallqd over CURVE. A page names the hall
// (its name from conf/town.toml) where the gateway knows it: a link cut short
// (400) or refused for too many failed lookups (429) whose hall part is a
// served hall, a link of an earlier day (410: 号码已失效, and past the
// supplement days that 补充评价 is over, in words built here from
// conf/town.toml and the link's date), a stale check-in code (403). A token
// that does not match (404) names none, and its page is the same byte for
// byte whether the link names the hall, no hall, or another hall with this
// hall's token. No case here depends on today's date.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/config/config_loader.h"
#include "tests/adapters/citizen/citizen_fixture.h"
#include "tests/support/run_program.h"

namespace hallq::testing {
namespace {

TEST(ErrorPage, NamesTheHallWhereTheGatewayKnowsItInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  const auto town = config::load_hall_config(kSourceDir + "/conf/town.toml");
  const std::string name = town->name;
  // Failed lookups below: 2 × 400, 3 × 404, 1 × 403 before the address is spent on purpose.
  CitizenWorld w("token_failures_burst = 8\ntoken_failures_per_minute = 1\n");
  const std::string base = "http://" + w.http();
  const std::string old_day = "2020-01-01";  // long past any hall's supplement days
  const std::string old_token = keys::ticket_token(w.secret(), "town", old_day, "A001");
  const std::string forged(22, 'A');
  const std::string bad_link = "链接不完整或有误，请重新扫描号票上的二维码";
  const std::string not_found = "找不到这张号票：链接无效，请重新扫描号票上的二维码";
  const std::string too_many = "查询失败次数过多，请稍后再试";
  const std::string too_late =
      fmt::format("1月1日 的号已过补充评价期限（办理后 {} 天内）", town->evaluation.supplement_days);
  struct Case {
    std::string url;
    std::string line;  // "STATUS HALL|ERROR|DETAIL"
    int until = 0;
  };
  const std::vector<Case> cases{
      {"/t/town/" + old_day + "/A001?k=short", "400 " + name + "|" + bad_link + "|-"},
      {"/t/nohall/" + old_day + "/A001?k=short", "400 -|" + bad_link + "|-"},
      {"/t/town/" + old_day + "/A001?k=" + forged, "404 -|" + not_found + "|-"},
      {"/t/nohall/" + old_day + "/A001?k=" + forged, "404 -|" + not_found + "|-"},
      {"/t/district/" + old_day + "/A001?k=" + old_token, "404 -|" + not_found + "|-"},
      {"/t/town/" + old_day + "/A001?k=" + old_token, "410 " + name + "|号码已失效|" + too_late},
      {"/c/town?k=" + forged, "403 " + name + "|签到二维码已过期，请扫描大厅屏幕上的最新二维码|-"},
      {"/t/town/" + old_day + "/A002?k=" + forged, "429 " + name + "|" + too_many + "|-",
       429},  // spends the rest
      {"/t/town/" + old_day + "/A001?k=short", "429 " + name + "|" + too_many + "|-"},
      {"/t/nohall/" + old_day + "/A001?k=short", "429 -|" + too_many + "|-"},
      {"/c/town?k=" + forged, "429 " + name + "|" + too_many + "|-"},
  };
  nlohmann::json list = nlohmann::json::array();
  for (const Case& c : cases) {
    nlohmann::json j{{"url", base + c.url}};
    if (c.until != 0) j["until"] = c.until;
    list.push_back(j);
  }
  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const std::string out_dir =
      std::getenv("HALLQ_SCREENSHOTS") ? std::getenv("HALLQ_SCREENSHOTS") : w.engine().dir();
  const core::Seq before = w.seq();
  const RunResult r = run_program(
      HALLQ_NODE, {kSourceDir + "/tests/adapters/citizen/error_page_check.js", list.dump(), out_dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (std::size_t i = 0; i < cases.size(); ++i)
    EXPECT_NE(r.out.find(fmt::format("case {} {}\n", i, cases[i].line)), std::string::npos)
        << cases[i].url << "\n"
        << r.out;
  // The three 404s: one page, whatever hall the link names.
  auto main_of = [&](std::size_t i) {
    const std::string tag = fmt::format("main {} ", i);
    const std::size_t at = r.out.find(tag);
    if (at == std::string::npos) return std::string();
    const std::size_t from = at + tag.size();
    return r.out.substr(from, r.out.find('\n', from) - from);
  };
  EXPECT_FALSE(main_of(2).empty());
  EXPECT_EQ(main_of(2), main_of(3));
  EXPECT_EQ(main_of(2), main_of(4));
  EXPECT_EQ(main_of(2).find(name), std::string::npos);
  EXPECT_EQ(w.seq(), before) << "an error page changes nothing";
}

}  // namespace
}  // namespace hallq::testing
