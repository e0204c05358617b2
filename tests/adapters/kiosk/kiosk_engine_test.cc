// hallq-kiosk against the real hallqd: tickets issued and printed (the
// printed bytes decoded), refusals, the elderly priority path, appointments
// checked in once, the engine killed and restarted under a pending tap, a TCP
// printer, the touch screen headless, and broken configs.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>
#include <zmq.hpp>

#include "adapters/kiosk/escpos_decoder.h"
#include "adapters/kiosk/kiosk_config.h"
#include "adapters/kiosk/kiosk_layout.h"
#include "adapters/kiosk/resident_id.h"
#include "adapters/kiosk/ticket_layout.h"
#include "displays/common/png_frame.h"
#include "engine/client/client.h"
#include "engine/core/calendar.h"
#include "engine/protocol/event_codec.h"
#include "tests/adapters/kiosk/kiosk_process.h"
#include "tools/process/engine_process.h"

namespace hallq::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string today_iso() {
  using namespace std::chrono;
  const auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return core::format_date(core::local_date(us, 480));
}

std::string id_born(std::string_view yyyymmdd) {
  std::string id = "110105" + std::string(yyyymmdd) + "123";
  id.push_back(kiosk::resident_id_check_char(id));
  return id;
}

class KioskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<proc::EngineProcess>(std::vector<std::string>{kTown}, dir_.path() + "/data");
  }

  // A kiosk config in the temp dir; `printer` is the [printer] body.
  std::string write_config(const std::string& printer = "") {
    const std::string path = dir_.path() + "/kiosk.toml";
    std::ofstream f(path);
    f << "[kiosk]\nhall = \"town\"\nwidth = 540\nheight = 960\n"
      << "[appointments]\nfile = \"appts.csv\"\nused_log = \"used.log\"\n"
      << "[printer]\n"
      << (printer.empty() ? "kind = \"file\"\npath = \"spool.bin\"\n" : printer)
      << "qr_url = \"https://q.example/{hall}/{date}/{number}\"\n";
    std::ofstream a(dir_.path() + "/appts.csv");
    a << "code,service,date,slot,name\n"
      << "482913,"
      << "social," << today_iso() << ",00:00-24:00,张*明\n";
    return path;
  }

  std::unique_ptr<KioskProcess> start_kiosk(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--conf",   write_config(printer_), "--engine", engine_->cmd(),
                                     "--events", engine_->pub()};
    if (extra.empty()) args.push_back("--headless");
    for (auto& e : extra) args.push_back(e);
    return std::make_unique<KioskProcess>(KIOSK_PATH, args);
  }

  // Asks for tiles until the kiosk's replica shows `service` with an open window.
  bool wait_open(KioskProcess& k, const std::string& service) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < deadline) {
      k.send("tiles");
      json t = k.wait_event("tiles", 2s);
      if (t.is_null()) return false;
      for (const json& s : t["services"]) {
        if (s["id"] == service && s["open_windows"].get<int>() > 0) return true;
      }
    }
    return false;
  }

  void open_window(const std::string& w) {
    ASSERT_TRUE(client().command("town", core::OpenWindow{w, "s1"})->ok());
  }
  client::Client& client() {
    if (!client_) client_ = std::make_unique<client::Client>(ctx_, engine_->cmd());
    return *client_;
  }
  // The next number the engine issues for `service` (proves how many were issued before).
  std::string issue_directly(const std::string& service) {
    auto r = client().command("town", core::IssueTicket{service});
    EXPECT_TRUE(r && r->ok());
    return protocol::describe_event(protocol::as_bytes(r->events.back())).number;
  }
  std::vector<kiosk::DecodedPrint> spool() {
    return kiosk::decode_escpos(read_all(dir_.path() + "/spool.bin")).split_at_cuts();
  }

  proc::TempDir dir_{"hallq-kiosk"};
  std::unique_ptr<proc::EngineProcess> engine_;
  zmq::context_t ctx_;
  std::unique_ptr<client::Client> client_;
  std::string printer_;
};

