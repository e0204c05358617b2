// hallq-kiosk against the real hallqd: tickets issued and printed (the
// printed bytes decoded), refusals, the elderly priority path, appointments
// checked in once, the engine killed and restarted under a pending tap, a TCP
// printer, the touch screen headless, and broken configs.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <fstream>

#include "adapters/kiosk/escpos_decoder.h"
#include "adapters/kiosk/kiosk_config.h"
#include "adapters/kiosk/kiosk_layout.h"
#include "adapters/kiosk/printer_status.h"
#include "adapters/kiosk/ticket_layout.h"
#include "engine/config/config_error.h"
#include "engine/core/resident_id.h"
#include "engine/device/sdl/png_frame.h"
#include "engine/keys/ticket_token.h"
#include "tests/adapters/kiosk/kiosk_fixture.h"
#include "tests/support/run_program.h"

namespace hallq::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

TEST_F(KioskTest, IssuesAndPrintsTheAcknowledgedTicket) {
  open_window("w1");
  issue_directly("social");  // one citizen ahead
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  k->write_line("tap social");
  const json issued = wait_json_event(*k, "issued");
  ASSERT_FALSE(issued.is_null()) << k->output();
  EXPECT_EQ(issued["number"], "A002");
  EXPECT_EQ(issued["ahead"], 1);
  const json printed = wait_json_event(*k, "printed");
  ASSERT_FALSE(printed.is_null()) << k->output();
  const auto tickets = spool();
  ASSERT_EQ(tickets.size(), 1u);
  const auto t = texts(tickets[0]);
  EXPECT_TRUE(contains(t, "商家镇便民服务中心")) << kiosk::describe(tickets[0]);
  EXPECT_TRUE(contains(t, "A002"));
  EXPECT_TRUE(contains(t, "社保医保"));
  EXPECT_TRUE(contains(t, "前面等候：1 人"));
  EXPECT_TRUE(contains(t, "预计等待：" + kiosk::wait_text(issued["predicted_wait_s"].get<int>())));
  ASSERT_EQ(tickets[0].qrs().size(), 1u);
  EXPECT_EQ(tickets[0].qrs()[0]->data, "https://q.example/town/" + today_iso() + "/A002");
  EXPECT_EQ(issue_directly("social"), "A003");  // the kiosk issued exactly one
}

// qr_url with {token} and a ticket secret: the printed QR (decoded from the
// ESC/POS bytes the printer got) carries the ticket's page token, which the
// secret verifies for this hall, day and number only.
TEST_F(KioskTest, PrintedQrCarriesTheTicketsPageToken) {
  const std::string secret_file = dir_.path() + "/ticket.secret";
  keys::write_ticket_secret_file(secret_file);
  qr_lines_ =
      "qr_url = \"https://q.example.gov.cn/t/{hall}/{date}/{number}?k={token}\"\n"
      "ticket_secret = \"ticket.secret\"\n";
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  k->write_line("tap social");
  ASSERT_FALSE(wait_json_event(*k, "printed").is_null()) << k->output();
  const auto tickets = spool();
  ASSERT_EQ(tickets.size(), 1u);
  ASSERT_EQ(tickets[0].qrs().size(), 1u);
  const std::string url = tickets[0].qrs()[0]->data;
  const std::string prefix = "https://q.example.gov.cn/t/town/" + today_iso() + "/A001?k=";
  ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;
  const std::string token = url.substr(prefix.size());
  EXPECT_EQ(token.size(), keys::kTicketTokenLength);
  const std::string secret = keys::read_ticket_secret_file(secret_file);
  EXPECT_TRUE(keys::verify_ticket_token(secret, "town", today_iso(), "A001", token)) << url;
  EXPECT_FALSE(keys::verify_ticket_token(secret, "town", today_iso(), "A002", token));

  // {token} without a secret is a config error naming the key.
  qr_lines_ = "qr_url = \"https://q.example.gov.cn/t/{hall}/{date}/{number}?k={token}\"\n";
  try {
    (void)kiosk::load_kiosk_config(write_config());
    ADD_FAILURE() << "accepted {token} without ticket_secret";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("printer.qr_url: {token} needs ticket_secret"), std::string::npos)
        << e.what();
  }
}

// SIGTERM and SIGINT stop an idle kiosk with exit 0 (a signal interrupting its
// poll used to escape as an exception: exit 1).
TEST_F(KioskTest, StopSignalsEndAnIdleKioskWithExit0) {
  open_window("w1");
  for (int sig : {SIGTERM, SIGINT}) {
    auto k = start_kiosk();
    ASSERT_TRUE(wait_open(*k, "social")) << k->output();
    k->signal(sig);
    EXPECT_EQ(k->wait_exit(10s), 0) << sig << "\n" << k->output();
  }
}

