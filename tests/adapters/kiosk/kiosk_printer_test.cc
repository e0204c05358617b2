// The kiosk and its printer's state: the DLE EOT status bytes decoded by the
// bit tables of Epson's ESC/POS reference, and the real program against the
// real hallqd with a network printer that answers status queries (paper out,
// cover open, paper near end), refuses connections, or comes back.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>

#include "adapters/kiosk/escpos_decoder.h"
#include "adapters/kiosk/printer_status.h"
#include "engine/client/subscriber.h"
#include "engine/device/sdl/png_frame.h"
#include "tests/adapters/kiosk/fake_escpos_printer.h"
#include "tests/adapters/kiosk/kiosk_fixture.h"
#include "tests/support/run_program.h"

namespace hallq::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using kiosk::PrinterState;

// Expected values from the bit tables (DLE EOT n, "Transmit real-time status"), every
// answer with its fixed bits: bit 1 and bit 4 set (0x12), bit 0 and bit 7 clear.
//   n=1: bit 3 offline.  n=2: bit 2 cover open, bit 5 stopped by paper end, bit 6 error.
//   n=4: bits 2-3 paper near end, bits 5-6 paper end.
PrinterState state_of(std::optional<std::uint8_t> n1, std::optional<std::uint8_t> n2,
                      std::optional<std::uint8_t> n4) {
  return kiosk::decode_status({n1, n2, n4}).state;
}

TEST(PrinterStatus, DecodesTheBitTablesOfDleEot) {
  EXPECT_EQ(state_of(0x12, 0x12, 0x12), PrinterState::kOk);
  EXPECT_TRUE(kiosk::decode_status({0x12, 0x12, 0x12}).answered);
  EXPECT_EQ(state_of(0x1A, std::nullopt, std::nullopt), PrinterState::kOffline);  // n=1 bit 3
  EXPECT_EQ(state_of(0x16, std::nullopt, std::nullopt), PrinterState::kOk);       // n=1 bit 2: drawer pin
  EXPECT_EQ(state_of(0x1A, 0x16, 0x12), PrinterState::kCoverOpen);                // n=2 bit 2
  EXPECT_EQ(state_of(0x1A, 0x32, 0x12), PrinterState::kPaperOut);                 // n=2 bit 5
  EXPECT_EQ(state_of(0x1A, 0x52, 0x12), PrinterState::kOffline);                  // n=2 bit 6
  EXPECT_EQ(state_of(0x12, 0x1A, 0x12), PrinterState::kOk);         // n=2 bit 3: paper fed by the button
  EXPECT_EQ(state_of(0x12, 0x12, 0x1E), PrinterState::kPaperLow);   // n=4 bits 2-3
  EXPECT_EQ(state_of(0x12, 0x12, 0x72), PrinterState::kPaperOut);   // n=4 bits 5-6
  EXPECT_EQ(state_of(0x12, 0x12, 0x7E), PrinterState::kPaperOut);   // near end and end
  EXPECT_EQ(state_of(0x1A, 0x36, 0x72), PrinterState::kCoverOpen);  // the cover first
  EXPECT_TRUE(kiosk::decode_status({0x12, 0x12, 0x1E}).can_print());
  EXPECT_FALSE(kiosk::decode_status({0x12, 0x12, 0x72}).can_print());
}

TEST(PrinterStatus, BytesWithoutTheFixedBitsAreNotAnswers) {
  EXPECT_FALSE(kiosk::is_status_byte(0x00));
  EXPECT_FALSE(kiosk::is_status_byte(0xFF));
  EXPECT_FALSE(kiosk::is_status_byte(0x92));  // bit 7 set
  EXPECT_FALSE(kiosk::is_status_byte(0x13));  // bit 0 set
  EXPECT_FALSE(kiosk::is_status_byte(0x02));  // bit 4 clear
  EXPECT_TRUE(kiosk::is_status_byte(0x12));
  EXPECT_TRUE(kiosk::is_status_byte(0x7E));
  const kiosk::PrinterHealth h = kiosk::decode_status({0xFF, 0x00, std::nullopt});
  EXPECT_FALSE(h.answered);
  EXPECT_EQ(h.state, PrinterState::kOk);  // online, status unknown
  EXPECT_EQ(kiosk::decode_status({}).state, PrinterState::kOk);
}

