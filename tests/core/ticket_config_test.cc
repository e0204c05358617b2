// Small pure helpers: ticket numbers, enum names, error names, hall days
// around midnight, and HallConfig::validate_and_index (the TOML loader has its
// own tests).
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

// ------------------------------------------------------------ ticket numbers

TEST(TicketNumber, FormatPadsToDigits) {
  EXPECT_EQ(format_number("A", 1, 3), "A001");
  EXPECT_EQ(format_number("A", 12, 3), "A012");
  EXPECT_EQ(format_number("AB", 999, 3), "AB999");
  EXPECT_EQ(format_number("A", 1234, 3), "A1234") << "never truncated";
  EXPECT_EQ(format_number("C", 7, 1), "C7");
  EXPECT_EQ(format_number("C", 0, 1), "C0");
  EXPECT_EQ(format_number("D", 42, 6), "D000042");
}

TEST(TicketNumber, SplitAcceptsLettersThenDigits) {
  std::string_view prefix;
  std::uint32_t n = 0;
  ASSERT_TRUE(split_number("A012", prefix, n));
  EXPECT_EQ(prefix, "A");
  EXPECT_EQ(n, 12u);
  ASSERT_TRUE(split_number("AB7", prefix, n));
  EXPECT_EQ(prefix, "AB");
  EXPECT_EQ(n, 7u);
  ASSERT_TRUE(split_number("A000", prefix, n));
  EXPECT_EQ(n, 0u);
  ASSERT_TRUE(split_number("Z999999999", prefix, n)) << "nine digits fit";
  EXPECT_EQ(n, 999'999'999u);
  ASSERT_TRUE(split_number("ABC1", prefix, n)) << "any number of letters; the hall checks the prefix";
  EXPECT_EQ(prefix, "ABC");
}

TEST(TicketNumber, SplitRejectsMalformedAndLeavesOutputs) {
  for (const char* bad :
       {"", "A", "AB", "012", "a012", "A01B", "A-12", "A 12", "A1234567890", "12A", "Ａ001"}) {
    std::string_view prefix = "keep";
    std::uint32_t n = 77;
    EXPECT_FALSE(split_number(bad, prefix, n)) << bad;
    EXPECT_EQ(prefix, "keep") << bad;
    EXPECT_EQ(n, 77u) << bad;
  }
}

TEST(TicketNumber, RoundTrip) {
  for (std::uint32_t n : {1u, 9u, 10u, 99u, 100u, 999u, 1000u, 99999u}) {
    std::string_view prefix;
    std::uint32_t back = 0;
    const std::string s = format_number("BC", n, 3);
    ASSERT_TRUE(split_number(s, prefix, back)) << s;
    EXPECT_EQ(prefix, "BC");
    EXPECT_EQ(back, n);
  }
}

TEST(TicketHelpers, QueueClassAndOpenStates) {
  EXPECT_EQ(queue_class_of(Priority::kNormal), QueueClass::kNormal);
  EXPECT_EQ(queue_class_of(Priority::kPriority), QueueClass::kPriority);
  EXPECT_EQ(queue_class_of(Priority::kAppointment), QueueClass::kPriority);
  for (TicketState s : {TicketState::kWaiting, TicketState::kCalled, TicketState::kServing,
                        TicketState::kHeld, TicketState::kNoShow})
    EXPECT_TRUE(is_open(s)) << to_string(s);
  for (TicketState s : {TicketState::kDone, TicketState::kRated, TicketState::kLeft, TicketState::kExpired})
    EXPECT_FALSE(is_open(s)) << to_string(s);
}

// ------------------------------------------------------------ names

TEST(Names, EnumsRoundTrip) {
  for (auto p : {Priority::kNormal, Priority::kPriority, Priority::kAppointment}) {
    Priority back{};
    ASSERT_TRUE(parse(to_string(p), back));
    EXPECT_EQ(back, p);
  }
  for (auto k : {WindowKind::kClassified, WindowKind::kFallback, WindowKind::kAssist, WindowKind::kInstant,
                 WindowKind::kPriority}) {
    WindowKind back{};
    ASSERT_TRUE(parse(to_string(k), back));
    EXPECT_EQ(back, k);
  }
  ServiceKind sk{};
  EXPECT_TRUE(parse("promise", sk));
  EXPECT_EQ(sk, ServiceKind::kPromise);
  Priority p = Priority::kPriority;
  EXPECT_FALSE(parse("Normal", p));
  EXPECT_EQ(p, Priority::kPriority);
  EXPECT_EQ(to_string(TicketState::kNoShow), "no_show");
  EXPECT_EQ(display_name(TicketState::kServing), "办理中");
  EXPECT_EQ(display_name(Priority::kAppointment), "预约");
  EXPECT_EQ(to_string(LeaveReason::kGaveUp), "gave_up");
  EXPECT_EQ(to_string(static_cast<TicketState>(200)), "?");
}

