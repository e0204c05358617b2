// The remote-ticket page (网上取号) in a real browser: Debian's Chromium at a
// phone's size, driven by Playwright (remote_page_check.js) against the real
// hallq-citizen and hallqd over CURVE, acting with the real hallq CLI:
// remote ticket -> check-in -> call. The hall is conf/town.toml with the
// remote hours widened to the whole day, so the test runs at any hour.
// Screenshots for the README: HALLQ_SCREENSHOTS=doc.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/adapters/citizen/citizen_fixture.h"
#include "tests/support/run_program.h"

namespace hallq::testing {
namespace {

TEST(RemotePage, TakeCheckInAndCallInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  CitizenWorld w("token_failures_burst = 5\ntoken_failures_per_minute = 1\n", all_day_remote);
  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const std::string out_dir =
      std::getenv("HALLQ_SCREENSHOTS") ? std::getenv("HALLQ_SCREENSHOTS") : w.engine().dir();
  const RunResult r =
      run_program(HALLQ_NODE, {kSourceDir + "/tests/adapters/citizen/remote_page_check.js",
                               "http://" + w.http() + "/r/town", w.engine().engine().cmd(), HALLQ_PATH,
                               w.engine().key_path("m1"), w.engine().engine_pub_path(), out_dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("refused 身份证号码校验位不正确，请核对后重新输入"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("taken B001 code "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("call_visible_ms "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("again 您已在本厅网上取号 B001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nok\n"), std::string::npos) << r.out;
  std::cout << r.out;
}

}  // namespace
}  // namespace hallq::testing
