// The ticket page in a real browser: Debian's Chromium at a phone's size,
// driven by Playwright (ticket_page_check.js) against the real hallq-citizen
// and hallqd, acting with the real hallq CLI. The script's lines are checked
// here. HALLQ_SCREENSHOTS=DIR keeps its screenshots (the README's come from
// tools/citizen-screenshots).
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/adapters/citizen/citizen_fixture.h"
#include "tests/support/run_program.h"

namespace hallq::testing {
namespace {

TEST(TicketPage, QrLinkCallAndCancelInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  CitizenWorld w;
  const std::string a1 = w.issue(), a2 = w.issue();
  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const std::string out_dir =
      std::getenv("HALLQ_SCREENSHOTS") ? std::getenv("HALLQ_SCREENSHOTS") : w.engine().dir();
  const RunResult r =
      run_program(HALLQ_NODE, {kSourceDir + "/tests/adapters/citizen/ticket_page_check.js",
                               "http://" + w.http() + w.page(a1), "http://" + w.http() + w.page(a2),
                               w.engine().engine().cmd(), HALLQ_PATH, w.engine().key_path("m1"),
                               w.engine().engine_pub_path(), out_dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("page_number A001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("call_visible_ms "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cancelled waiting "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nok\n"), std::string::npos) << r.out;
  std::cout << r.out;
}

}  // namespace
}  // namespace hallq::testing
