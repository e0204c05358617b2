// Hall devices (a kiosk's printer ...): a report is kept per device id with
// the time it entered its state; a report that changes nothing emits nothing;
// bad reports are refused and change nothing; devices stay over night.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_hall.h"

namespace hallq::test {
namespace {

using DeviceTest = HallFixture;

TEST_F(DeviceTest, ReportedKeptPerDeviceWithTheTimeOfItsState) {
  EXPECT_TRUE(hall_->devices().empty());
  auto ev = ok(ReportDevice{"kiosk-2", "printer", DeviceState::kPaperOut, "roll paper end"}, at(0));
  EXPECT_TRUE(
      bodies_are(ev, {DeviceReported{"kiosk-2", "printer", DeviceState::kPaperOut, "roll paper end"}}));
  ok(ReportDevice{"kiosk-1", "printer", DeviceState::kOk, ""}, at(1));
  ASSERT_EQ(hall_->devices().size(), 2u);
  EXPECT_EQ(hall_->devices()[0].first, "kiosk-1");  // ascending id
  EXPECT_EQ(hall_->devices()[1].first, "kiosk-2");
  ASSERT_NE(hall_->find_device("kiosk-2"), nullptr);
  EXPECT_EQ(*hall_->find_device("kiosk-2"),
            (DeviceStatus{"printer", DeviceState::kPaperOut, "roll paper end", at(0)}));
  EXPECT_EQ(hall_->find_device("kiosk-3"), nullptr);

  // A new detail in the same state keeps `since`; a new state moves it.
  ok(ReportDevice{"kiosk-2", "printer", DeviceState::kPaperOut, "still no paper"}, at(5));
  EXPECT_EQ(hall_->find_device("kiosk-2")->since, at(0));
  EXPECT_EQ(hall_->find_device("kiosk-2")->detail, "still no paper");
  ok(ReportDevice{"kiosk-2", "printer", DeviceState::kOk, ""}, at(7));
  EXPECT_EQ(*hall_->find_device("kiosk-2"), (DeviceStatus{"printer", DeviceState::kOk, "", at(7)}));

  ok(Tick{}, at(24 * 60));  // the next day: devices are not tickets
  EXPECT_EQ(hall_->devices().size(), 2u);
}

TEST_F(DeviceTest, AReportThatChangesNothingEmitsNothing) {
  ok(ReportDevice{"k1", "printer", DeviceState::kCoverOpen, "x"}, at(0));
  const Seq seq = hall_->seq();
  std::vector<Event> out;
  const Status st =
      hall_->apply({"retry-free", ReportDevice{"k1", "printer", DeviceState::kCoverOpen, "x"}}, at(1), out);
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(hall_->seq(), seq);
  EXPECT_EQ(hall_->find_device("k1")->since, at(0));
}

TEST_F(DeviceTest, BadReportsAreRefusedAndChangeNothing) {
  ok(ReportDevice{"k1", "printer", DeviceState::kOk, ""}, at(0));
  EXPECT_TRUE(refused(ReportDevice{"", "printer"}, ErrorCode::kBadArgument, at(1))) << "no id";
  EXPECT_TRUE(refused(ReportDevice{"k2", ""}, ErrorCode::kBadArgument, at(1))) << "no kind";
  const std::string long_id(kMaxDeviceIdBytes + 1, 'k');
  EXPECT_TRUE(refused(ReportDevice{long_id, "printer"}, ErrorCode::kBadArgument, at(1))) << "long id";
  const std::string long_kind(kMaxDeviceKindBytes + 1, 'p');
  EXPECT_TRUE(refused(ReportDevice{"k2", long_kind}, ErrorCode::kBadArgument, at(1))) << "long kind";
  const std::string long_detail(kMaxDeviceDetailBytes + 1, 'd');
  EXPECT_TRUE(refused(ReportDevice{"k2", "printer", DeviceState::kOffline, long_detail},
                      ErrorCode::kBadArgument, at(1)))
      << "long detail";
  EXPECT_TRUE(refused(ReportDevice{"k\n2", "printer"}, ErrorCode::kBadArgument, at(1))) << "control in id";
  EXPECT_TRUE(refused(ReportDevice{"k2", "printer", DeviceState::kOffline, "\xE5\x8A"},
                      ErrorCode::kBadArgument, at(1)))
      << "cut UTF-8";
  ok(ReportDevice{std::string(kMaxDeviceIdBytes, 'k'), std::string(kMaxDeviceKindBytes, 'p'),
                  DeviceState::kOffline, std::string(kMaxDeviceDetailBytes, 'd')},
     at(2));
}

TEST_F(DeviceTest, AHallKeepsAtMostKMaxDevices) {
  for (std::size_t i = 0; i < kMaxDevices; ++i) ok(ReportDevice{fmt::format("k{:03}", i), "printer"}, at(0));
  EXPECT_TRUE(refused(ReportDevice{"one-more", "printer"}, ErrorCode::kLimitReached, at(1)));
  ok(ReportDevice{"k000", "printer", DeviceState::kPaperOut, ""}, at(1));  // a known one still reports
}

TEST(DeviceStateNames, EnglishAndChinese) {
  EXPECT_EQ(to_string(DeviceState::kPaperOut), "paper_out");
  EXPECT_EQ(display_name(DeviceState::kPaperOut), "缺纸");
  EXPECT_EQ(display_name(DeviceState::kCoverOpen), "盖未关");
  DeviceState s = DeviceState::kOk;
  EXPECT_TRUE(parse("unreachable", s));
  EXPECT_EQ(s, DeviceState::kUnreachable);
  EXPECT_FALSE(parse("broken", s));
}

}  // namespace
}  // namespace hallq::test
