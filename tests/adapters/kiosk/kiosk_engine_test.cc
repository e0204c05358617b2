// hallq-kiosk against the real hallqd: tickets issued and printed (the
// printed bytes decoded), refusals, the elderly priority path, appointment
// check-in against the engine's bookings (the appointment ticket printed; the
// engine's refusals shown, nothing printed, the hall unchanged), the engine
// killed and restarted under a pending tap, a TCP printer, the touch screen
// headless, and broken configs (the old [appointments] table among them).
#include <arpa/inet.h>
#include <fmt/format.h>
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
#include "engine/keys/person_hash.h"
#include "engine/keys/ticket_token.h"
#include "engine/policy/policy_registry.h"
#include "engine/predict/forecast_predictor.h"
#include "engine/protocol/snapshot_codec.h"
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

// The hall as the engine holds it now (a snapshot, decoded), for comparing
// before and after: the clock, which every command advances, left out.
std::unique_ptr<core::Hall> engine_hall(client::Client& c) {
  auto r = c.snapshot("town");
  EXPECT_TRUE(r && r->ok());
  if (!r || !r->ok()) return nullptr;
  protocol::DecodedSnapshot snap;
  EXPECT_TRUE(protocol::decode_snapshot(protocol::as_bytes(r->snapshot), snap).ok());
  snap.state.clock = 0;
  auto h = std::make_unique<core::Hall>(snap.config, policy::find_policy(policy::kDefaultPolicy),
                                        &predict::default_predictor());
  h->import_state(std::move(snap.state));
  return h;
}

// A booking made with Book (as the HTTP API or `hallq book` make them) is
// checked in at the kiosk by its code: the engine's appointment ticket is
// printed like any other, its number read back from the ESC/POS bytes; the
// code typed again gets the engine's "already checked in", nothing printed.
TEST_F(KioskBookingTest, CheckInPrintsTheEnginesAppointmentTicket) {
  open_window("w1");
  EXPECT_EQ(issue_directly("social"), "A001");  // one citizen ahead
  const std::uint32_t code = book();
  ASSERT_NE(code, 0u);
  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  k->write_line("appt " + std::to_string(code));
  const json requested = wait_json_event(*k, "requested");
  EXPECT_EQ(requested["booking"], code) << requested.dump();
  const json issued = wait_json_event(*k, "issued");
  ASSERT_FALSE(issued.is_null()) << k->output();
  EXPECT_EQ(issued["priority"], "appointment");
  EXPECT_EQ(issued["service"], "social");
  EXPECT_EQ(issued["booking"], code);
  ASSERT_FALSE(wait_json_event(*k, "printed").is_null()) << k->output();

  // The engine's side: the booking became this ticket.
  const auto hall = engine_hall(client());
  ASSERT_TRUE(hall);
  const core::Booking* b = hall->find_booking(code);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->state, core::BookingState::kCheckedIn);
  const core::Ticket* t = hall->find_ticket(b->ticket);
  ASSERT_NE(t, nullptr);
  const std::string number = hall->number_of(*t);
  EXPECT_EQ(t->priority, core::Priority::kAppointment);
  EXPECT_EQ(issued["number"], number);

  // What the printer got, decoded independently: that number, on a ticket like the others.
  const auto tickets = spool();
  ASSERT_EQ(tickets.size(), 1u);
  const auto lines = texts(tickets[0]);
  EXPECT_TRUE(contains(lines, number)) << kiosk::describe(tickets[0]);
  EXPECT_TRUE(contains(lines, "商家镇便民服务中心")) << kiosk::describe(tickets[0]);
  EXPECT_TRUE(contains(lines, "社保医保")) << kiosk::describe(tickets[0]);
  EXPECT_TRUE(contains(lines, "预约 " + core::format_slot_time(b->slot_min))) << kiosk::describe(tickets[0]);
  ASSERT_EQ(tickets[0].qrs().size(), 1u);
  EXPECT_EQ(tickets[0].qrs()[0]->data, "https://q.example/town/" + today_iso() + "/" + number);

  // Typed again: the engine refuses, the kiosk shows its message and prints nothing.
  k->write_line("appt " + std::to_string(code));
  const json again = wait_json_event(*k, "refused");
  ASSERT_FALSE(again.is_null()) << k->output();
  EXPECT_EQ(again["reason"], fmt::format("预约 {} 已签到，号码 {}", code, number));
  EXPECT_EQ(again["code"], "wrong_ticket_state");
  const json st =
      wait_json(*k, [](const json& j) { return j["event"] == "state" && j["screen"] == "refused"; });
  EXPECT_EQ(st["message"], again["reason"]);
  EXPECT_EQ(spool().size(), 1u);
  EXPECT_EQ(issue_directly("social"), "A003");  // exactly one ticket came of the booking
}

