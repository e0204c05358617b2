// Appointments (预约) through the real hallqd's HTTP API and the real hallq:
// book -> list -> check in -> an appointment ticket; cancel frees the place;
// one booking per person and service a day; a full slot; hostile bodies
// (bad JSON, wrong fields, bad ID numbers and phones, oversize) answered 4xx
// in Chinese with nothing changed; no salt, no booking; the ID number never
// comes back; hallq book / appointments list, checkin, cancel, import.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/core/calendar.h"
#include "engine/core/resident_id.h"
#include "engine/keys/person_hash.h"
#include "engine/server/accounts.h"
#include "tests/support/engine_process.h"
#include "tests/support/http_client.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace hallq::testing {
namespace {

namespace http = boost::beast::http;
using json = nlohmann::json;

const std::string kTown = std::string(HALLQ_SOURCE_DIR) + "/conf/town.toml";

// town.toml with social bookable all day (2 places a slot) and estate (1 place).
std::string booking_hall(const TempDir& dir) {
  std::ifstream in(kTown);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto add_after = [&](const std::string& marker, const std::string& extra) {
    const std::size_t at = text.find(marker);
    EXPECT_NE(at, std::string::npos) << marker;
    text.insert(at + marker.size(), extra);
  };
  const std::string slots =
      "slot_min = 30\nhours = [\"00:00-24:00\"]\ncheck_in_before_min = 30\ncheck_in_after_min = 15\n"
      "book_ahead_days = 7\n";
  add_after("expected_handle_min = 6\n", "\n[service.appointments]\ncapacity = 2\n" + slots);
  add_after("expected_handle_min = 14\n", "\n[service.appointments]\ncapacity = 1\n" + slots);
  const std::string path = dir.sub("town.toml");
  std::ofstream(path) << text;
  return path;
}

std::string id_born(std::string_view yyyymmdd, std::string_view order = "123") {
  std::string id = "110105" + std::string(yyyymmdd) + std::string(order);
  id.push_back(core::resident_id_check_char(id));
  return id;
}

// The next slot whose check-in is open now (within 30 minutes before its start):
// {day "YYYY-MM-DD", "HH:MM"}.
std::pair<std::string, std::string> next_slot() {
  using namespace std::chrono;
  const std::int64_t us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  const std::int64_t local_min = (us / 60'000'000) + 8 * 60;
  const std::int64_t slot = (local_min / 30 + 1) * 30;
  const std::int64_t day = slot / 1440;
  const int m = static_cast<int>(slot % 1440);
  return {core::format_date(day), fmt::format("{:02}:{:02}", m / 60, m % 60)};
}

class BookingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    salt_ = dir_.sub("person.salt");
    keys::PersonSalt::generate().write_file(salt_);
    engine_ = std::make_unique<EngineProcess>(std::vector<std::string>{booking_hall(dir_)}, dir_.sub("data"),
                                              std::vector<std::string>{"--person-salt", salt_});
    http_ = engine_->http();
    std::tie(day_, slot_) = next_slot();
  }
  HttpAnswer send(http::verb v, const std::string& target, const std::string& body = "") {
    return http_request(http_, v, target, body);
  }
  HttpAnswer book(const std::string& id, const std::string& service = "social", std::string slot = "") {
    json b = {{"service", service}, {"day", day_}, {"slot", slot.empty() ? slot_ : slot}, {"id_number", id}};
    return send(http::verb::post, "/api/halls/town/appointments", b.dump());
  }
  std::uint64_t seq() { return send(http::verb::get, "/api/halls/town").j()["seq"].get<std::uint64_t>(); }
  RunResult hallq(std::vector<std::string> args) {
    args.insert(args.begin(), {"--engine", engine_->cmd()});
    return run_program(HALLQ_PATH, args);
  }

  TempDir dir_{"hallq-booking"};
  std::string salt_, http_, day_, slot_;
  std::unique_ptr<EngineProcess> engine_;
};