TEST(PrinterStatus, TellsTheCitizenInChinese) {
  EXPECT_EQ(kiosk::printer_out_message(PrinterState::kPaperOut, false),
            "打印机缺纸，暂停取号。请到咨询台取号或稍候");
  EXPECT_EQ(kiosk::printer_out_message(PrinterState::kCoverOpen, false),
            "打印机盖未关，暂停取号。请到咨询台取号或稍候");
  EXPECT_EQ(kiosk::printer_out_message(PrinterState::kUnreachable, false),
            "打印机故障，暂停取号。请到咨询台取号或稍候");
  EXPECT_EQ(kiosk::printer_status_line(PrinterState::kOk), "");
}

class KioskPrinterTest : public KioskTest {
 protected:
  void use_fake_printer(const std::string& extra = "") {
    printer_ = "kind = \"tcp\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(fake_.port()) +
               "\ntimeout_ms = 500\n" + extra;
  }
  FakeEscPosPrinter fake_;
};

TEST_F(KioskPrinterTest, PaperOutStopsIssuingUntilThePrinterSaysOk) {
  fake_.answer(std::vector<std::uint8_t>{0x1A, 0x32, 0x72});  // offline, stopped at paper end, paper end
  use_fake_printer();
  open_window("w1");
  auto k = start_kiosk();
  const json p = wait_json_event(*k, "printer");
  ASSERT_FALSE(p.is_null()) << k->output();
  EXPECT_EQ(p["state"], "paper_out");
  EXPECT_EQ(p["message"], "打印机缺纸，暂停取号。请到咨询台取号或稍候");
  ASSERT_TRUE(wait_open(*k, "social"));
  k->write_line("state");
  EXPECT_EQ(wait_json_event(*k, "state")["status"], "打印机缺纸");
  k->write_line("tap social");
  EXPECT_EQ(wait_json_event(*k, "refused")["reason"], "打印机缺纸，暂停取号。请到咨询台取号或稍候");

  fake_.answer(std::vector<std::uint8_t>{0x12, 0x12, 0x1E});  // paper loaded (near end): prints
  const json back = wait_json_event(*k, "printer", 10s);
  ASSERT_FALSE(back.is_null()) << k->output();
  EXPECT_EQ(back["state"], "paper_low");
  k->write_line("cancel");
  k->write_line("tap social");
  const json issued = wait_json_event(*k, "issued");
  ASSERT_FALSE(issued.is_null()) << k->output();
  EXPECT_EQ(issued["number"], "A001");
  EXPECT_EQ(issued["shown"], false);
  ASSERT_FALSE(wait_json_event(*k, "printed").is_null()) << k->output();
  const auto jobs = fake_.wait_jobs(1);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(contains(texts(kiosk::decode_escpos(jobs[0])), "A001"));
  EXPECT_GE(fake_.queries(), 6);
}

TEST_F(KioskPrinterTest, CoverOpenIsNamed) {
  fake_.answer(std::vector<std::uint8_t>{0x1A, 0x16, 0x12});
  use_fake_printer();
  auto k = start_kiosk();
  const json p = wait_json_event(*k, "printer");
  EXPECT_EQ(p["state"], "cover_open") << k->output();
  EXPECT_EQ(p["status"], "打印机盖未关");
}

// A printer that does not answer status queries is online, status unknown.
TEST_F(KioskPrinterTest, SilentPrinterIsOnline) {
  fake_.answer(std::nullopt);
  use_fake_printer();
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social"));
  k->write_line("state");
  EXPECT_EQ(wait_json_event(*k, "state")["status"], "系统正常");
  EXPECT_TRUE(wait_json_event(*k, "printer", 500ms).is_null());
}

