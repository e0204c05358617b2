// Tests of the TOML hall-config loader: every shipped config in conf/ loads,
// and each kind of broken config is refused with the right line and message.
#include "engine/config/config_loader.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/core/calendar.h"

namespace hallq::config {
namespace {

using core::HallConfig;
using core::HallRules;
using core::ServiceIdx;
using core::ServiceKind;
using core::Skill;
using core::WindowConfig;
using core::WindowKind;

const std::filesystem::path kConfDir = std::filesystem::path(HALLQ_SOURCE_DIR) / "conf";

std::shared_ptr<HallConfig> load_conf(const std::string& name) {
  return load_hall_config((kConfDir / name).string());
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

const WindowConfig& window(const HallConfig& c, std::string_view id) {
  auto idx = c.find_window(id);
  EXPECT_TRUE(idx.has_value()) << id;
  return c.windows.at(idx.value_or(0));
}

TEST(ShippedConfigs, EveryFileInConfLoads) {
  std::size_t loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kConfDir)) {
    if (entry.path().extension() != ".toml") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(load_hall_config(entry.path().string()));
    ++loaded;
  }
  EXPECT_GE(loaded, 3u);
}

TEST(ShippedConfigs, Town) {
  auto c = load_conf("town.toml");
  EXPECT_EQ(c->id, "town");
  EXPECT_EQ(c->name, "商家镇便民服务中心");
  ASSERT_EQ(c->hours.size(), 1u);
  EXPECT_EQ(c->hours[0].start_min, 8 * 60 + 30);
  EXPECT_EQ(c->hours[0].end_min, 17 * 60 + 30);
  EXPECT_EQ(c->utc_offset_min, 8 * 60);
  EXPECT_EQ(c->services.size(), 7u);
  EXPECT_EQ(c->windows.size(), 12u);
  EXPECT_EQ(window(*c, "w11").kind, WindowKind::kFallback);
  EXPECT_EQ(c->services[*c->find_prefix("B")].kind, ServiceKind::kPromise);
  // No [rules] table: every rule keeps its default.
  EXPECT_EQ(c->rules.policy, "balanced");
  EXPECT_EQ(c->rules.number_digits, 3);
}

TEST(ShippedConfigs, Bank) {
  auto c = load_conf("bank.toml");
  EXPECT_EQ(c->windows.size(), 24u);
  EXPECT_EQ(c->hours[0].end_min, 24 * 60);  // "07:00-24:00": open to midnight
  EXPECT_DOUBLE_EQ(c->services[*c->find_service("ps")].expected_handle_min, 3.5);
}

TEST(ShippedConfigs, DistrictIsAnNPlusOneHall) {
  auto c = load_conf("district.toml");
  const std::string text = read_text(kConfDir / "district.toml");
  EXPECT_EQ(c->windows.size(), count_of(text, "\n[[window]]"));
  EXPECT_GE(c->windows.size(), 31u);
  EXPECT_LE(c->windows.size(), 33u);
  ASSERT_EQ(c->hours.size(), 2u);  // a lunch break
  EXPECT_LT(c->hours[0].end_min, c->hours[1].start_min);

  auto fallback = std::find_if(c->windows.begin(), c->windows.end(),
                               [](const WindowConfig& w) { return w.kind == WindowKind::kFallback; });
  ASSERT_NE(fallback, c->windows.end());
  EXPECT_EQ(std::count_if(c->windows.begin(), c->windows.end(),
                          [](const WindowConfig& w) { return w.kind == WindowKind::kFallback; }),
            1);
  EXPECT_EQ(fallback->serves.size(), c->services.size()) << "the fallback window serves everything";
  const ServiceIdx consult = *c->find_service("consult");
  for (const Skill& k : fallback->serves) {
    if (k.service == consult) {
      EXPECT_EQ(k.level, 1);
    } else {
      EXPECT_TRUE(k.level == 2 || k.level == 3) << c->services[k.service].id;
    }
  }

  // Every service has a window where it is primary, and A/B posts need at
  // least two staff per window.
  for (ServiceIdx s = 0; s < c->services.size(); ++s) {
    EXPECT_TRUE(std::any_of(c->windows.begin(), c->windows.end(), [&](const WindowConfig& w) {
      return std::any_of(w.serves.begin(), w.serves.end(),
                         [&](const Skill& k) { return k.service == s && k.level == 1; });
    })) << c->services[s].id;
  }
  EXPECT_GE(c->staff.size(), 2 * c->windows.size());
}

TEST(Loader, ResolvesServesInServiceOrderAndReadsOptionalParts) {
  auto c = parse_hall_config(R"(
[hall]
id = "t"
name = "测试大厅"
hours = ["09:00-12:00", "13:30-17:00"]
wait_target_min = 15.5
number_reset = "daily"
utc_offset = "-03:30"

[rules]
policy = "oldest"
help_load = 7.5
recall_limit = 1

[[service]]
id = "a"
name = "甲"
prefix = "A"
kind = "instant"
expected_handle_min = 4

[[service]]
id = "b"
name = "乙"
prefix = "BB"
kind = "promise"
expected_handle_min = 12.5

[[window]]
id = "W1"
number = 7
name = "综合窗口"
kind = "fallback"
serves = { b = 1, a = 2 }

[[staff]]
id = "s1"
name = "张敏"

[screen]
layout = "anything: later issues read this"

[[device]]
kind = "keypad"
)",
                             "inline.toml");
  EXPECT_DOUBLE_EQ(c->wait_target_min, 15.5);
  EXPECT_EQ(c->utc_offset_min, -210);
  ASSERT_EQ(c->hours.size(), 2u);
  EXPECT_EQ(c->hours[1].start_min, 13 * 60 + 30);
  EXPECT_EQ(c->rules.policy, "oldest");
  EXPECT_DOUBLE_EQ(c->rules.help_load, 7.5);
  EXPECT_EQ(c->rules.recall_limit, 1);
  EXPECT_EQ(c->rules.priority_ratio, HallRules{}.priority_ratio);
  EXPECT_EQ(c->services[1].kind, ServiceKind::kPromise);
  EXPECT_DOUBLE_EQ(c->services[1].expected_handle_min, 12.5);
  const WindowConfig& w = c->windows[0];
  EXPECT_EQ(w.number, 7);
  EXPECT_EQ(w.kind, WindowKind::kFallback);
  ASSERT_EQ(w.serves.size(), 2u);
  EXPECT_EQ(w.serves[0].service, 1);  // "b" is the second [[service]]
  EXPECT_EQ(w.serves[0].level, 1);
  EXPECT_EQ(w.serves[1].service, 0);
  EXPECT_EQ(w.serves[1].level, 2);
  ASSERT_NE(c->find_staff("s1"), nullptr);
  EXPECT_EQ(c->find_staff("s1")->name, "张敏");
}