TEST_F(BookingTest, BookListCheckInGivesAnAppointmentTicket) {
  const std::string id = id_born("19800615");
  HttpAnswer r = send(
      http::verb::post, "/api/halls/town/appointments",
      json{{"service", "social"}, {"day", day_}, {"slot", slot_}, {"id_number", id}, {"phone", "13812345678"}}
          .dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const std::uint32_t code = r.j()["code"].get<std::uint32_t>();
  EXPECT_GE(code, 100'000u);
  EXPECT_EQ(r.j()["service"], "social");
  EXPECT_EQ(r.j()["day"], day_);
  EXPECT_EQ(r.j()["slot"], slot_);

  r = send(http::verb::get, "/api/halls/town/appointments?day=" + day_);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.j()["bookings"].size(), 1u) << r.body;
  const json b = r.j()["bookings"][0];
  EXPECT_EQ(b["code"], code);
  EXPECT_EQ(b["slot"], slot_);
  EXPECT_EQ(b["state"], "booked");
  EXPECT_EQ(b["person"].get<std::string>().size(), 8u);
  EXPECT_EQ(b["phone"], "138****5678");
  EXPECT_EQ(r.body.find(id), std::string::npos) << "the ID number came back";
  EXPECT_EQ(r.body.find("13812345678"), std::string::npos) << "the phone came back unmasked";
  EXPECT_EQ(r.j()["services"][0]["booked"], 1) << r.body;
  // The audit log keeps the booking's request, its ID number and phone masked.
  r = send(http::verb::get, "/api/audit");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(id), std::string::npos) << "the ID number reached the audit log";
  EXPECT_EQ(r.body.find("13812345678"), std::string::npos) << "the phone reached the audit log";
  EXPECT_NE(r.body.find(core::mask_resident_id(id)), std::string::npos) << r.body;

  r = send(http::verb::get, fmt::format("/api/halls/town/appointments/{}", code));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["code"], code);
  EXPECT_EQ(send(http::verb::get, "/api/halls/town/appointments/999999").status, 404);
  EXPECT_EQ(send(http::verb::get, "/api/halls/town/appointments/12ab").status, 400);

  r = send(http::verb::post, fmt::format("/api/halls/town/appointments/{}/check-in", code));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["priority"], "appointment");
  const std::string number = r.j()["number"];
  EXPECT_EQ(number.substr(0, 1), "A");
  EXPECT_EQ(r.j()["code"], code);
  r = send(http::verb::get, fmt::format("/api/halls/town/appointments/{}", code));
  EXPECT_EQ(r.j()["state"], "checked_in");
  EXPECT_EQ(r.j()["number"], number);
  // Twice: refused, naming the ticket; a checked-in booking cannot be cancelled.
  r = send(http::verb::post, fmt::format("/api/halls/town/appointments/{}/check-in", code));
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.j()["message"].get<std::string>().find(number), std::string::npos) << r.body;
  EXPECT_EQ(send(http::verb::delete_, fmt::format("/api/halls/town/appointments/{}", code)).status, 409);
  // The waiting ticket is an appointment ticket.
  const json tickets = send(http::verb::get, "/api/halls/town/tickets?state=waiting").j();
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets[0]["number"], number);
  EXPECT_EQ(tickets[0]["priority"], "appointment");
}

TEST_F(BookingTest, OnePersonPerServiceAndDayAFullSlotAndCancelFreesIt) {
  const std::string ann = id_born("19800615"), bob = id_born("19700101"), cat = id_born("19900228");
  HttpAnswer r = book(ann, "estate");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::uint32_t code = r.j()["code"];
  const std::uint64_t before = seq();
  // estate takes one booking a slot.
  r = book(bob, "estate");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.j()["error"], "slot_full");
  EXPECT_NE(r.j()["message"].get<std::string>().find("约满"), std::string::npos) << r.body;
  // The same person again that day (another slot): refused, with the first code.
  const std::string later = next_slot().second == "23:30" ? "" : "23:30";
  if (!later.empty()) {
    r = book(ann, "estate", later);
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(r.j()["error"], "already_booked");
    EXPECT_NE(r.j()["message"].get<std::string>().find(std::to_string(code)), std::string::npos) << r.body;
  }
  EXPECT_EQ(seq(), before) << "a refused booking changed the hall";

  r = send(http::verb::delete_, fmt::format("/api/halls/town/appointments/{}", code));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(send(http::verb::get, fmt::format("/api/halls/town/appointments/{}", code)).status, 404);
  EXPECT_EQ(send(http::verb::delete_, fmt::format("/api/halls/town/appointments/{}", code)).status, 404);
  r = book(bob, "estate");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(book(cat, "social").status, 201);
}