// Managers see the printer: paper out shows as the kiosk's device state in a
// replica of the hall (a Subscriber, not the kiosk's own output) and paper back
// returns it to ok; one report per change of state, not one per probe.
TEST_F(KioskPrinterTest, PrinterStateReachesTheHallOncePerChange) {
  struct Reports : client::Subscriber::Listener {
    void on_event(const core::Hall&, const protocol::DecodedEvent& e, protocol::Bytes) override {
      if (const auto* d = std::get_if<core::DeviceReported>(&e.event.body)) states.push_back(d->state);
    }
    std::vector<core::DeviceState> states;
  } reports;
  client::Subscriber replica(ctx_, engine_->cmd(), engine_->pub(), {"town"}, &reports);
  auto device = [&]() -> std::optional<core::DeviceStatus> {
    const core::Hall* h = replica.hall("town");
    const core::DeviceStatus* d = h ? h->find_device("kiosk-town") : nullptr;
    return d ? std::optional(*d) : std::nullopt;
  };
  auto wait_state = [&](core::DeviceState want) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!(device() && device()->state == want) && std::chrono::steady_clock::now() < deadline)
      replica.poll(100ms);
    return device() && device()->state == want;
  };

  fake_.answer(std::vector<std::uint8_t>{0x12, 0x12, 0x12});  // online, cover closed, paper present
  use_fake_printer("probe_interval_ms = 200\n");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_state(core::DeviceState::kOk)) << k->output();  // reported at start
  EXPECT_EQ(device()->kind, "printer");

  fake_.answer(std::vector<std::uint8_t>{0x1A, 0x32, 0x72});  // offline, stopped at paper end, paper end
  ASSERT_TRUE(wait_state(core::DeviceState::kPaperOut)) << k->output();
  const core::TimeUs out_since = device()->since;
  EXPECT_NE(device()->detail, "");
  const int probes = fake_.queries();
  const auto until = std::chrono::steady_clock::now() + 2500ms;  // the kiosk probes again meanwhile
  while (std::chrono::steady_clock::now() < until) replica.poll(100ms);
  EXPECT_GT(fake_.queries(), probes) << "the kiosk should have probed again";

  fake_.answer(std::vector<std::uint8_t>{0x12, 0x12, 0x12});  // paper back
  ASSERT_TRUE(wait_state(core::DeviceState::kOk)) << k->output();
  EXPECT_GT(device()->since, out_since);
  EXPECT_EQ(device()->detail, "") << "an ok printer has nothing to say";
  EXPECT_EQ(reports.states,
            (std::vector<core::DeviceState>{core::DeviceState::kOk, core::DeviceState::kPaperOut,
                                            core::DeviceState::kOk}));
}

// [printer] on_failure = "screen": the ticket is issued and shown, not printed, not queued.
TEST_F(KioskPrinterTest, OnFailureScreenShowsTheNumber) {
  fake_.stop();
  use_fake_printer("on_failure = \"screen\"\n");
  open_window("w1");
  auto k = start_kiosk();
  EXPECT_EQ(wait_json_event(*k, "printer")["message"],
            "打印机故障，号码将显示在屏幕上，请拍照或记下您的号码");
  ASSERT_TRUE(wait_open(*k, "social"));
  k->write_line("tap social");
  const json issued = wait_json_event(*k, "issued");
  ASSERT_FALSE(issued.is_null()) << k->output();
  EXPECT_EQ(issued["number"], "A001");
  EXPECT_EQ(issued["printed"], false);
  EXPECT_EQ(issued["shown"], true);
  const json st =
      wait_json(*k, [](const json& j) { return j["event"] == "state" && j["screen"] == "issued"; });
  EXPECT_EQ(st["message"], "请拍照或记下您的号码：A001");
  EXPECT_TRUE(wait_json_event(*k, "printer_error", 1500ms).is_null()) << k->output();
  k->write_line("quit");
  EXPECT_EQ(k->wait_exit(10s), 0);
}

