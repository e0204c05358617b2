// `hallq-kiosk --render SPOOL --out FILE.png [--ticket N]` renders the ticket
// its help names: the Nth of the spool, the first by default. Checked on a
// spool of two different tickets by scanning each rendered QR with zbarimg.
#include <gtest/gtest.h>

#include <fstream>

#include "adapters/kiosk/ticket_layout.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

const std::string kZbarimg = "/usr/bin/zbarimg";

kiosk::TicketInfo ticket(const std::string& number) {
  kiosk::TicketInfo t;
  t.hall_id = "town";
  t.hall_name = "商家镇便民服务中心";
  t.number = number;
  t.service_name = "社保医保";
  t.date = "2026-12-03";
  t.time = "09:12";
  t.qr = "https://q.example/town/2026-12-03/" + number;
  return t;
}

// The QR payload zbarimg reads from a PNG ("" if none).
std::string scan(const std::string& png) {
  const RunResult r = run_program(kZbarimg, {"-q", "--raw", png});
  std::string out = r.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(KioskRender, RendersTheTicketItsHelpNames) {
  ASSERT_TRUE(std::ifstream(kZbarimg)) << "zbarimg missing (zbar-tools, tools/install-deps.sh)";
  TempDir dir("hallq-kiosk-render");
  const std::string spool = dir.path() + "/spool.bin";
  std::ofstream(spool, std::ios::binary)
      << kiosk::layout_ticket(ticket("A001"), 5, 6) << kiosk::layout_ticket(ticket("B007"), 5, 6);
  const std::string png = dir.path() + "/t.png";

  RunResult r = run_program(KIOSK_PATH, {"--render", spool, "--out", png});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(scan(png), "https://q.example/town/2026-12-03/A001");  // default: the first

  r = run_program(KIOSK_PATH, {"--render", spool, "--out", png, "--ticket", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(scan(png), "https://q.example/town/2026-12-03/B007");

  r = run_program(KIOSK_PATH, {"--render", spool, "--out", png, "--ticket", "3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("holds 2 ticket(s)"), std::string::npos) << r.err;

  r = run_program(KIOSK_PATH, {"--help"});
  EXPECT_NE(r.out.find("从 1 数起（默认 1：第一张）"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hallq::testing