TEST(Names, ErrorCodesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(kLastErrorCode); ++i) {
    if (!is_error_code(i)) continue;  // a removed code's number
    const auto code = static_cast<ErrorCode>(i);
    EXPECT_EQ(error_code_from_string(to_string(code)), code) << to_string(code);
  }
  EXPECT_EQ(to_string(ErrorCode::kReactivateExpired), "reactivate_expired");
  EXPECT_EQ(to_string(ErrorCode::kWindowAlreadyOpen), "window_already_open");
  EXPECT_EQ(error_code_from_string("no_such_code"), ErrorCode::kInternal);
  Status ok;
  EXPECT_TRUE(ok.ok());
  Status bad(ErrorCode::kQueueEmpty, "x");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.code(), ErrorCode::kQueueEmpty);
}

TEST(Names, VerbsAndEventNames) {
  EXPECT_EQ(verb(IssueTicket{}), "issue");
  EXPECT_EQ(verb(CallTicket{}), "call_ticket");
  EXPECT_EQ(verb(Reactivate{}), "reactivate");
  EXPECT_EQ(verb(UnholdTicket{}), "unhold");
  EXPECT_EQ(verb(Tick{}), "tick");
  EXPECT_EQ(event_name(TicketIssued{}), "ticket_issued");
  EXPECT_EQ(event_name(TicketRequeued{}), "ticket_requeued");
  EXPECT_EQ(event_name(TicketLeft{}), "ticket_left");
  EXPECT_EQ(event_name(DayRolled{}), "day_rolled");
}

// ------------------------------------------------------------ hall days

