// The kiosk's pure parts: dates, the ESC/POS bytes (encoded, then decoded
// back), config errors (the old [appointments] table refused), the session
// (appointment codes checked for form only) and the layout.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <tuple>

#include "adapters/kiosk/escpos.h"
#include "adapters/kiosk/escpos_decoder.h"
#include "adapters/kiosk/gb18030.h"
#include "adapters/kiosk/kiosk_config.h"
#include "adapters/kiosk/kiosk_layout.h"
#include "adapters/kiosk/kiosk_session.h"
#include "adapters/kiosk/ticket_image.h"
#include "adapters/kiosk/ticket_layout.h"
#include "engine/config/toml_reader.h"
#include "engine/core/calendar.h"
#include "engine/core/resident_id.h"
#include "engine/device/sdl/png_frame.h"
#include "engine/qr/qr_matrix.h"

namespace hallq::kiosk {
namespace {

// A valid number for a birth date: 17 digits plus the computed check character.
std::string make_id(std::string_view birth_yyyymmdd) {
  std::string id = "110105" + std::string(birth_yyyymmdd) + "123";
  id.push_back(core::resident_id_check_char(id));
  return id;
}

TEST(Gb18030, RoundTripsChineseText) {
  const std::string text = "商家镇便民服务中心 A012 前面等候：3 人 𠮷";
  const std::string gb = utf8_to_gb18030(text);
  EXPECT_NE(gb, text);
  EXPECT_EQ(gb.substr(0, 2), "\xC9\xCC");  // 商 in GB2312/GB18030
  EXPECT_EQ(gb18030_to_utf8(gb), text);
  EXPECT_THROW(utf8_to_gb18030("\xFF\xFE"), std::runtime_error);
}

TEST(EscPos, BytesAreTheDocumentedCommands) {
  EscPos p;
  p.init().align(Align::kCenter).size(4, 4).bold(true).line("A012").cut(3);
  const std::string expected = std::string("\x1B\x40\x1C\x26", 4) + "\x1B\x61\x01" + "\x1D\x21\x33" +
                               "\x1B\x45\x01" + "A012\n" + "\x1D\x56\x42\x03";
  EXPECT_EQ(p.bytes(), expected);
  EscPos q;
  q.qr("https://x/1", 6, QrEcc::kM);
  const std::string& b = q.bytes();
  // store: GS ( k pL pH 49 80 48 data, pL = len + 3
  const std::string store =
      std::string("\x1D\x28\x6B", 3) + char(11 + 3) + '\0' + "\x31\x50\x30" + "https://x/1";
  EXPECT_NE(b.find(store), std::string::npos);
  EXPECT_NE(b.find(std::string("\x1D\x28\x6B\x03\x00\x31\x51\x30", 8)), std::string::npos);  // print
}

TicketInfo sample_ticket() {
  TicketInfo t;
  t.hall_id = "town";
  t.hall_name = "商家镇便民服务中心";
  t.number = "A012";
  t.service_name = "社保医保";
  t.priority_label = "优先（老年人）";
  t.ahead = 3;
  t.predicted_wait_s = 690;
  t.date = "2025-03-01";
  t.time = "09:12";
  t.qr = expand_qr_template("https://q.example/{hall}/{date}/{number}", t);
  t.footer = {"请留意叫号，过号请到导办台"};
  return t;
}

TEST(TicketLayout, DecodesBackToTheTicketsContent) {
  const std::string bytes = layout_ticket(sample_ticket(), 4, 6);
  const DecodedPrint p = decode_escpos(bytes);
  ASSERT_TRUE(p.error.empty()) << p.error;
  EXPECT_EQ(p.inits, 1);
  EXPECT_EQ(p.cuts(), 1);
  std::vector<std::string> text;
  const PrintedLine* number = nullptr;
  for (const PrintedLine* l : p.lines()) {
    text.push_back(l->text);
    if (l->text == "A012") number = l;
  }
  ASSERT_NE(number, nullptr) << describe(p);
  EXPECT_EQ(number->width, 4);
  EXPECT_EQ(number->height, 4);
  EXPECT_TRUE(number->bold);
  EXPECT_EQ(number->align, Align::kCenter);
  auto has = [&](std::string_view s) { return std::find(text.begin(), text.end(), s) != text.end(); };
  EXPECT_TRUE(has("商家镇便民服务中心")) << describe(p);
  EXPECT_TRUE(has("社保医保"));
  EXPECT_TRUE(has("优先（老年人）"));
  EXPECT_TRUE(has("前面等候：3 人"));
  EXPECT_TRUE(has("预计等待：约 12 分钟"));
  EXPECT_TRUE(has("取号时间：2025-03-01 09:12"));
  EXPECT_TRUE(has("请留意叫号，过号请到导办台"));
  ASSERT_EQ(p.qrs().size(), 1u);
  EXPECT_EQ(p.qrs()[0]->data, "https://q.example/town/2025-03-01/A012");
  EXPECT_EQ(p.qrs()[0]->module_size, 6);
  EXPECT_EQ(p.qrs()[0]->model, 2);
  // Chinese travels as GB18030, never as UTF-8.
  EXPECT_EQ(bytes.find("社保医保"), std::string::npos);
  EXPECT_NE(bytes.find(utf8_to_gb18030("社保医保")), std::string::npos);
}

TEST(EscPosDecoder, ReportsTruncationAndUnknownCommands) {
  const std::string bytes = layout_ticket(sample_ticket());
  const DecodedPrint cut_short = decode_escpos(std::string_view(bytes).substr(0, bytes.size() - 2));
  EXPECT_FALSE(cut_short.error.empty());
  EXPECT_EQ(cut_short.cuts(), 0);
  const DecodedPrint unknown = decode_escpos(std::string("\x1B\x40\x1B\x7A\x01", 5));
  EXPECT_NE(unknown.error.find("ESC 7A"), std::string::npos) << unknown.error;
  // Two tickets in one spool split at the cut.
  EXPECT_EQ(decode_escpos(bytes + bytes).split_at_cuts().size(), 2u);
}

TEST(TicketLayout, WaitText) {
  EXPECT_EQ(wait_text(-1), "暂无法预计");
  EXPECT_EQ(wait_text(30), "即将叫号");
  EXPECT_EQ(wait_text(60), "约 1 分钟");
  EXPECT_EQ(wait_text(61), "约 2 分钟");
}

std::string config_error(std::string_view text) {
  try {
    parse_kiosk_config(text, "kiosk.toml");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(KioskConfig, ErrorsNameFileAndLine) {
  EXPECT_EQ(
      config_error("[kiosk]\nhall = \"town\"\n\n[printer]\nkind = \"file\"\npath = \"x\"\nhost = \"p\"\n"),
      "kiosk.toml:7: printer.host: a file printer has a path, not a host");
  EXPECT_EQ(
      config_error("[kiosk]\nhall = \"town\"\n[printer]\nkind = \"tcp\"\nhost = \"p\"\nport = \"9100\"\n"),
      "kiosk.toml:6: printer.port: expected an integer, got string");
  EXPECT_EQ(config_error("[kiosk]\nhal = \"town\"\n"),
            "kiosk.toml:2: unknown key \"hal\" in [kiosk] (did you mean \"hall\"?)");
  EXPECT_EQ(config_error("[kiosk]\nhall = \"town\"\n[priority]\nage_threshold = 200\n"),
            "kiosk.toml:4: priority.age_threshold: 200 is out of range 1..150");
  EXPECT_EQ(config_error("[kiosk]\nhall = \"town\"\n[printer]\nkind = \"usb\"\npath = \"/dev/x\"\n"),
            "kiosk.toml:4: printer.kind: \"usb\" is not one of file, device, tcp");
  EXPECT_EQ(config_error("[kiosk]\nhall = \"town\"\n[printr]\n"),
            "kiosk.toml:3: unknown section \"printr\" (did you mean \"printer\"?)");
  EXPECT_EQ(config_error("[kiosk]\nhall = \"town\n").rfind("kiosk.toml:2: syntax error: ", 0), 0u);
  EXPECT_EQ(config_error("[kiosk]\nhall = \"town\"\n[printer]\npath = \"/tmp/spool\"\npaper_mm = 70\n"),
            "kiosk.toml:5: printer.paper_mm: 70: expected 58 or 80");
}

TEST(KioskConfig, ShippedSampleLoads) {
  const KioskConfig c = load_kiosk_config(std::string(HALLQ_SOURCE_DIR) + "/conf/devices/kiosk-town.toml");
  EXPECT_EQ(c.hall, "town");
  EXPECT_EQ(c.age_threshold, 65);
  EXPECT_EQ(c.printer.kind, PrinterKind::kDevice);
}

// The kiosk's old CSV book is gone: a config that still has [appointments]
// is refused at its line, saying where the bookings live now, how the CSV is
// imported once, and that its lines lack the ID number the import needs.
TEST(KioskConfig, OldAppointmentsTableIsRefusedWithTheImport) {
  const std::string e = config_error(
      "[kiosk]\nhall = \"town\"\n\n[appointments]\nfile = \"/srv/old/appts.csv\"\nused_log = \"u.log\"\n"
      "early_min = 15\n");
  EXPECT_EQ(e.rfind("kiosk.toml:4: [appointments] 已停用：预约表现在由引擎保管", 0), 0u) << e;
  EXPECT_NE(e.find("hallq appointments import HALL FILE --person-salt SALT"), std::string::npos) << e;
  EXPECT_NE(e.find("hallq appointments import town /srv/old/appts.csv --person-salt SALT"), std::string::npos)
      << e;
  EXPECT_NE(e.find("没有身份证号码"), std::string::npos) << e;
  EXPECT_NE(e.find("id_number"), std::string::npos) << e;
  // An empty table is the old book too.
  EXPECT_EQ(config_error("[kiosk]\nhall = \"town\"\n[appointments]\n")
                .rfind("kiosk.toml:3: [appointments] 已停用", 0),
            0u);
}

class SessionTest : public ::testing::Test {
 protected:
  KioskConfig config_;
  std::vector<ServiceTile> tiles_ = {{"social", "社保医保", "A", 3, 600, 2}, {"tax", "税务", "G", 0, -1, 0}};
};

TEST_F(SessionTest, ServiceWithoutOpenWindowIsRefusedBeforeSending) {
  KioskSession s(config_);
  EXPECT_FALSE(s.tap("tax", &tiles_));
  EXPECT_EQ(s.screen(), Screen::kRefused);
  EXPECT_EQ(s.message(), "该事项暂无窗口办理，请咨询导办台");
  auto r = s.tap("social", &tiles_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->priority, core::Priority::kNormal);
  EXPECT_EQ(r->service_name, "社保医保");
  // A second tap while the first is unanswered makes no second request.
  EXPECT_FALSE(s.tap("social", &tiles_));
  s.issued({"A004", "社保医保", "", 3, 600});
  EXPECT_EQ(s.screen(), Screen::kIssued);
  EXPECT_TRUE(s.tap("social", &tiles_));
}

TEST_F(SessionTest, ElderlyPriorityByAgeOnTheLocalDate) {
  config_.age_threshold = 65;
  KioskSession s(config_);
  const core::CivilDate today{2025, 3, 1};
  s.enter_id(make_id("19600302"), today);  // 64 until tomorrow
  EXPECT_EQ(s.screen(), Screen::kRefused);
  EXPECT_EQ(s.message(), "年满 65 周岁可走优先通道，请取普通号");
  s.enter_id(make_id("19600301"), today);  // 65 today
  EXPECT_EQ(s.screen(), Screen::kPriorityChosen);
  EXPECT_EQ(s.priority_label(), "优先（老年人）");
  auto r = s.tap("social", &tiles_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->priority, core::Priority::kPriority);
  EXPECT_EQ(r->label, "优先（老年人）");
  // The next citizen starts normal again.
  s.issued({"A005", "社保医保", "", 0, 0});
  EXPECT_EQ(s.tap("social", &tiles_)->priority, core::Priority::kNormal);
}

TEST_F(SessionTest, CategoryAndAppointment) {
  KioskSession s(config_);
  s.choose_priority("军人");
  EXPECT_EQ(s.screen(), Screen::kRefused);
  s.choose_priority("现役军人");
  EXPECT_EQ(s.priority_label(), "优先（现役军人）");
  s.cancel();
  EXPECT_EQ(s.tap("social", &tiles_)->priority, core::Priority::kNormal);
  s.refused("x");
  // Not a booking code: refused before anything is sent.
  for (std::string_view bad : {"", "12345", "1234567", "012345", "12a456"}) {
    EXPECT_FALSE(s.enter_appointment(bad)) << bad;
    EXPECT_EQ(s.screen(), Screen::kRefused);
    EXPECT_EQ(s.message(), "预约码为 6 位数字，请核对后重新输入");
  }
  // A booking code: a CheckIn for the engine to judge (it knows the service and slot).
  auto r = s.enter_appointment("482913");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->booking, 482913u);
  EXPECT_EQ(r->priority, core::Priority::kAppointment);
  EXPECT_TRUE(r->service.empty());
  EXPECT_TRUE(r->request_id.empty());  // a fresh id per attempt
  EXPECT_TRUE(s.pending());
  EXPECT_FALSE(s.enter_appointment("482913"));  // no second request while one is pending
}

TEST(KioskLayout, TouchesFindTheirButtons) {
  KioskConfig c;
  std::vector<ServiceTile> tiles = {{"social", "社保医保", "A", 3, 600, 2},
                                    {"estate", "不动产登记", "B", 0, -1, 1},
                                    {"tax", "税务", "G", 0, -1, 0}};
  // A hall without bookings offers no check-in.
  EXPECT_EQ(layout_screen(1080, 1920, tiles, c, {}, false, false).buttons.size(), 7u);
  const Layout l = layout_screen(1080, 1920, tiles, c, {}, false, true);
  // 3 tiles + elderly + 3 categories + appointment.
  ASSERT_EQ(l.buttons.size(), 8u);
  EXPECT_EQ(l.buttons.back().kind, ActionKind::kOpenApptPad);
  for (const Button& b : l.buttons) {
    const Button* h = hit(l, b.rect.x + b.rect.w / 2, b.rect.y + b.rect.h / 2);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h, &b);
    EXPECT_LE(b.rect.x + b.rect.w, 1080);
    EXPECT_LE(b.rect.y + b.rect.h, 1920);
  }
  EXPECT_EQ(l.buttons[0].caption, "前面 3 人 预计 10 分钟");
  EXPECT_TRUE(l.buttons[2].disabled);
  EXPECT_EQ(hit(l, 1, 1), nullptr);  // the header is not a button
}

TEST(KioskLayout, PadTypesAnIdAndHidesIt) {
  PadState pad{PadKind::kId, ""};
  const std::string id = make_id("19500101");
  for (char ch : id.substr(0, 17)) pad.press(ActionKind::kPadKey, std::string(1, ch));
  pad.press(ActionKind::kPadKey, std::string(1, id[17]));
  EXPECT_EQ(pad.typed, id);
  EXPECT_EQ(pad.shown().find(id.substr(6, 8)), std::string::npos);  // the birth date is not on screen
  pad.press(ActionKind::kPadKey, "9");                              // full: ignored
  EXPECT_EQ(pad.typed.size(), 18u);
  EXPECT_TRUE(pad.press(ActionKind::kPadOk, ""));
  PadState appt{PadKind::kAppointment, ""};
  appt.press(ActionKind::kPadKey, "X");
  EXPECT_TRUE(appt.typed.empty());
  for (char ch : std::string("4829135")) appt.press(ActionKind::kPadKey, std::string(1, ch));
  EXPECT_EQ(appt.typed, "482913");  // a booking code has 6 digits
}

}  // namespace
}  // namespace hallq::kiosk