// The last frame a --snapshot kiosk wrote once its screen stopped changing.
sdl::Image settled_frame(ChildProcess& k, const std::string& png) {
  while (!wait_json_event(k, "frame", 700ms).is_null()) {
  }
  return sdl::load_png(png);
}
int red_pixels(const sdl::Image& img) {
  int n = 0;
  for (std::size_t i = 0; i + 3 < img.rgba.size(); i += 4)
    n += img.rgba[i] > 170 && img.rgba[i + 1] < 90 && img.rgba[i + 2] < 90;
  return n;
}
// Copies a snapshot to HALLQ_KIOSK_DOC_DIR when set (the closing note's photo of the screen).
void keep_for_doc(const std::string& png, const std::string& name) {
  if (const char* doc = std::getenv("HALLQ_KIOSK_DOC_DIR"))
    std::filesystem::copy_file(png, std::string(doc) + "/" + name,
                               std::filesystem::copy_options::overwrite_existing);
}

// The screen with the printer out, as the citizen sees it (red notice, status line).
// HALLQ_KIOSK_DOC_DIR=/work/plan hallq_kiosk_tests --gtest_filter='KioskPrinterTest.*Screen*'
// writes kiosk-printer-out.png and kiosk-ticket-on-screen.png there.
TEST_F(KioskPrinterTest, PaperOutScreen) {
  fake_.answer(std::vector<std::uint8_t>{0x1A, 0x32, 0x72});
  use_fake_printer();
  open_window("w1");
  const std::string png = dir_.path() + "/screen.png";
  auto k = start_kiosk({"--headless", "--snapshot", png});
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  const sdl::Image img = settled_frame(*k, png);
  EXPECT_EQ(img.width, 540);
  EXPECT_GT(red_pixels(img), 200);  // the notice line
  keep_for_doc(png, "kiosk-printer-out.png");
}

// on_failure = "screen": the number and a QR a phone scans are on the screen.
TEST_F(KioskPrinterTest, TicketOnScreenCarriesItsQr) {
  fake_.stop();
  use_fake_printer("on_failure = \"screen\"\n");
  open_window("w1");
  const std::string png = dir_.path() + "/screen.png";
  auto k = start_kiosk({"--headless", "--snapshot", png});
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  k->write_line("tap social");
  ASSERT_FALSE(wait_json_event(*k, "issued").is_null()) << k->output();
  settled_frame(*k, png);
  keep_for_doc(png, "kiosk-ticket-on-screen.png");
  ASSERT_TRUE(std::ifstream("/usr/bin/zbarimg")) << "zbarimg missing (zbar-tools, tools/install-deps.sh)";
  const RunResult r = run_program("/usr/bin/zbarimg", {"-q", "--raw", png});
  EXPECT_EQ(r.out, "https://q.example/town/" + today_iso() + "/A001\n");
}

// A file printer whose directory is taken away after the kiosk has found it
// ok (probes while ok are an hour apart, so the tap is issued and its print
// fails), an engine replica in the test that records why tickets left.
class KioskUnprintedTest : public KioskTest, public client::Subscriber::Listener {
 protected:
  void SetUp() override {
    KioskTest::SetUp();
    std::filesystem::create_directories(out_dir());
  }
  std::string out_dir() const { return dir_.path() + "/out"; }
  std::string pending_path() const { return dir_.path() + "/pending.json"; }
  void use_printer(int reprint_within_s) {
    printer_ =
        "kind = \"file\"\npath = \"out/spool.bin\"\npending_file = \"pending.json\"\n"
        "probe_interval_ms = 3600000\nreprint_within = " +
        std::to_string(reprint_within_s) + "\n";
  }
  void printer_gone() { std::filesystem::remove_all(out_dir()); }
  void printer_back() { std::filesystem::create_directories(out_dir()); }
  std::vector<kiosk::DecodedPrint> out_spool() {
    return kiosk::decode_escpos(slurp(out_dir() + "/spool.bin")).split_at_cuts();
  }

