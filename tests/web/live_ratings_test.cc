// Today's 好评率 and 差评率 on the managers' dashboard in a real browser
// (issue 21): the real hallqd on a simulated clock (a Monday 09:00, inside
// the town's hours whatever the real time), ratings made with the real hallq
// CLI, the figures read off the page by live_ratings_check.js in Debian's
// Chromium (Playwright), which counts the expected ones by hand. The
// script's lines are checked here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/support/engine_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

const std::string kSource = HALLQ_SOURCE_DIR;

TEST(LiveRatingsDashboardTest, HallWindowAndStaffRatesInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  TempDir dir;
  std::ifstream in(kSource + "/conf/town.toml");
  std::string conf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  conf +=
      "\n[[staff]]\nid = \"s01\"\nname = \"张敏\"\n\n[[staff]]\nid = \"s02\"\nname = \"李强\"\n\n"
      "[[staff]]\nid = \"s03\"\nname = \"王芳\"\n";
  std::ofstream(dir.path() + "/town.toml") << conf;
  EngineProcess engine({dir.path() + "/town.toml"}, dir.path() + "/data",
                       {"--time-scale", "1", "--time-start", "2026-03-02 09:00", "--advise-every", "0"});

  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const std::string out_dir =
      std::getenv("HALLQ_SCREENSHOTS") ? std::getenv("HALLQ_SCREENSHOTS") : dir.path();
  const RunResult r = run_program(HALLQ_NODE, {kSource + "/tests/web/live_ratings_check.js",
                                               "http://" + engine.http(), engine.cmd(), HALLQ_PATH, out_dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* line : {"rates_shown 66.7% 16.7%\n", "legends_shown\n", "live_update_ms "})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  EXPECT_NE(r.out.find("\nok\n"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(out_dir + "/dashboard-ratings.png"));
  std::cout << r.out;
}

}  // namespace
}  // namespace hallq::testing