TEST_F(KioskTest, RefusesServiceWithoutWindowAndShowsEngineReasons) {
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  k->write_line("tap tax");  // w1 serves social and civil only
  const json r = wait_json_event(*k, "refused");
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["reason"], "该事项暂无窗口办理，请咨询导办台");
  EXPECT_EQ(issue_directly("tax"), "G001");  // nothing was sent
  k->write_line("priority 老年人");          // not a category: the elderly go by ID number
  EXPECT_FALSE(wait_json_event(*k, "refused").is_null());
}

TEST_F(KioskTest, ElderlyPriorityByIdNumber) {
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  const std::string young = id_born("19900101"), old = id_born("19500101");
  k->write_line("id " + young);
  const json r = wait_json_event(*k, "refused");
  EXPECT_EQ(r["reason"], "年满 65 周岁可走优先通道，请取普通号");
  k->write_line("id " + old);
  const json st =
      wait_json(*k, [](const json& j) { return j["event"] == "state" && j["screen"] == "priority"; });
  EXPECT_EQ(st["priority"], "优先（老年人）");
  k->write_line("tap social");
  const json issued = wait_json_event(*k, "issued");
  EXPECT_EQ(issued["priority"], "priority");
  ASSERT_FALSE(wait_json_event(*k, "printed").is_null());
  const auto tickets = spool();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_TRUE(contains(texts(tickets[0]), "优先（老年人）"));
  // The ID number never leaves the kiosk in full: not on stdout, not on paper.
  const std::string bytes = slurp(dir_.path() + "/spool.bin");
  EXPECT_EQ(bytes.find(old), std::string::npos);
  EXPECT_EQ(k->output().find(old), std::string::npos);
  EXPECT_NE(k->output().find(core::mask_resident_id(old)), std::string::npos);
}

TEST_F(KioskTest, AppointmentChecksInOnceEvenAcrossRestarts) {
  open_window("w1");
  {
    auto k = start_kiosk();
    ASSERT_TRUE(wait_open(*k, "social")) << k->output();
    k->write_line("appt 482913");
    const json issued = wait_json_event(*k, "issued");
    ASSERT_FALSE(issued.is_null()) << k->output();
    EXPECT_EQ(issued["priority"], "appointment");
    ASSERT_FALSE(wait_json_event(*k, "printed").is_null());
    k->write_line("appt 482913");
    EXPECT_EQ(wait_json_event(*k, "refused")["reason"], "该预约码已签到，请勿重复取号");
  }
  auto k2 = start_kiosk();
  ASSERT_TRUE(wait_open(*k2, "social"));
  k2->write_line("appt 482913");
  EXPECT_EQ(wait_json_event(*k2, "refused")["reason"], "该预约码已签到，请勿重复取号");
  EXPECT_EQ(spool().size(), 1u);
  EXPECT_EQ(issue_directly("social"), "A002");
}

TEST_F(KioskTest, TapWhileEngineIsDownIsIssuedOnceAfterRestart) {
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  engine_->kill9();
  k->write_line("tap social");
  ASSERT_FALSE(wait_json_event(*k, "connecting").is_null()) << k->output();
  k->write_line("tap social");  // an impatient second tap while connecting
  // Let several resends queue up before the engine returns.
  ASSERT_FALSE(wait_json(*k, [](const json& j) {
                 return j["event"] == "state" && j["screen"] == "pending";
               }).is_null());
  engine_->restart();
  const json issued = wait_json_event(*k, "issued", 20s);
  ASSERT_FALSE(issued.is_null()) << k->output();
  EXPECT_EQ(issued["number"], "A001");
  EXPECT_GE(issued["sends"].get<int>(), 2);
  ASSERT_FALSE(wait_json_event(*k, "printed").is_null());
  EXPECT_EQ(spool().size(), 1u);
  EXPECT_EQ(issue_directly("social"), "A002");  // exactly one ticket was issued
}

TEST_F(KioskTest, EngineRefusalIsShownAsItComes) {
  // Offline from the start: no replica, so the engine decides and explains.
  engine_->kill9();
  auto k = start_kiosk();
  k->write_line("tap nosuch");
  ASSERT_FALSE(wait_json_event(*k, "connecting").is_null());
  engine_->restart();
  const json r = wait_json_event(*k, "refused", 20s);
  ASSERT_FALSE(r.is_null()) << k->output();
  EXPECT_EQ(r["code"], "unknown_service");
  EXPECT_NE(r["reason"].get<std::string>().find("nosuch"), std::string::npos) << r.dump();
}