TEST(Loader, MissingFileNamesThePath) {
  const std::string path = "/nonexistent/hallq/nowhere.toml";
  try {
    load_hall_config(path);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
}

TEST(Loader, DirectoryIsNotAConfig) { EXPECT_THROW(load_hall_config(kConfDir.string()), ConfigError); }

// A small valid hall; broken cases are edits of it, so line numbers are easy
// to check by eye (the line of each key is fixed below).
constexpr std::string_view kBase =
    "[hall]\n"                                      //  1
    "id = \"t\"\n"                                  //  2
    "name = \"测试大厅\"\n"                         //  3
    "hours = [\"08:30-12:00\", \"13:30-17:00\"]\n"  //  4
    "wait_target_min = 20\n"                        //  5
    "number_reset = \"daily\"\n"                    //  6
    "\n"                                            //  7
    "[[service]]\n"                                 //  8
    "id = \"social\"\n"                             //  9
    "name = \"社保\"\n"                             // 10
    "prefix = \"A\"\n"                              // 11
    "kind = \"instant\"\n"                          // 12
    "expected_handle_min = 6\n"                     // 13
    "\n"                                            // 14
    "[[service]]\n"                                 // 15
    "id = \"civil\"\n"                              // 16
    "name = \"民政\"\n"                             // 17
    "prefix = \"B\"\n"                              // 18
    "kind = \"promise\"\n"                          // 19
    "expected_handle_min = 9.5\n"                   // 20
    "\n"                                            // 21
    "[[window]]\n"                                  // 22
    "id = \"w1\"\n"                                 // 23
    "number = 1\n"                                  // 24
    "name = \"综合窗口\"\n"                         // 25
    "kind = \"classified\"\n"                       // 26
    "serves = { social = 1, civil = 2 }\n";         // 27

// kBase with the one occurrence of `from` replaced by `to`.
std::string edit(std::string_view from, std::string_view to) {
  std::string text(kBase);
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "ambiguous edit: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string append(std::string_view more) { return std::string(kBase) + std::string(more); }

constexpr std::string_view kWindow2 =
    "\n"                                     // 28
    "[[window]]\n"                           // 29
    "id = \"w2\"\n"                          // 30
    "number = 2\n"                           // 31
    "name = \"兜底综合窗口\"\n"              // 32
    "kind = \"fallback\"\n"                  // 33
    "serves = { social = 2, civil = 2 }\n";  // 34

// Appointments for the "civil" service, inserted after its line 20.
constexpr std::string_view kAppointments =
    "[service.appointments]\n"                      // 21
    "slot_min = 30\n"                               // 22
    "capacity = 4\n"                                // 23
    "hours = [\"09:00-11:30\", \"14:00-16:00\"]\n"  // 24
    "check_in_before_min = 20\n"                    // 25
    "[[service.appointments.session]]\n"            // 26
    "days = [\"sat\"]\n"                            // 27
    "hours = [\"09:00-12:00\"]\n";                  // 28

// kBase with kAppointments, where `from` is replaced by `to`.
std::string with_appointments(std::string_view from = {}, std::string_view to = {}) {
  std::string more(kAppointments);
  if (!from.empty()) {
    const auto at = more.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) more.replace(at, from.size(), to);
  }
  return edit("expected_handle_min = 9.5\n", "expected_handle_min = 9.5\n" + more);
}

// Remote tickets for the "civil" service, inserted after its line 20.
constexpr std::string_view kRemote =
    "[service.remote]\n"           // 21
    "hours = [\"09:00-16:00\"]\n"  // 22
    "daily_quota = 40\n"           // 23
    "grace_min = 10\n";            // 24

// kBase with kRemote, where `from` is replaced by `to`.
std::string with_remote(std::string_view from = {}, std::string_view to = {}) {
  std::string more(kRemote);
  if (!from.empty()) {
    const auto at = more.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) more.replace(at, from.size(), to);
  }
  return edit("expected_handle_min = 9.5\n", "expected_handle_min = 9.5\n" + more);
}