  // Taps social with the printer gone: issued A00n, its print fails.
  json tap_unprinted(ChildProcess& k) {
    printer_gone();
    k.write_line("tap social");
    const json issued = wait_json_event(k, "issued");
    EXPECT_FALSE(issued.is_null()) << k.output();
    const json e = wait_json_event(k, "printer_error");
    EXPECT_EQ(e["number"], issued["number"]) << k.output();
    return issued;
  }

  void on_event(const core::Hall& hall, const protocol::DecodedEvent& e, protocol::Bytes) override {
    if (const auto* l = std::get_if<core::TicketLeft>(&e.event.body))
      left_.emplace_back(hall.number_of(*hall.find_ticket(l->ticket)), l->reason);
  }
  client::Subscriber& replica() {
    if (!replica_)
      replica_ = std::make_unique<client::Subscriber>(ctx_, engine_->cmd(), engine_->pub(),
                                                      std::vector<std::string>{"town"}, this);
    return *replica_;
  }
  // Polls the replica until `done` or `limit`.
  bool watch(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) replica().poll(100ms);
    return done();
  }
  std::vector<std::string> waiting() {
    std::vector<std::string> out;
    if (const core::Hall* h = replica().hall("town"))
      for (const core::Ticket& t : h->tickets())
        if (t.state == core::TicketState::kWaiting) out.push_back(h->number_of(t));
    return out;
  }

  std::vector<std::pair<std::string, core::LeaveReason>> left_;
  std::unique_ptr<client::Subscriber> replica_;
};

// Never a ticket in the engine that the citizen never received: after the
// grace the unprinted ticket is cancelled as not printed, as every replica sees.
TEST_F(KioskUnprintedTest, UnprintedTicketIsCancelledAfterTheGrace) {
  use_printer(2);
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  ASSERT_TRUE(watch([&] { return replica().synced("town"); }, 10s));
  ChildProcess hallq_watch(HALLQ_PATH,
                           {"--engine", engine_->cmd(), "--pub", engine_->pub(), "watch", "town"});
  ASSERT_TRUE(hallq_watch.wait_prefix("已同步"));
  const json issued = tap_unprinted(*k);
  const json told = wait_json(*k, [](const json& j) {
    return j["event"] == "state" && j["message"] == "您的号码 A001：打印机恢复后将补打，请稍候";
  });
  EXPECT_FALSE(told.is_null()) << k->output();
  EXPECT_EQ(told["status"], "打印机故障");
  EXPECT_TRUE(watch([&] { return waiting() == std::vector<std::string>{"A001"}; }, 5s));
  ASSERT_TRUE(watch([&] { return !left_.empty(); }, 15s)) << k->output();
  EXPECT_EQ(
      left_,
      (std::vector<std::pair<std::string, core::LeaveReason>>{{"A001", core::LeaveReason::kNotPrinted}}));
  EXPECT_TRUE(waiting().empty());
  EXPECT_EQ(wait_json_event(*k, "cancelled")["reason"], "not_printed") << k->output();
  // What `hallq watch` tells the staff.
  EXPECT_TRUE(hallq_watch.wait_line(
      [](const std::string& l) {
        return l.find("离开：A001（未取到号票（打印失败））") != std::string::npos;
      },
      5s))
      << hallq_watch.output();
  // The printer back: the cancelled ticket is not printed any more.
  printer_back();
  EXPECT_TRUE(wait_json_event(*k, "printed", 2500ms).is_null()) << k->output();
  EXPECT_TRUE(out_spool().empty());
  EXPECT_FALSE(std::filesystem::exists(pending_path()));
}