std::vector<std::string> texts(const kiosk::DecodedPrint& p) {
  std::vector<std::string> out;
  for (const auto* l : p.lines()) out.push_back(l->text);
  return out;
}
bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST_F(KioskTest, IssuesAndPrintsTheAcknowledgedTicket) {
  open_window("w1");
  issue_directly("social");  // one citizen ahead
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->transcript();
  k->send("tap social");
  const json issued = k->wait_event("issued");
  ASSERT_FALSE(issued.is_null()) << k->transcript();
  EXPECT_EQ(issued["number"], "A002");
  EXPECT_EQ(issued["ahead"], 1);
  const json printed = k->wait_event("printed");
  ASSERT_FALSE(printed.is_null()) << k->transcript();
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

TEST_F(KioskTest, RefusesServiceWithoutWindowAndShowsEngineReasons) {
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->transcript();
  k->send("tap tax");  // w1 serves social and civil only
  const json r = k->wait_event("refused");
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["reason"], "该事项暂无窗口办理，请咨询导办台");
  EXPECT_EQ(issue_directly("tax"), "G001");  // nothing was sent
  k->send("priority 老年人");                // not a category: the elderly go by ID number
  EXPECT_FALSE(k->wait_event("refused").is_null());
}

TEST_F(KioskTest, ElderlyPriorityByIdNumber) {
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->transcript();
  const std::string young = id_born("19900101"), old = id_born("19500101");
  k->send("id " + young);
  const json r = k->wait_event("refused");
  EXPECT_EQ(r["reason"], "年满 65 周岁可走优先通道，请取普通号");
  k->send("id " + old);
  const json st =
      k->wait_for([](const json& j) { return j["event"] == "state" && j["screen"] == "priority"; });
  EXPECT_EQ(st["priority"], "优先（老年人）");
  k->send("tap social");
  const json issued = k->wait_event("issued");
  EXPECT_EQ(issued["priority"], "priority");
  ASSERT_FALSE(k->wait_event("printed").is_null());
  const auto tickets = spool();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_TRUE(contains(texts(tickets[0]), "优先（老年人）"));
  // The ID number never leaves the kiosk in full: not on stdout, not on paper.
  const std::string bytes = read_all(dir_.path() + "/spool.bin");
  EXPECT_EQ(bytes.find(old), std::string::npos);
  EXPECT_EQ(k->transcript().find(old), std::string::npos);
  EXPECT_NE(k->transcript().find(kiosk::mask_resident_id(old)), std::string::npos);
}

TEST_F(KioskTest, AppointmentChecksInOnceEvenAcrossRestarts) {
  open_window("w1");
  {
    auto k = start_kiosk();
    ASSERT_TRUE(wait_open(*k, "social")) << k->transcript();
    k->send("appt 482913");
    const json issued = k->wait_event("issued");
    ASSERT_FALSE(issued.is_null()) << k->transcript();
    EXPECT_EQ(issued["priority"], "appointment");
    ASSERT_FALSE(k->wait_event("printed").is_null());
    k->send("appt 482913");
    EXPECT_EQ(k->wait_event("refused")["reason"], "该预约码已签到，请勿重复取号");
  }
  auto k2 = start_kiosk();
  ASSERT_TRUE(wait_open(*k2, "social"));
  k2->send("appt 482913");
  EXPECT_EQ(k2->wait_event("refused")["reason"], "该预约码已签到，请勿重复取号");
  EXPECT_EQ(spool().size(), 1u);
  EXPECT_EQ(issue_directly("social"), "A002");
}