struct BrokenCase {
  std::string name;
  std::string toml;
  int line;
  std::string fragment;  // a distinctive part of the message
};

void PrintTo(const BrokenCase& c, std::ostream* os) { *os << c.name; }

std::vector<BrokenCase> broken_cases() {
  return {
      {"SyntaxError", edit("number = 1\n", "number = = 1\n"), 24, "TOML syntax error (column"},
      {"UnterminatedString", edit("name = \"民政\"", "name = \"民政"), 17, "TOML syntax error"},
      {"DuplicateKeyIsSyntax", edit("prefix = \"B\"\n", "prefix = \"B\"\nprefix = \"C\"\n"), 19,
       "TOML syntax error"},
      {"WrongTypeInHall", edit("wait_target_min = 20", "wait_target_min = \"20\""), 5,
       "hall.wait_target_min: expected a number, got string"},
      {"WrongTypeInService", edit("expected_handle_min = 6", "expected_handle_min = true"), 13,
       "service \"social\": expected_handle_min: expected a number, got boolean"},
      {"WrongTypeInWindow", edit("number = 1", "number = 1.0"), 24,
       "window \"w1\": number: expected an integer, got float"},
      {"WrongTypeInRules", append("[rules]\nrecall_limit = \"2\"\n"), 29,
       "rules.recall_limit: expected an integer, got string"},
      {"ServesNotATable", edit("serves = { social = 1, civil = 2 }", "serves = [\"social\"]"), 27,
       "window \"w1\": serves: expected a table"},
      {"UnknownKeyInHall", edit("wait_target_min = 20", "wait_traget_min = 20"), 5,
       "unknown key \"wait_traget_min\" in [hall] (did you mean \"wait_target_min\"?)"},
      {"UnknownKeyInRules", append("[rules]\npolicy = \"balanced\"\nrecal_limit = 3\n"), 30,
       "unknown key \"recal_limit\" in [rules]"},
      {"UnknownKeyInService", edit("prefix = \"B\"", "prefx = \"B\""), 18,
       "service \"civil\": unknown key \"prefx\" in [[service]]"},
      {"UnknownKeyInWindow", edit("kind = \"classified\"", "kind = \"classified\"\ncolour = \"red\""), 27,
       "window \"w1\": unknown key \"colour\" in [[window]]"},
      {"UnknownKeyInStaff", append("[[staff]]\nid = \"s1\"\nname = \"张敏\"\npost = \"A\"\n"), 31,
       "staff \"s1\": unknown key \"post\" in [[staff]]"},
      {"UnknownTopLevelKey", append("[servce]\nid = \"x\"\n"), 28,
       "unknown top-level key \"servce\" (did you mean \"service\"?)"},
      {"MissingHall", std::string(kBase.substr(kBase.find("[[service]]"))), 1,
       "missing required table [hall]"},
      {"MissingRequiredInHall", edit("name = \"测试大厅\"\n", ""), 1,
       "missing required key \"name\" in [hall]"},
      {"MissingRequiredInService", edit("kind = \"promise\"\n", ""), 15,
       "service \"civil\": missing required key \"kind\" in [[service]]"},
      {"MissingIdInWindow", edit("id = \"w1\"\n", ""), 22,
       "window #1: missing required key \"id\" in [[window]]"},
      {"MissingServesInWindow", edit("serves = { social = 1, civil = 2 }\n", ""), 22,
       "missing required key \"serves\""},
      {"DuplicateServiceId", edit("id = \"civil\"", "id = \"social\""), 16,
       "service \"social\": id: service id \"social\" appears twice"},
      {"DuplicatePrefix", edit("prefix = \"B\"", "prefix = \"A\""), 18,
       "prefix \"A\" is used by another service"},
      {"BadPrefix", edit("prefix = \"B\"", "prefix = \"b1\""), 18,
       "prefix \"b1\" must be 1 or 2 capital letters"},
      {"BadServiceId",
       append("[[service]]\nid = \"Civil Affairs\"\nname = \"n\"\nprefix = \"C\"\nkind = \"instant\"\n"
              "expected_handle_min = 5\n"),
       29, "service \"Civil Affairs\": id: service id \"Civil Affairs\" must match [a-z0-9_-]+"},
      {"UnknownServiceInServes", edit("social = 1, civil", "socail = 1, civil"), 27,
       "window \"w1\": serves: unknown service \"socail\" (did you mean \"social\"?)"},
      {"LevelZero", edit("civil = 2 }", "civil = 0 }"), 27,
       "window \"w1\": serves.civil: skill level must be 1..9, got 0"},
      {"LevelTooHigh", edit("civil = 2 }", "civil = 300 }"), 27, "skill level must be 1..9, got 300"},
      {"EmptyServes", edit("serves = { social = 1, civil = 2 }", "serves = {}"), 27,
       "window \"w1\": serves: a window must serve at least one service"},
      {"UnknownWindowKind", edit("kind = \"classified\"", "kind = \"general\""), 26,
       "window \"w1\": kind: unknown kind \"general\""},
      {"UnknownServiceKind", edit("kind = \"promise\"", "kind = \"later\""), 19,
       "service \"civil\": kind: unknown kind \"later\""},
      {"DuplicateWindowNumber",
       append(std::string(kWindow2).replace(kWindow2.find("number = 2"), 10, "number = 1")), 31,
       "window \"w2\": number: window number 1 appears twice"},
      {"DuplicateWindowId", append(std::string(kWindow2).replace(kWindow2.find("\"w2\""), 4, "\"w1\"")), 30,
       "window id \"w1\" appears twice"},
      {"WindowNumberZero", edit("number = 1", "number = 0"), 24, "window \"w1\": number: must be 1..9999"},
      {"BadHoursFormat", edit("\"13:30-17:00\"]", "\"13:30-5pm\"]"), 4,
       "hall.hours: span \"13:30-5pm\" must be \"HH:MM-HH:MM\""},
      {"BadHoursMinute", edit("\"13:30-17:00\"]", "\"13:30-17:60\"]"), 4, "must be \"HH:MM-HH:MM\""},
      {"HoursEndBeforeStart", edit("\"13:30-17:00\"]", "\"13:30-12:30\"]"), 4,
       "span \"13:30-12:30\" does not end after it starts"},
      {"HoursOverlap", edit("\"13:30-17:00\"]", "\"11:30-17:00\"]"), 4,
       "overlaps or precedes \"08:30-12:00\""},
      {"HoursEmpty", edit("hours = [\"08:30-12:00\", \"13:30-17:00\"]", "hours = []"), 4,
       "hall.hours: needs at least one"},
      {"HoursSpanOnItsOwnLine", edit("\"13:30-17:00\"]", "\n  \"13:30-07:00\",\n]"), 5, "does not end after"},
      {"NumberResetWeekly", edit("number_reset = \"daily\"", "number_reset = \"weekly\""), 6,
       "hall.number_reset: \"weekly\" is not supported (only \"daily\")"},
      {"BadUtcOffsetFormat", edit("number_reset = \"daily\"", "number_reset = \"daily\"\nutc_offset = \"8\""),
       7, "hall.utc_offset: \"8\" must look like \"+08:00\""},
      {"UtcOffsetOutOfRange",
       edit("number_reset = \"daily\"", "number_reset = \"daily\"\nutc_offset = \"+15:00\""), 7,
       "hall.utc_offset: must be between -12:00 and +14:00"},
      {"BadHallId", edit("id = \"t\"", "id = \"Town Hall\""), 2, "hall.id: hall id \"Town Hall\" must match"},
      {"NonPositiveWaitTarget", edit("wait_target_min = 20", "wait_target_min = 0"), 5,
       "hall.wait_target_min: must be positive"},
      {"RulesOutOfRange", append("[rules]\nnumber_digits = 9\n"), 29, "rules.number_digits: must be 1..6"},
      {"IntOutOfIntRange", append("[rules]\nreactivate_min = 9999999999\n"), 29,
       "rules.reactivate_min: 9999999999 is out of range"},
      {"NoServices", std::string(kBase.substr(0, kBase.find("[[service]]"))), 1,
       "a hall needs at least one [[service]]"},
      {"EmptyServiceArray", "\n\nservice = []\n" + std::string(kBase.substr(0, kBase.find("[[service]]"))), 3,
       "a hall needs at least one [[service]]"},
      {"ServiceAsPlainTable",
       "[hall]\nid = \"t\"\nname = \"n\"\nhours = [\"08:00-17:00\"]\nwait_target_min = 20\nnumber_reset = "
       "\"daily\"\n"
       "[service]\nid = \"a\"\n",
       7, "service: expected an array of tables [[service]], got table"},
      {"DuplicateStaffId",
       append("[[staff]]\nid = \"s1\"\nname = \"甲\"\n[[staff]]\nid = \"s1\"\nname = \"乙\"\n"), 32,
       "staff \"s1\": id: staff id \"s1\" appears twice"},
      {"DaysUnknownName", edit("number_reset = \"daily\"", "number_reset = \"daily\"\ndays = \"mon-fry\""), 7,
       "hall.days: \"mon-fry\" is not a range of days"},
      {"DaysWrongType", edit("number_reset = \"daily\"", "number_reset = \"daily\"\ndays = 5"), 7,
       "hall.days: expected \"mon-fri\""},
      {"DaysEmptyList", edit("number_reset = \"daily\"", "number_reset = \"daily\"\ndays = []"), 7,
       "hall.days: names no day"},
      {"DaysListBadName",
       edit("number_reset = \"daily\"", "number_reset = \"daily\"\ndays = [\"mon\",\n  \"monday\"]"), 8,
       "hall.days: \"monday\" is not a day"},
      {"DaysListTwice",
       edit("number_reset = \"daily\"", "number_reset = \"daily\"\ndays = [\"mon\", \"mon\"]"), 7,
       "hall.days: \"mon\" is listed twice"},
      {"ClosedNotADate",
       edit("number_reset = \"daily\"",
            "number_reset = \"daily\"\nclosed = [\n  \"2026-10-01\",\n  \"2026-10-32\"]"),
       9, "hall.closed: expected a date \"YYYY-MM-DD\" (1970..2999), got \"2026-10-32\""},
      {"ClosedNotAList",
       edit("number_reset = \"daily\"", "number_reset = \"daily\"\nclosed = \"2026-10-01\""), 7,
       "hall.closed: expected an array of dates"},
      {"ClosedTwice",
       edit("number_reset = \"daily\"", "number_reset = \"daily\"\nclosed = [\"2026-10-01\", 2026-10-01]"), 7,
       "hall.closed: 2026-10-01 is listed twice"},
      {"ExtraDayAlsoClosed",
       edit("number_reset = \"daily\"",
            "number_reset = \"daily\"\nclosed = [\"2026-10-01\"]\nextra_days = [\"2026-10-01\"]"),
       8, "hall.extra_days: 2026-10-01 is also in closed"},
      {"AppointmentSlotTooShort", with_appointments("slot_min = 30", "slot_min = 0"), 22,
       "service \"civil\": appointments.slot_min: must be 5..240 minutes"},
      {"AppointmentCapacityMissing", with_appointments("capacity = 4\n", ""), 21,
       "missing required key \"capacity\""},
      {"AppointmentCapacityTooLarge", with_appointments("capacity = 4", "capacity = 5000"), 23,
       "service \"civil\": appointments.capacity: must be 1..1000"},
      {"AppointmentUnknownKey", with_appointments("capacity = 4", "capacity = 4\ncapacty = 4"), 24,
       "unknown key \"capacty\""},
      {"AppointmentHoursOverlap", with_appointments("\"14:00-16:00\"", "\"11:00-16:00\""), 24,
       "appointments.hours: span \"11:00-16:00\" overlaps or precedes \"09:00-11:30\""},
      {"AppointmentCheckInAfterTheSlot",
       with_appointments("check_in_before_min = 20", "check_in_before_min = 20\ncheck_in_after_min = 30"), 26,
       "appointments.check_in_after_min: must be less than the slot (30 minutes)"},
      {"AppointmentBookAheadTooFar",
       with_appointments("check_in_before_min = 20", "check_in_before_min = 20\nbook_ahead_days = 400"), 26,
       "appointments.book_ahead_days: must be 0..90 days"},
      {"AppointmentSessionBadDay", with_appointments("[\"sat\"]", "[\"saturday\"]"), 27,
       "service \"civil\": appointments.session #1: days: \"saturday\" is not a day"},
      {"AppointmentSessionWithoutHours", with_appointments("hours = [\"09:00-12:00\"]\n", ""), 26,
       "missing required key \"hours\""},
      {"AppointmentSessionUnknownKey", with_appointments("days = [\"sat\"]", "day = [\"sat\"]"), 27,
       "unknown key \"day\""},
      {"RemoteQuotaZero", with_remote("daily_quota = 40", "daily_quota = 0"), 23,
       "service \"civil\": remote.daily_quota: must be 1..9999 tickets a day, not 0"},
      {"RemoteQuotaMissing", with_remote("daily_quota = 40\n", ""), 21,
       "missing required key \"daily_quota\""},
      {"RemoteGraceTooLong", with_remote("grace_min = 10", "grace_min = 600"), 24,
       "service \"civil\": remote.grace_min: must be 1..240 minutes, not 600"},
      {"RemoteHoursBackwards", with_remote("09:00-16:00", "16:00-09:00"), 22,
       "remote.hours: span \"16:00-09:00\""},
      {"RemoteUnknownKey", with_remote("grace_min = 10", "grace_min = 10\nquota = 3"), 25,
       "unknown key \"quota\""},
      {"RemoteEnabledNotABool", with_remote("grace_min = 10", "grace_min = 10\nenabled = \"yes\""), 25,
       "enabled"},
      {"RemoteCallShareTooLarge", append("[rules]\nremote_call_share = 1.5\n"), 29,
       "rules.remote_call_share: must be a share above 0 and at most 1 (0.3: at most 30% of calls), not 1.5"},
      {"DivisionCodeNotDigits",
       edit("number_reset = \"daily\"", "number_reset = \"daily\"\ndivision_code = \"50024X\""), 7,
       "hall.division_code: 区划编码 \"50024X\" must be 6 or 12 digits"},
      {"ItemCodeWithASpace",
       edit("expected_handle_min = 6\n", "expected_handle_min = 6\nitem_code = \"1150 0240\"\n"), 14,
       "service \"social\": item_code: 事项编码 \"1150 0240\" must be 1..64 of [0-9A-Za-z._-]"},
      {"EvaluationUnknownKey", append("[evaluation]\nsuplement_days = 3\n"), 29,
       "unknown key \"suplement_days\""},
      {"EvaluationSupplementTooLong", append("[evaluation]\nsupplement_days = 45\n"), 29,
       "evaluation.supplement_days: must be 0..30 days, not 45"},
      {"EvaluationReasonTwice",
       append(
           "[evaluation]\nreasons = [{code = \"A1\", text = \"离岗\"}, {code = \"A1\", text = \"推诿\"}]\n"),
       29, "evaluation.reasons: reason code \"A1\" appears twice"},
      {"EvaluationReasonWithoutText", append("[evaluation]\nreasons = [{code = \"A1\"}]\n"), 29,
       "missing required key \"text\""},
      {"EvaluationNoReasons", append("[evaluation]\nreasons = []\n"), 29, "needs at least one"},
      {"InvalidUtf8", edit("name = \"测试大厅\"", "name = \"\xff\xfe\""), 3, "TOML syntax error"},
  };
}