namespace hallq::kiosk {
namespace {

TEST(QrMatrix, EncodesTheFinderPatternsAndGrowsWithThePayload) {
  const qr::QrMatrix small = qr::encode_qr("A012", qr_ecc(QrEcc::kM));
  EXPECT_EQ(small.size, 21);  // version 1
  // The three finder patterns: a dark 7x7 ring with a light ring inside and a dark 3x3 eye.
  for (const auto& [ox, oy] : {std::pair{0, 0}, std::pair{small.size - 7, 0}, std::pair{0, small.size - 7}}) {
    for (int i = 0; i < 7; ++i) {
      EXPECT_TRUE(small.at(ox + i, oy));
      EXPECT_TRUE(small.at(ox + i, oy + 6));
      EXPECT_TRUE(small.at(ox, oy + i));
    }
    EXPECT_FALSE(small.at(ox + 1, oy + 1));
    EXPECT_TRUE(small.at(ox + 3, oy + 3));
  }
  const qr::QrMatrix big = qr::encode_qr(std::string(120, 'x'), qr_ecc(QrEcc::kH));
  EXPECT_GT(big.size, small.size);
  EXPECT_EQ((big.size - 17) % 4, 0);
  EXPECT_THROW(qr::encode_qr(std::string(5000, 'x'), qr_ecc(QrEcc::kH)), std::runtime_error);
}

// The rendered ticket carries the QR symbol of the stream's payload, module for
// module, on both paper widths. HALLQ_KIOSK_DOC_DIR=adapters/kiosk/doc
// regenerates the README's ticket-80mm.png and ticket-58mm.png from these.
TEST(TicketImage, DrawsTheQrCodeThePrinterPrints) {
  ::setenv("SDL_VIDEODRIVER", "dummy", 1);
  TicketInfo t = sample_ticket();
  t.qr = expand_qr_template("https://zwfw.example.gov.cn/queue/{hall}/{date}/{number}", t);
  t.footer = {"请留意叫号，过号请到导办台", "服务监督电话 12345"};
  for (const auto& [paper_mm, width, number_size] : {std::tuple{80, 576, 5}, std::tuple{58, 384, 4}}) {
    SCOPED_TRACE(paper_mm);
    const DecodedPrint print = decode_escpos(layout_ticket(t, number_size, 6));
    const PrintedQr* qr = nullptr;
    for (const PrintedItem& i : print.items)
      if (auto* q = std::get_if<PrintedQr>(&i)) qr = q;
    ASSERT_NE(qr, nullptr);
    ASSERT_EQ(qr->data, t.qr);
    const qr::QrMatrix m = qr::encode_qr(qr->data, qr_ecc(qr->ecc));
    const std::string name = fmt::format("ticket-{}mm.png", paper_mm);
    const std::string path = ::testing::TempDir() + "/" + name;
    render_ticket_png(print, width, path, {});
    if (const char* doc = std::getenv("HALLQ_KIOSK_DOC_DIR")) {
      std::filesystem::copy_file(path, std::string(doc) + "/" + name,
                                 std::filesystem::copy_options::overwrite_existing);
    }
    const sdl::Image img = sdl::load_png(path);
    ASSERT_EQ(img.width, width);
    auto dark = [&](int x, int y) {
      return img.rgba[(static_cast<std::size_t>(y) * img.width + x) * 4] < 128;
    };
    const int module = qr->module_size, side = m.size * module, x0 = (width - side) / 2;
    ASSERT_LT(side, width);
    // The symbol's top row: the first row where the top-left finder's edge is dark and its left neighbour
    // light.
    int y0 = -1;
    for (int y = 0; y < img.height && y0 < 0; ++y) {
      bool run = true;
      for (int x = x0; x < x0 + 7 * module && run; ++x) run = dark(x, y);
      if (run && !dark(x0 - 1, y)) y0 = y;
    }
    ASSERT_GE(y0, 0);
    ASSERT_LE(y0 + side, img.height);
    int wrong = 0;
    for (int my = 0; my < m.size; ++my)
      for (int mx = 0; mx < m.size; ++mx)
        wrong += dark(x0 + mx * module + module / 2, y0 + my * module + module / 2) != m.at(mx, my);
    EXPECT_EQ(wrong, 0) << "of " << m.size * m.size << " modules";
  }
}

}  // namespace
}  // namespace hallq::kiosk
