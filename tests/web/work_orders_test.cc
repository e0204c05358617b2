// 差评工单 on the managers' dashboard in a real browser (issue 21): the real
// hallqd on a simulated clock (--time-scale 1 --time-start), stopped and
// started again on the same store on later dates, so that on the day the
// browser looks one order is overdue, one due soon and one open whatever the
// real date, time of day or weekday. work_orders_check.js then drives
// Debian's Chromium (Playwright) as an admin and a viewer. The script's
// lines are checked here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/server/accounts.h"
#include "tests/support/engine_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

const std::string kSource = HALLQ_SOURCE_DIR;

// The calendar of the test (2026-03-02 is a Monday; town has no holidays;
// follow_up_working_days = 5, due_soon_working_days = 1, counted by hand):
//   Mon 03-02  A001 (社保医保, w1, 张敏) rated 2   due Mon 03-09 (3,4,5,6,9)
//   Wed 03-04  D001 (户籍证件, w8, 李强) rated 1   due Wed 03-11 (5,6,9,10,11)
//   Tue 03-10  the browser looks: A001 overdue (1 working day late), D001 due
//              soon (1 working day left); E001 (民政残联, w9, 王芳) rated 2 then is open,
//              due Tue 03-17 (11,12,13,16,17), 5 working days left.
const char* const kFirstDay = "2026-03-02 09:00";
const char* const kSecondDay = "2026-03-04 09:00";
const char* const kLookDay = "2026-03-10 09:00";

std::vector<std::string> on_day(const std::string& accounts, const char* start) {
  return {"--accounts", accounts, "--time-scale", "1", "--time-start", start, "--advise-every", "0"};
}

// hallq --json ... against `engine`; the first line's JSON.
nlohmann::json hallq(const EngineProcess& engine, std::vector<std::string> args) {
  args.insert(args.begin(), {"--json", "--engine", engine.cmd()});
  const RunResult r = run_program(HALLQ_PATH, args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  return nlohmann::json::parse(r.out.substr(0, r.out.find('\n')), nullptr, false);
}

// Serves one ticket of `service` at `window` (opened by `staff`) and rates it; its number.
std::string serve_and_rate(const EngineProcess& engine, const std::string& service, const std::string& window,
                           const std::string& staff, int level) {
  hallq(engine, {"open", "town", window, "--staff", staff});
  const nlohmann::json issued = hallq(engine, {"issue", "town", service});
  std::string number;
  for (const nlohmann::json& e : issued["events"])
    if (e["kind"] == "ticket_issued") number = e["number"];
  hallq(engine, {"call", "town", window});
  hallq(engine, {"start", "town", window});
  hallq(engine, {"finish", "town", window});
  hallq(engine, {"evaluate", "town", number, std::to_string(level)});
  return number;
}

TEST(WorkOrdersDashboardTest, OverdueAlertListFormsAndRefusalsInChromium) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Chromium missing: run tools/install-deps.sh";
  TempDir dir;
  std::ifstream in(kSource + "/conf/town.toml");
  std::string conf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_NE(conf.find("follow_up_working_days = 5"), std::string::npos);
  ASSERT_EQ(conf.find("closed ="), std::string::npos);  // no holidays: the calendar above holds
  conf +=
      "\n[[staff]]\nid = \"s01\"\nname = \"张敏\"\n\n[[staff]]\nid = \"s08\"\nname = \"李强\"\n\n"
      "[[staff]]\nid = \"s09\"\nname = \"王芳\"\n";
  std::ofstream(dir.path() + "/town.toml") << conf;
  const std::string accounts = dir.path() + "/managers.toml";
  std::ofstream(accounts) << "[[manager]]\nname = \"zhang\"\nrole = \"admin\"\npassword_hash = \""
                          << server::hash_password("admin-pass-1") << "\"\n\n[[manager]]\nname = \"wang\"\n"
                          << "role = \"admin\"\npassword_hash = \"" << server::hash_password("admin-pass-2")
                          << "\"\n\n[[manager]]\nname = \"li\"\nrole = \"viewer\"\nhalls = [\"town\"]\n"
                          << "password_hash = \"" << server::hash_password("viewer-pass-1") << "\"\n";
  const std::vector<std::string> confs = {dir.path() + "/town.toml"};
  const std::string data = dir.path() + "/data";
  {
    EngineProcess monday(confs, data, on_day(accounts, kFirstDay));
    ASSERT_EQ(serve_and_rate(monday, "social", "w1", "s01", 2), "A001");
    ASSERT_EQ(monday.terminate(), 0);
  }
  {
    EngineProcess wednesday(confs, data, on_day(accounts, kSecondDay));
    ASSERT_EQ(serve_and_rate(wednesday, "police", "w8", "s08", 1), "D001");
    ASSERT_EQ(wednesday.terminate(), 0);
  }
  EngineProcess engine(confs, data, on_day(accounts, kLookDay));

  setenv("HALLQ_WEB_MODULES", HALLQ_WEB_MODULES, 1);
  const std::string out_dir =
      std::getenv("HALLQ_SCREENSHOTS") ? std::getenv("HALLQ_SCREENSHOTS") : dir.path();
  const RunResult r = run_program(HALLQ_NODE, {kSource + "/tests/web/work_orders_check.js",
                                               "http://" + engine.http(), engine.cmd(), HALLQ_PATH, out_dir});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* line :
       {"listed ", "new_order_visible_ms ", "why_shown 02=办事效率低、等候时间长,08=其他 comment_as_text",
        "hostile_note_as_text ", "race_refused ", "over_long_refused ", "closed_by zhang", "banner_gone ",
        "viewer_no_forms ", "minute_refresh "})
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  EXPECT_NE(r.out.find("\nok\n"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(out_dir + "/dashboard-work-orders.png"));
  std::cout << r.out;
}

}  // namespace
}  // namespace hallq::testing