// An unknown code and a code whose check-in has not opened yet: the engine's
// messages on the screen, nothing printed, and the hall exactly as before.
TEST_F(KioskBookingTest, RefusedCheckInShowsTheEnginesMessageAndChangesNothing) {
  open_window("w1");
  // A booking two hours ahead: its check-in opens 30 minutes before the slot (the hall's margin).
  const auto [day, slot] = next_slot();
  const std::int64_t later = day * 1440 + slot + 120;
  const std::string person(core::kPersonHexDigits, 'b');
  auto booked = client().command(
      "town", core::Book{"social", later / 1440, static_cast<int>(later % 1440), person, "", 4242});
  ASSERT_TRUE(booked && booked->ok()) << (booked ? booked->message : "no reply");
  std::uint32_t early = 0;
  for (const std::string& bytes : booked->events) {
    const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
    if (e.kind == "booking_made") early = e.booking;
  }
  ASSERT_NE(early, 0u);
  const std::uint32_t unknown = early == 999'999 ? 999'998 : 999'999;

  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  // The kiosk's printer report reached the hall first (it is the one change a kiosk makes at start).
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline && engine_hall(client())->devices().empty()) {
    k->write_line("state");
    ASSERT_FALSE(wait_json_event(*k, "state").is_null());
  }
  const auto before = engine_hall(client());
  ASSERT_FALSE(before->devices().empty());

  k->write_line("appt " + std::to_string(unknown));
  json r = wait_json_event(*k, "refused");
  ASSERT_FALSE(r.is_null()) << k->output();
  EXPECT_EQ(r["reason"], fmt::format("没有预约码 {}", unknown));
  EXPECT_EQ(r["code"], "unknown_booking");
  json st = wait_json(*k, [](const json& j) { return j["event"] == "state" && j["screen"] == "refused"; });
  EXPECT_EQ(st["message"], r["reason"]);

  k->write_line("appt " + std::to_string(early));
  r = wait_json_event(*k, "refused");
  ASSERT_FALSE(r.is_null()) << k->output();
  EXPECT_EQ(r["reason"].get<std::string>().rfind("预约时段为 ", 0), 0u) << r.dump();
  EXPECT_NE(r["reason"].get<std::string>().find("后签到"), std::string::npos) << r.dump();
  EXPECT_EQ(r["code"], "not_check_in_time");

  // Not a booking code at all: refused at the kiosk, nothing sent.
  k->write_line("appt 12345");
  r = wait_json(*k, [](const json& j) { return j["event"] == "refused" && !j.contains("code"); });
  EXPECT_EQ(r["reason"], "预约码为 6 位数字，请核对后重新输入");

  const auto after = engine_hall(client());
  EXPECT_EQ(after->state(), before->state());
  EXPECT_EQ(after->find_booking(early)->state, core::BookingState::kBooked);
  EXPECT_EQ(k->output().find("\"issued\""), std::string::npos) << k->output();
  EXPECT_TRUE(spool().empty());
  EXPECT_EQ(issue_directly("social"), "A001");  // no ticket was issued
}