TEST_F(KioskUnprintedTest, PrinterBackWithinTheGraceReprintsOnce) {
  use_printer(120);
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  tap_unprinted(*k);
  EXPECT_TRUE(std::filesystem::exists(pending_path()));
  printer_back();
  const json printed = wait_json_event(*k, "printed", 10s);
  ASSERT_FALSE(printed.is_null()) << k->output();
  EXPECT_EQ(printed["number"], "A001");
  EXPECT_EQ(printed["reprint"], true);
  EXPECT_TRUE(wait_json_event(*k, "printed", 2500ms).is_null()) << k->output();  // once
  const auto tickets = out_spool();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_TRUE(contains(texts(tickets[0]), "A001")) << kiosk::describe(tickets[0]);
  EXPECT_FALSE(std::filesystem::exists(pending_path()));
  ASSERT_TRUE(watch([&] { return replica().synced("town"); }, 10s));
  EXPECT_EQ(waiting(), std::vector<std::string>{"A001"});
  EXPECT_TRUE(left_.empty());
}

// kill -9 between the engine's acknowledgement and the print: the next run prints it.
TEST_F(KioskUnprintedTest, KilledKioskPrintsItsTicketAfterRestart) {
  use_printer(120);
  open_window("w1");
  {
    auto k = start_kiosk();
    ASSERT_TRUE(wait_open(*k, "social")) << k->output();
    tap_unprinted(*k);
    k->signal(SIGKILL);
    k->wait_exit(10s);
  }
  printer_back();
  auto k = start_kiosk();
  const json printed = wait_json_event(*k, "printed", 10s);
  ASSERT_FALSE(printed.is_null()) << k->output();
  EXPECT_EQ(printed["number"], "A001");
  ASSERT_EQ(out_spool().size(), 1u);
  EXPECT_EQ(issue_directly("social"), "A002");
}

// `quit` (and SIGTERM) with a print pending and the printer out: the ticket is
// handed over in the pending file at once (not after the stop grace), exit 0;
// the next run prints it.
TEST_F(KioskUnprintedTest, StopWithAPrintPendingHandsItOver) {
  use_printer(120);
  open_window("w1");
  {
    auto k = start_kiosk();
    ASSERT_TRUE(wait_open(*k, "social")) << k->output();
    tap_unprinted(*k);
    const auto t0 = std::chrono::steady_clock::now();
    k->write_line("quit");
    EXPECT_EQ(k->wait_exit(10s), 0) << k->output();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  }
  ASSERT_TRUE(std::filesystem::exists(pending_path()));
  {
    auto k = start_kiosk();  // the printer still out: loads A001, cannot print it
    EXPECT_FALSE(wait_json_event(*k, "unprinted").is_null()) << k->output();
    const auto t0 = std::chrono::steady_clock::now();
    k->signal(SIGTERM);
    EXPECT_EQ(k->wait_exit(10s), 0) << k->output();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  }
  ASSERT_TRUE(std::filesystem::exists(pending_path()));
  printer_back();
  auto k = start_kiosk();
  ASSERT_FALSE(wait_json_event(*k, "printed", 10s).is_null()) << k->output();
  ASSERT_EQ(out_spool().size(), 1u);
  EXPECT_EQ(issue_directly("social"), "A002");
}

// `quit` right after a tap: the request is answered and the ticket printed before the exit.
TEST_F(KioskUnprintedTest, QuitRightAfterATapPrintsFirst) {
  use_printer(120);
  open_window("w1");
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  k->write("tap social\nquit\n");
  EXPECT_EQ(k->wait_exit(10s), 0) << k->output();
  const auto tickets = out_spool();
  ASSERT_EQ(tickets.size(), 1u) << k->output();
  EXPECT_TRUE(contains(texts(tickets[0]), "A001"));
  EXPECT_FALSE(std::filesystem::exists(pending_path()));
}

}  // namespace
}  // namespace hallq::testing