TEST_F(KioskTest, TapWhileEngineIsDownIsIssuedOnceAfterRestart) {
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->transcript();
  engine_->kill9();
  k->send("tap social");
  ASSERT_FALSE(k->wait_event("connecting").is_null()) << k->transcript();
  k->send("tap social");  // an impatient second tap while connecting
  // Let several resends queue up before the engine returns.
  ASSERT_FALSE(
      k->wait_for([](const json& j) { return j["event"] == "state" && j["screen"] == "pending"; }).is_null());
  engine_->restart();
  const json issued = k->wait_event("issued", 20s);
  ASSERT_FALSE(issued.is_null()) << k->transcript();
  EXPECT_EQ(issued["number"], "A001");
  EXPECT_GE(issued["sends"].get<int>(), 2);
  ASSERT_FALSE(k->wait_event("printed").is_null());
  EXPECT_EQ(spool().size(), 1u);
  EXPECT_EQ(issue_directly("social"), "A002");  // exactly one ticket was issued
}

TEST_F(KioskTest, EngineRefusalIsShownAsItComes) {
  // Offline from the start: no replica, so the engine decides and explains.
  engine_->kill9();
  auto k = start_kiosk();
  k->send("tap nosuch");
  ASSERT_FALSE(k->wait_event("connecting").is_null());
  engine_->restart();
  const json r = k->wait_event("refused", 20s);
  ASSERT_FALSE(r.is_null()) << k->transcript();
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
  k->send("tap social");
  ASSERT_FALSE(k->wait_event("printed").is_null()) << k->transcript();
  const int conn = ::accept(listener, nullptr, nullptr);
  ASSERT_GE(conn, 0);
  std::string bytes;
  char buf[4096];
  for (ssize_t n; (n = ::read(conn, buf, sizeof buf)) > 0;) bytes.append(buf, static_cast<std::size_t>(n));
  ::close(conn);
  ::close(listener);
  const auto p = kiosk::decode_escpos(bytes);
  EXPECT_TRUE(p.error.empty()) << p.error;
  EXPECT_EQ(p.cuts(), 1);
  EXPECT_TRUE(contains(texts(p), "A001"));
}

TEST_F(KioskTest, PrinterDownIsReportedAndRetried) {
  printer_ =
      "kind = \"tcp\"\nhost = \"127.0.0.1\"\nport = 1\ntimeout_ms = 200\n";  // nothing listens on port 1
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social"));
  k->send("tap social");
  EXPECT_FALSE(k->wait_event("issued").is_null());
  const json e = k->wait_event("printer_error");
  ASSERT_FALSE(e.is_null());
  EXPECT_EQ(e["number"], "A001");
  EXPECT_FALSE(k->wait_event("printer_error").is_null());  // retried
}

TEST_F(KioskTest, TouchScreenHeadlessWithSnapshots) {
  open_window("w1");
  const std::string png = dir_.path() + "/screen.png";
  auto k = start_kiosk({"--headless", "--snapshot", png});
  ASSERT_TRUE(wait_open(*k, "social")) << k->transcript();
  // Tap the first tile (social) where the layout puts it.
  const kiosk::KioskConfig c = kiosk::load_kiosk_config(dir_.path() + "/kiosk.toml");
  std::vector<kiosk::ServiceTile> tiles(7);
  const kiosk::Layout l = kiosk::layout_screen(540, 960, tiles, c, {}, false);
  const auto& r = l.buttons[0].rect;
  k->send("touch " + std::to_string(r.x + r.w / 2) + " " + std::to_string(r.y + r.h / 2));
  const json issued = k->wait_event("issued");
  ASSERT_FALSE(issued.is_null()) << k->transcript();
  EXPECT_EQ(issued["service"], "social");
  const json f = k->wait_event("frame");
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
  const proc::RunResult r = proc::run_program(KIOSK_PATH, {"--conf", path, "--headless"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path + ":6: printer.timeout_ms: expected an integer, got string"), std::string::npos)
      << r.err;
}

TEST_F(KioskTest, DecodeToolShowsASpool) {
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social"));
  k->send("tap social");
  ASSERT_FALSE(k->wait_event("printed").is_null());
  const proc::RunResult r = proc::run_program(KIOSK_PATH, {"--decode", dir_.path() + "/spool.bin"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("text 5x5 bold center: A001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cut"), std::string::npos);
}

}  // namespace
}  // namespace hallq::testing