// A remote ticket (网上取号, as hallq-citizen takes it with IssueRemote) is
// checked in at the kiosk by its code: the kiosk prints the number the
// citizen took from home, marked 网上取号 (read back from the ESC/POS bytes);
// in the engine the ticket joins its line ahead of a walk-in who came
// later, and the code typed again prints nothing.
TEST_F(KioskRemoteTest, CheckInByCodePrintsTheNumberItHeldAndKeepsItsPlace) {
  open_window("w1");
  const std::string person(core::kPersonHexDigits, 'c');
  auto taken = client().command("town", core::IssueRemote{"social", person, "13800138000", 77});
  ASSERT_TRUE(taken && taken->ok()) << (taken ? taken->message : "no reply");
  std::uint32_t code = 0;
  std::string held;
  for (const std::string& bytes : taken->events) {
    const protocol::EventSummary e = protocol::describe_event(protocol::as_bytes(bytes));
    if (e.kind == "remote_ticket_issued") {
      code = e.booking;
      held = e.number;
    }
  }
  ASSERT_NE(code, 0u);
  EXPECT_EQ(held, "A001");
  EXPECT_EQ(issue_directly("social"), "A002");  // a walk-in after it

  auto k = start_kiosk();
  ASSERT_TRUE(wait_open(*k, "social")) << k->output();
  k->write_line(fmt::format("appt {:06}", code));
  const json issued = wait_json_event(*k, "issued");
  ASSERT_FALSE(issued.is_null()) << k->output();
  EXPECT_EQ(issued["number"], held);
  ASSERT_FALSE(wait_json_event(*k, "printed").is_null()) << k->output();

  const auto tickets = spool();
  ASSERT_EQ(tickets.size(), 1u);
  const auto lines = texts(tickets[0]);
  EXPECT_TRUE(contains(lines, held)) << kiosk::describe(tickets[0]);
  EXPECT_TRUE(contains(lines, "社保医保")) << kiosk::describe(tickets[0]);
  EXPECT_TRUE(contains(lines, "网上取号")) << kiosk::describe(tickets[0]);

  // The engine's side: checked in, first in its line, before the walk-in.
  const auto hall = engine_hall(client());
  ASSERT_TRUE(hall);
  const core::Ticket* t = hall->find_number(held);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->state, core::TicketState::kWaiting);
  const auto social = hall->config().find_service("social");
  ASSERT_TRUE(social);
  const auto& line = hall->queue(*social).line(core::QueueClass::kNormal);
  ASSERT_EQ(line.size(), 2u);
  EXPECT_EQ(line.begin()->ticket, t->id);

  // Typed again: refused with the engine's reason, nothing printed.
  k->write_line(fmt::format("appt {:06}", code));
  const json again = wait_json_event(*k, "refused");
  ASSERT_FALSE(again.is_null()) << k->output();
  EXPECT_EQ(again["reason"].get<std::string>().rfind(held + " 已签到（", 0), 0u) << again.dump();
  EXPECT_EQ(again["code"], "wrong_ticket_state");
  EXPECT_EQ(spool().size(), 1u);
}

// A config with the kiosk's old CSV book is refused at start (exit 2) with a
// message naming the one-time import and what the old CSV lacks for it;
// the import indeed refuses such a file line by line for its missing ID numbers.
TEST_F(KioskTest, OldAppointmentsTableExits2NamingTheImport) {
  const std::string path = dir_.path() + "/old.toml";
  std::ofstream(path) << "[kiosk]\nhall = \"town\"\n[appointments]\nfile = \"appts.csv\"\n"
                      << "used_log = \"used.log\"\nearly_min = 15\nlate_min = 10\n"
                      << "[printer]\nkind = \"file\"\npath = \"spool.bin\"\n";
  const std::string csv = dir_.path() + "/appts.csv";
  std::ofstream(csv) << "code,service,date,slot,name\n482913,social," << today_iso()
                     << ",09:00-09:30,张*明\n";
  RunResult r = run_program(KIOSK_PATH, {"--config", path, "--headless"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(path + ":3: [appointments] 已停用：预约表现在由引擎保管"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hallq appointments import HALL FILE --person-salt SALT"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hallq appointments import town " + csv + " --person-salt SALT"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("没有身份证号码"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;  // it never started

  // What the message says of the import is so: the old five columns import nothing.
  const std::string salt = dir_.path() + "/person.salt";
  keys::PersonSalt::generate().write_file(salt);
  r = run_program(HALLQ_PATH,
                  {"--engine", engine_->cmd(), "appointments", "import", "town", csv, "--person-salt", salt});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("第 2 行：未导入：没有身份证号码（id_number 列）"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("共导入 0 个，未导入 1 个"), std::string::npos) << r.out;
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
  const kiosk::Layout l = kiosk::layout_screen(540, 960, tiles, c, {}, false, false);
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