TEST_F(KioskTest, PrintsToARawTcpPrinter) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  printer_ = "kind = \"tcp\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(ntohs(addr.sin_port)) + "\n";
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social"));
  k->write_line("tap social");
  ASSERT_FALSE(wait_json_event(*k, "printed").is_null()) << k->output();
  // The kiosk's status probes (DLE EOT queries, unanswered here) come on their own connections.
  std::string bytes;
  for (int i = 0; i < 20 && (bytes.empty() || bytes == kiosk::kStatusQueries); ++i) {
    const int conn = ::accept(listener, nullptr, nullptr);
    ASSERT_GE(conn, 0);
    bytes.clear();
    char buf[4096];
    for (ssize_t n; (n = ::read(conn, buf, sizeof buf)) > 0;) bytes.append(buf, static_cast<std::size_t>(n));
    ::close(conn);
  }
  ::close(listener);
  const auto p = kiosk::decode_escpos(bytes);
  EXPECT_TRUE(p.error.empty()) << p.error;
  EXPECT_EQ(p.cuts(), 1);
  EXPECT_TRUE(contains(texts(p), "A001"));
}

// A printer that refuses connections is known before anyone taps: the screen
// says so in Chinese, the status line is not "系统正常", and no ticket is
// issued (the print-failure-after-issue path: kiosk_printer_test.cc).
TEST_F(KioskTest, PrinterDownIsSaidAtOnceAndNothingIsIssued) {
  printer_ =
      "kind = \"tcp\"\nhost = \"127.0.0.1\"\nport = 1\ntimeout_ms = 200\n";  // nothing listens on port 1
  open_window("w1");
  auto k = start_kiosk();
  const json p = wait_json_event(*k, "printer");
  ASSERT_FALSE(p.is_null()) << k->output();
  EXPECT_EQ(p["state"], "unreachable");
  EXPECT_EQ(p["status"], "打印机故障");
  EXPECT_EQ(p["message"], "打印机故障，暂停取号。请到咨询台取号或稍候");
  ASSERT_TRUE(wait_open(*k, "social"));
  k->write_line("state");
  const json st = wait_json_event(*k, "state");
  EXPECT_EQ(st["status"], "打印机故障") << st.dump();
  EXPECT_EQ(st["printer_message"], "打印机故障，暂停取号。请到咨询台取号或稍候");
  k->write_line("tap social");
  const json r = wait_json_event(*k, "refused");
  ASSERT_FALSE(r.is_null()) << k->output();
  EXPECT_EQ(r["reason"], "打印机故障，暂停取号。请到咨询台取号或稍候");
  EXPECT_EQ(r["code"], "printer");
  EXPECT_EQ(issue_directly("social"), "A001");  // nothing was issued
  EXPECT_EQ(k->output().find("\"issued\""), std::string::npos);
}

TEST_F(KioskTest, TouchScreenHeadlessWithSnapshots) {
  open_window("w1");
  const std::string png = dir_.path() + "/screen.png";
  auto k = start_kiosk({"--headless", "--snapshot", png});
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  // Tap the first tile (social) where the layout puts it.
  const kiosk::KioskConfig c = kiosk::load_kiosk_config(dir_.path() + "/kiosk.toml");
  std::vector<kiosk::ServiceTile> tiles(7);
  const kiosk::Layout l = kiosk::layout_screen(540, 960, tiles, c, {}, false);
  const auto& r = l.buttons[0].rect;
  k->write_line("touch " + std::to_string(r.x + r.w / 2) + " " + std::to_string(r.y + r.h / 2));
  const json issued = wait_json_event(*k, "issued");
  ASSERT_FALSE(issued.is_null()) << k->output();
  EXPECT_EQ(issued["service"], "social");
  const json f = wait_json_event(*k, "frame");
  ASSERT_FALSE(f.is_null());
  const sdl::Image img = sdl::load_png(png);
  EXPECT_EQ(img.width, 540);
  EXPECT_EQ(img.height, 960);
  EXPECT_LT(f["render_ms"].get<double>(), 200.0);
}

TEST_F(KioskTest, BrokenConfigNamesTheLineAndExits2) {
  const std::string path = dir_.path() + "/bad.toml";
  std::ofstream(path)
      << "[kiosk]\nhall = \"town\"\n[printer]\nkind = \"file\"\npath = \"x\"\ntimeout_ms = \"soon\"\n";
  // --conf: the old spelling of --config, a hidden alias for one release.
  const RunResult r = run_program(KIOSK_PATH, {"--conf", path, "--headless"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path + ":6: printer.timeout_ms: expected an integer, got string"), std::string::npos)
      << r.err;
}

TEST_F(KioskTest, DecodeToolShowsASpool) {
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social"));
  k->write_line("tap social");
  ASSERT_FALSE(wait_json_event(*k, "printed").is_null());
  const RunResult r = run_program(KIOSK_PATH, {"--decode", dir_.path() + "/spool.bin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("text 5x5 bold center: A001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cut"), std::string::npos);
}

}  // namespace
}  // namespace hallq::testing