TEST(HallDay, LocalDayAroundMidnightAtUtcPlus8) {
  auto cfg = make_config();  // +08:00
  const TimeUs midnight = cfg->day_start(kDay);
  EXPECT_EQ(midnight, kDay * kUsPerDay - 8 * 60 * kUsPerMinute);
  EXPECT_EQ(cfg->local_day(midnight), kDay);
  EXPECT_EQ(cfg->local_day(midnight - 1), kDay - 1);
  EXPECT_EQ(cfg->local_day(midnight + kUsPerDay - 1), kDay);
  EXPECT_EQ(cfg->local_day(midnight + kUsPerDay), kDay + 1);
  EXPECT_EQ(cfg->local_second_of_day(midnight), 0);
  EXPECT_EQ(cfg->local_second_of_day(midnight - 1), 86'399);
  EXPECT_EQ(cfg->local_second_of_day(midnight + 9 * 60 * kUsPerMinute + 30 * kUsPerSecond), 9 * 3600 + 30);
  // 2024-03-03 23:30 UTC is 2024-03-04 07:30 in China.
  const TimeUs utc = kDay * kUsPerDay - 30 * kUsPerMinute;
  EXPECT_EQ(cfg->local_day(utc), kDay);
  EXPECT_EQ(cfg->local_second_of_day(utc), 7 * 3600 + 30 * 60);
}

TEST(HallDay, OtherOffsetsAndBeforeTheEpoch) {
  auto utc = make_config([](HallConfig& c) { c.utc_offset_min = 0; });
  EXPECT_EQ(utc->day_start(kDay), kDay * kUsPerDay);
  EXPECT_EQ(utc->local_day(-1), -1);
  EXPECT_EQ(utc->local_day(0), 0);
  EXPECT_EQ(utc->local_day(-kUsPerDay), -1);
  EXPECT_EQ(utc->local_day(-kUsPerDay - 1), -2);
  EXPECT_EQ(utc->local_second_of_day(-1), 86'399);
  auto west = make_config([](HallConfig& c) { c.utc_offset_min = -5 * 60; });
  EXPECT_EQ(west->day_start(kDay), kDay * kUsPerDay + 5 * 60 * kUsPerMinute);
  EXPECT_EQ(west->local_day(kDay * kUsPerDay + 4 * 60 * kUsPerMinute), kDay - 1);
  for (std::int64_t d : {kDay - 1000, kDay, kDay + 1, std::int64_t{0}, std::int64_t{-3}}) {
    EXPECT_EQ(west->local_day(west->day_start(d)), d);
    EXPECT_EQ(west->local_day(west->day_start(d) - 1), d - 1);
  }
}

TEST(HallRules, HelpLoadDefaultsToOneAndMustBeSane) {
  EXPECT_EQ(make_config()->rules.help_load, 1.0);
  for (double bad : {-0.5, 1001.0, std::nan("")}) {
    auto cfg = std::make_shared<HallConfig>(*make_config());
    cfg->rules.help_load = bad;
    auto problem = cfg->validate_and_index();
    ASSERT_TRUE(problem.has_value()) << bad;
    EXPECT_EQ(problem->key, "help_load");
  }
}

// ------------------------------------------------------------ validation

TEST(ConfigValidation, DefaultTestHallIsValidAndIndexed) {
  auto cfg = make_config(with_staff_list);
  EXPECT_EQ(cfg->find_service("civil"), std::optional<ServiceIdx>(kCivil));
  EXPECT_EQ(cfg->find_service("nope"), std::nullopt);
  EXPECT_EQ(cfg->find_prefix("C"), std::optional<ServiceIdx>(kTax));
  EXPECT_EQ(cfg->find_prefix("c"), std::nullopt);
  EXPECT_EQ(cfg->find_window("w3"), std::optional<WindowIdx>(kW3));
  EXPECT_EQ(cfg->find_window_number(2), std::optional<WindowIdx>(kW2));
  EXPECT_EQ(cfg->find_window_number(4), std::nullopt);
  EXPECT_TRUE(cfg->staff_known("li"));
  EXPECT_FALSE(cfg->staff_known("Li"));
  ASSERT_NE(cfg->find_staff("wang"), nullptr);
  EXPECT_EQ(cfg->find_staff("wang")->name, "王五");
  EXPECT_EQ(cfg->find_staff("zhao"), nullptr);
  // serves sorted by (level, service).
  const auto& s = cfg->windows[kW3].serves;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].service, kTax);
  EXPECT_EQ(s[1].service, kSocial);
  EXPECT_EQ(s[2].service, kCivil);
}

struct BadConfig {
  const char* name;
  std::function<void(HallConfig&)> tweak;
  const char* section;
  int index;
  const char* key;
};

class ConfigValidationTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigValidationTest, NamesTheProblem) {
  const BadConfig& bad = GetParam();
  HallConfig cfg = *make_config();  // the valid default, then broken
  bad.tweak(cfg);
  const auto problem = cfg.validate_and_index();
  ASSERT_TRUE(problem.has_value()) << bad.name;
  EXPECT_EQ(problem->section, bad.section) << problem->message;
  EXPECT_EQ(problem->index, bad.index) << problem->message;
  EXPECT_EQ(problem->key, bad.key) << problem->message;
  EXPECT_FALSE(problem->message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Problems, ConfigValidationTest,
    ::testing::
        Values(
            BadConfig{"hall_id_upper", [](HallConfig& c) { c.id = "Town"; }, "hall", -1, "id"},
            BadConfig{"hall_id_empty", [](HallConfig& c) { c.id = ""; }, "hall", -1, "id"},
            BadConfig{"hall_name_empty", [](HallConfig& c) { c.name = ""; }, "hall", -1, "name"},
            BadConfig{"hours_reversed",
                      [](HallConfig& c) {
                        c.hours = {{600, 500}};
                      },
                      "hall", -1, "hours"},
            BadConfig{"hours_past_midnight",
                      [](HallConfig& c) {
                        c.hours = {{600, 24 * 60 + 1}};
                      },
                      "hall", -1, "hours"},
            BadConfig{"wait_target_zero", [](HallConfig& c) { c.wait_target_min = 0; }, "hall", -1,
                      "wait_target_min"},
            BadConfig{"utc_offset", [](HallConfig& c) { c.utc_offset_min = 15 * 60; }, "hall", -1,
                      "utc_offset"},
            BadConfig{"policy_empty", [](HallConfig& c) { c.rules.policy = ""; }, "rules", -1, "policy"},
            BadConfig{"recall_limit", [](HallConfig& c) { c.rules.recall_limit = 10; }, "rules", -1,
                      "recall_limit"},
            BadConfig{"reactivate_min", [](HallConfig& c) { c.rules.reactivate_min = -1; }, "rules", -1,
                      "reactivate_min"},
            BadConfig{"reactivate_behind", [](HallConfig& c) { c.rules.reactivate_behind = -1; }, "rules", -1,
                      "reactivate_behind"},
            BadConfig{"priority_ratio", [](HallConfig& c) { c.rules.priority_ratio = 0; }, "rules", -1,
                      "priority_ratio"},
            BadConfig{"number_digits", [](HallConfig& c) { c.rules.number_digits = 7; }, "rules", -1,
                      "number_digits"},
            BadConfig{"max_tickets", [](HallConfig& c) { c.rules.max_tickets_per_service = 0; }, "rules", -1,
                      "max_tickets_per_service"},
            BadConfig{"no_services", [](HallConfig& c) { c.services.clear(); }, "service", -1, ""},
            BadConfig{"service_id_twice", [](HallConfig& c) { c.services[2].id = "social"; }, "service", 2,
                      "id"},
            BadConfig{"service_id_chars", [](HallConfig& c) { c.services[1].id = "Civil"; }, "service", 1,
                      "id"},
            BadConfig{"service_name_empty", [](HallConfig& c) { c.services[0].name = ""; }, "service", 0,
                      "name"},
            BadConfig{"prefix_twice", [](HallConfig& c) { c.services[1].prefix = "A"; }, "service", 1,
                      "prefix"},
            BadConfig{"prefix_lower", [](HallConfig& c) { c.services[1].prefix = "b"; }, "service", 1,
                      "prefix"},
            BadConfig{"prefix_long", [](HallConfig& c) { c.services[1].prefix = "BCD"; }, "service", 1,
                      "prefix"},
            BadConfig{"prefix_empty",
                      [](HallConfig& c) { c.services[1].prefix = ""; }, "service", 1, "prefix"},
            BadConfig{"handle_zero", [](HallConfig& c) { c.services[0].expected_handle_min = 0; },
                      "service", 0, "expected_handle_min"},
            BadConfig{"no_windows", [](HallConfig& c) { c.windows.clear(); }, "window", -1, ""},
            BadConfig{"window_id_twice", [](HallConfig& c) { c.windows[1].id = "w1"; }, "window", 1, "id"},
            BadConfig{"window_number_twice",
                      [](HallConfig& c) { c.windows[2].number = 1; }, "window", 2, "number"},
            BadConfig{"window_number_zero",
                      [](HallConfig& c) { c.windows[0].number = 0; }, "window", 0, "number"},
            BadConfig{"window_name_empty",
                      [](HallConfig& c) { c.windows[0].name = ""; }, "window", 0, "name"},
            BadConfig{"serves_empty",
                      [](HallConfig& c) { c.windows[1].serves.clear(); }, "window", 1, "serves"},
            BadConfig{"serves_unknown",
                      [](HallConfig& c) { c.windows[1].serves = {{7, 1}}; }, "window", 1, "serves"},
            BadConfig{"serves_level_zero",
                      [](HallConfig& c) { c.windows[1].serves = {{kCivil, 0}}; }, "window", 1, "serves"},
            BadConfig{
                "serves_twice",
                [](HallConfig& c) {
                  c.windows[0].serves = {{kSocial, 1}, {kSocial, 2}};
                },
                "window", 0, "serves"},
            BadConfig{"staff_twice", [](HallConfig& c) { c.staff = {{"li", "李四"}, {"li", "李四"}}; },
                      "staff", 1, "id"},
            BadConfig{"staff_id_chars", [](HallConfig& c) { c.staff = {{"li si", "李四"}}; }, "staff", 0,
                      "id"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigValidation, RevalidationRebuildsTheIndexes) {
  auto cfg = make_config();
  cfg->services[kTax].id = "taxes";
  ASSERT_FALSE(cfg->validate_and_index().has_value());
  EXPECT_EQ(cfg->find_service("tax"), std::nullopt);
  EXPECT_EQ(cfg->find_service("taxes"), std::optional<ServiceIdx>(kTax));
}

}  // namespace
}  // namespace hallq::test