class BrokenConfig : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenConfig, NamesTheLineAndTheProblem) {
  const BrokenCase& c = GetParam();
  try {
    parse_hall_config(c.toml, "broken.toml");
    FAIL() << "accepted:\n" << c.toml;
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    const std::string expected_start = "broken.toml:" + std::to_string(c.line) + ": ";
    EXPECT_EQ(message.substr(0, expected_start.size()), expected_start) << message;
    EXPECT_NE(message.find(c.fragment), std::string::npos) << message;
  }
}

INSTANTIATE_TEST_SUITE_P(Loader, BrokenConfig, ::testing::ValuesIn(broken_cases()),
                         [](const ::testing::TestParamInfo<BrokenCase>& info) { return info.param.name; });

TEST(Loader, ReadsWorkingDays) {
  auto c = parse_hall_config(
      edit("number_reset = \"daily\"",
           "number_reset = \"daily\"\ndays = \"mon-fri\"\nclosed = [\"2026-10-02\", 2026-10-01]\n"
           "extra_days = [\"2026-09-27\"]"),
      "days.toml");
  EXPECT_EQ(c->weekdays, 0b0111110);
  EXPECT_EQ(c->closed_days, (std::vector<std::int64_t>{*core::parse_day("2026-10-01"),
                                                       *core::parse_day("2026-10-02")}));  // sorted
  EXPECT_EQ(c->extra_days, std::vector<std::int64_t>{*core::parse_day("2026-09-27")});
  EXPECT_FALSE(c->open_on(*core::parse_day("2026-10-01")));  // a Thursday, 国庆
  EXPECT_TRUE(c->open_on(*core::parse_day("2026-09-27")));   // a Sunday, 调休
  EXPECT_FALSE(c->open_on(*core::parse_day("2026-09-26")));  // a Saturday
  EXPECT_TRUE(c->open_on(*core::parse_day("2026-09-28")));   // a Monday

  auto list = parse_hall_config(
      edit("number_reset = \"daily\"", "number_reset = \"daily\"\ndays = [\"sat\", \"sun\"]"), "days.toml");
  EXPECT_EQ(list->weekdays, 0b1000001);
  auto wrap = parse_hall_config(
      edit("number_reset = \"daily\"", "number_reset = \"daily\"\ndays = \"fri-mon\""), "days.toml");
  EXPECT_EQ(wrap->weekdays, 0b1100011);
  auto one = parse_hall_config(edit("number_reset = \"daily\"", "number_reset = \"daily\"\ndays = \"sat\""),
                               "days.toml");
  EXPECT_EQ(one->weekdays, 0b1000000);
  // No days: every day, no holidays (as before the keys existed).
  auto plain = parse_hall_config(kBase, "plain.toml");
  EXPECT_EQ(plain->weekdays, core::kEveryWeekday);
  EXPECT_TRUE(plain->closed_days.empty());
  EXPECT_TRUE(plain->extra_days.empty());
}