TEST_F(BookingTest, HostileBodiesAreRefusedInChineseAndChangeNothing) {
  const std::string id = id_born("19800615");
  std::string bad_check = id;
  bad_check[17] = bad_check[17] == '1' ? '2' : '1';
  const std::uint64_t before = seq();
  struct Case {
    std::string body;
    int status;
    std::string error;
  };
  auto body = [&](json j) { return j.dump(); };
  const json good = {{"service", "social"}, {"day", day_}, {"slot", slot_}, {"id_number", id}};
  auto with = [&](const char* key, json value) {
    json j = good;
    j[key] = std::move(value);
    return j.dump();
  };
  auto without = [&](const char* key) {
    json j = good;
    j.erase(key);
    return j.dump();
  };
  const std::vector<Case> cases = {
      {"not json", 400, "malformed"},
      {"[1,2]", 400, "malformed"},
      {"", 400, "malformed"},
      {with("id_number", bad_check), 400, "bad_argument"},
      {with("id_number", "11010519491231002"), 400, "bad_argument"},
      {with("id_number", "11010519800230123X"), 400, "bad_argument"},
      {with("id_number", 110105198006151234), 400, "bad_argument"},
      {with("phone", "23812345678"), 400, "bad_argument"},
      {with("phone", "1381234567"), 400, "bad_argument"},
      {with("service", "nosuch"), 404, "unknown_service"},
      {with("service", "business"), 400, "bad_argument"},  // not bookable
      {with("day", "2026-13-01"), 400, "bad_argument"},
      {with("day", "2001-01-01"), 400, "bad_argument"},  // past
      {with("day", "2999-01-01"), 400, "bad_argument"},  // beyond book_ahead_days
      {with("slot", "09:31"), 400, "bad_argument"},      // not on the grid
      {with("slot", "9:30"), 400, "bad_argument"},
      {with("person", "x"), 400, "bad_argument"},  // unknown field
      {without("id_number"), 400, "bad_argument"},
      {without("slot"), 400, "bad_argument"},
      {body(json{{"service", std::string(100'000, 'a')}}), 413, "too_large"},
  };
  for (const Case& c : cases) {
    const HttpAnswer r = send(http::verb::post, "/api/halls/town/appointments", c.body);
    EXPECT_EQ(r.status, c.status) << c.body.substr(0, 200) << " -> " << r.body;
    EXPECT_EQ(r.j()["error"], c.error) << c.body.substr(0, 200) << " -> " << r.body;
    const std::string message = r.j().value("message", "");
    EXPECT_FALSE(message.empty()) << r.body;
    EXPECT_TRUE(std::any_of(message.begin(), message.end(), [](char ch) { return ch & 0x80; }))
        << "not Chinese: " << message;
  }
  EXPECT_EQ(send(http::verb::put, "/api/halls/town/appointments", good.dump()).status, 405);
  EXPECT_EQ(send(http::verb::post, "/api/halls/town/appointments/100000/nope").status, 404);
  EXPECT_EQ(seq(), before) << "a refused request changed the hall";
  EXPECT_EQ(send(http::verb::get, "/api/halls/town/appointments").j()["bookings"].size(), 0u);
}

TEST(BookingWithoutSalt, IsRefusedClearly) {
  TempDir dir("hallq-booking");
  EngineProcess engine({booking_hall(dir)}, dir.sub("data"));
  const auto [day, slot] = next_slot();
  const HttpAnswer r = http_request(
      engine.http(), http::verb::post, "/api/halls/town/appointments",
      json{{"service", "social"}, {"day", day}, {"slot", slot}, {"id_number", id_born("19800615")}}.dump());
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.j()["error"], "no_salt");
  EXPECT_NE(r.j()["message"].get<std::string>().find("--person-salt"), std::string::npos);
}

TEST_F(BookingTest, TheCliBooksListsChecksInAndCancels) {
  const std::string id = id_born("19800615");
  RunResult r =
      hallq({"--json", "book", "town", "social", day_, slot_, "--id-number", id, "--person-salt", salt_});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json booked = json::parse(r.out);
  const std::string code = std::to_string(booked["code"].get<std::uint32_t>());
  EXPECT_EQ(booked["slot"], slot_);
  // The same person over HTTP: the same salt, the same person.
  EXPECT_EQ(book(id).status, 409);
  // A wrong check digit never reaches the engine.
  std::string bad = id;
  bad[17] = bad[17] == '1' ? '2' : '1';
  r = hallq({"book", "town", "social", day_, slot_, "--id-number", bad, "--person-salt", salt_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("校验位"), std::string::npos) << r.err;

  r = hallq({"appointments", "list", "town", "--day", day_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(code), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("待签到"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(id), std::string::npos);

  r = hallq({"--json", "appointments", "checkin", "town", code});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["priority"], "appointment") << r.out;
  r = hallq({"appointments", "cancel", "town", code});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("已签到"), std::string::npos) << r.err;
  r = hallq({"appointments", "cancel", "town", "12x"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(BookingTest, TheKiosksOldCsvBookIsImportedLineByLine) {
  const std::string csv = dir_.sub("old.csv");
  std::ofstream(csv) << "code,service,date,slot,name,id_number,phone\n"
                     << "482913,social," << day_ << "," << slot_ << "-xx,张*明," << id_born("19800615")
                     << ",\n"
                     << "571204,estate," << day_ << "," << slot_ << "-xx,李*," << id_born("19700101")
                     << ",13800001111\n"
                     << "660318,social," << day_ << "," << slot_ << "-xx,王*华,110105197001011230,\n"
                     << "660319,social," << day_ << "," << slot_ << "-xx,赵*,,\n"
                     << "660320,estate," << day_ << "," << slot_ << "-xx,钱*," << id_born("19900228")
                     << ",\n";
  RunResult r = hallq({"appointments", "import", "town", csv, "--person-salt", salt_});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // some lines refused
  EXPECT_NE(r.out.find("第 2 行：已导入，预约码 482913"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("第 3 行：已导入，预约码 571204"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("第 4 行：未导入：身份证号码校验位不正确"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("第 5 行：未导入：没有身份证号码"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("第 6 行：未导入："), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("slot_full"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("共导入 2 个，未导入 3 个"), std::string::npos) << r.out;
  // The citizen keeps the old code: it checks in.
  EXPECT_EQ(send(http::verb::post, "/api/halls/town/appointments/482913/check-in").status, 200);
  // A second run books nothing twice.
  r = hallq({"appointments", "import", "town", csv, "--person-salt", salt_});
  EXPECT_EQ(send(http::verb::get, "/api/halls/town/appointments?day=" + day_).j()["bookings"].size(), 2u);
}

}  // namespace
}  // namespace hallq::testing

namespace hallq::testing {
namespace {

// Who sees what (issue 20): a viewer's reads of bookings carry neither the
// person's hash nor the phone, not even masked; an admin's carry the hash's
// first digits and the masked phone.
TEST(BookingPrivacy, AViewerSeesNoPhoneNorPersonHash) {
  TempDir dir("hallq-booking-viewer");
  const std::string salt = dir.sub("person.salt");
  keys::PersonSalt::generate().write_file(salt);
  const std::string accounts = dir.sub("managers.toml");
  std::ofstream(accounts) << "[[manager]]\nname = \"zhang\"\nrole = \"admin\"\npassword_hash = \""
                          << server::hash_password("admin-pass-1")
                          << "\"\n\n[[manager]]\nname = \"li\"\nrole = \"viewer\"\nhalls = [\"town\"]\n"
                             "password_hash = \""
                          << server::hash_password("viewer-pass-1") << "\"\n";
  EngineProcess engine({booking_hall(dir)}, dir.sub("data"), {"--person-salt", salt, "--accounts", accounts});
  const std::string http = engine.http();
  auto login = [&](const std::string& user, const std::string& password) {
    const HttpAnswer a = http_request(http, http::verb::post, "/api/login",
                                      json{{"user", user}, {"password", password}}.dump());
    EXPECT_EQ(a.status, 200) << a.body;
    HttpRequestOptions o;
    o.headers = {{"Cookie", a.set_cookie.substr(0, a.set_cookie.find(';'))},
                 {"X-CSRF-Token", a.j()["csrf"].get<std::string>()}};
    return o;
  };
  const HttpRequestOptions admin = login("zhang", "admin-pass-1"), viewer = login("li", "viewer-pass-1");
  const auto [day, slot] = next_slot();
  const std::string phone = "13812345678";
  HttpAnswer r = http_request(http, http::verb::post, "/api/halls/town/appointments",
                              json{{"service", "social"},
                                   {"day", day},
                                   {"slot", slot},
                                   {"id_number", id_born("19800615")},
                                   {"phone", phone}}
                                  .dump(),
                              admin);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::uint32_t code = r.j()["code"].get<std::uint32_t>();

  r = http_request(http, http::verb::get, "/api/halls/town/appointments?day=" + day, "", admin);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.j()["bookings"].size(), 1u) << r.body;
  EXPECT_EQ(r.j()["bookings"][0]["phone"], "138****5678");
  const std::string person = r.j()["bookings"][0]["person"];
  ASSERT_EQ(person.size(), 8u);

  for (const std::string& target :
       {"/api/halls/town/appointments?day=" + day, fmt::format("/api/halls/town/appointments/{}", code),
        std::string("/api/halls/town")}) {
    r = http_request(http, http::verb::get, target, "", viewer);
    ASSERT_EQ(r.status, 200) << target << ": " << r.body;
    for (const std::string& secret : {phone, std::string("138****5678"), std::string("****"), person})
      EXPECT_EQ(r.body.find(secret), std::string::npos) << target << " shows " << secret << ": " << r.body;
  }
  r = http_request(http, http::verb::get, fmt::format("/api/halls/town/appointments/{}", code), "", viewer);
  EXPECT_EQ(r.j()["code"], code);  // the booking itself is there
  EXPECT_FALSE(r.j().contains("phone"));
  EXPECT_FALSE(r.j().contains("person"));
}

}  // namespace
}  // namespace hallq::testing