TEST(Loader, ReadsTheEvaluationRecordsCodes) {
  auto plain = parse_hall_config(kBase, "plain.toml");
  EXPECT_EQ(plain->division_code, "");
  EXPECT_EQ(plain->services[0].item_code, "");
  EXPECT_EQ(plain->evaluation.reasons, core::default_evaluation_reasons());
  EXPECT_EQ(plain->evaluation.supplement_days, 7);
  EXPECT_EQ(plain->evaluation.follow_up_working_days, 5);

  auto c = parse_hall_config(append("[evaluation]\nreasons_version = \"cq-2024.1\"\nsupplement_days = 3\n"
                                    "follow_up_working_days = 15\ndue_soon_working_days = 2\n"
                                    "reasons = [{code = \"A1\", text = \"窗口人员离岗\"}, {code = \"A2\", "
                                    "text = \"一次性告知不到位\"}]\n"),
                             "evaluation.toml");
  EXPECT_EQ(c->evaluation.reasons_version, "cq-2024.1");
  EXPECT_EQ(c->evaluation.supplement_days, 3);
  EXPECT_EQ(c->evaluation.follow_up_working_days, 15);
  EXPECT_EQ(c->evaluation.due_soon_working_days, 2);
  EXPECT_EQ(c->evaluation.reasons,
            (std::vector<core::EvaluationReason>{{"A1", "窗口人员离岗"}, {"A2", "一次性告知不到位"}}));

  auto codes = parse_hall_config(
      edit("number_reset = \"daily\"", "number_reset = \"daily\"\ndivision_code = \"500240000000\""),
      "codes.toml");
  EXPECT_EQ(codes->division_code, "500240000000");
  auto item =
      parse_hall_config(edit("expected_handle_min = 6\n",
                             "expected_handle_min = 6\nitem_code = \"11500240MB1532113R400011710200001\"\n"
                             "department_code = \"11500240MB1532113R\"\n"),
                        "item.toml");
  EXPECT_EQ(item->services[0].item_code, "11500240MB1532113R400011710200001");
  EXPECT_EQ(item->services[0].department_code, "11500240MB1532113R");
}

TEST(Loader, ReadsAppointmentSlots) {
  auto c = parse_hall_config(with_appointments(), "appointments.toml");
  EXPECT_EQ(c->appointments_of(0), nullptr);  // social takes no bookings
  const core::AppointmentConfig* a = c->appointments_of(1);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->service, 1);
  EXPECT_EQ(a->slot_min, 30);
  EXPECT_EQ(a->capacity, 4);
  EXPECT_EQ(a->hours, (std::vector<core::TimeSpan>{{9 * 60, 11 * 60 + 30}, {14 * 60, 16 * 60}}));
  EXPECT_EQ(a->weekdays, 0);  // the hall's days
  EXPECT_EQ(a->check_in_before_min, 20);
  EXPECT_EQ(a->check_in_after_min, core::AppointmentConfig{}.check_in_after_min);
  EXPECT_EQ(a->book_ahead_days, core::AppointmentConfig{}.book_ahead_days);
  ASSERT_EQ(a->sessions.size(), 1u);
  EXPECT_EQ(a->sessions[0].weekdays, 0b1000000);
  EXPECT_EQ(a->sessions[0].hours, (std::vector<core::TimeSpan>{{9 * 60, 12 * 60}}));
}

TEST(Loader, ReadsRemoteTickets) {
  auto c = parse_hall_config(with_remote(), "remote.toml");
  EXPECT_EQ(c->remote_of(0), nullptr);  // social takes no remote tickets
  const core::RemoteConfig* r = c->remote_of(1);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->hours, (std::vector<core::TimeSpan>{{9 * 60, 16 * 60}}));
  EXPECT_EQ(r->daily_quota, 40);
  EXPECT_EQ(r->grace_min, 10);
  EXPECT_EQ(c->rules.remote_call_share, 1.0) << "no cap unless the hall sets one";
  auto off = parse_hall_config(with_remote("grace_min = 10", "grace_min = 10\nenabled = false"), "off.toml");
  EXPECT_EQ(off->remote_of(1), nullptr) << "enabled = false: kept in the file, not taken";
  auto capped = parse_hall_config(append("[rules]\nremote_call_share = 0.3\n"), "cap.toml");
  EXPECT_EQ(capped->rules.remote_call_share, 0.3);
}

TEST(Loader, AllowedFutureSectionsAreIgnored) {
  for (std::string_view section : {"screen", "screens", "speaker", "kiosk", "keypad", "caller", "device",
                                   "devices", "notice", "display", "displays"}) {
    SCOPED_TRACE(section);
    EXPECT_NO_THROW(parse_hall_config(append(fmt::format("[{}]\nanything = 1\n", section)), "future.toml"));
  }
  EXPECT_NO_THROW(
      parse_hall_config(append("[[device]]\nid = \"k1\"\n[[device]]\nid = \"k2\"\n"), "future.toml"));
}

}  // namespace
}  // namespace hallq::config
