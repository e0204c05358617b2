// summarize(): what people read off a hall at a glance, from the hall's state.
#include "engine/view/hall_summary.h"

#include <gtest/gtest.h>

#include "tests/view/view_hall.h"

namespace hallq::view::testing {
namespace {

using core::kUsPerSecond;

// 09:00 w1 opens (zhang); A001 09:01, A002 09:02, B001 09:03; 09:04 w1 calls A001.
class HallSummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.run(core::OpenWindow{"w1", "zhang"}, h_.at(9, 0));
    a001_ = h_.issue("social", h_.at(9, 1));
    a002_ = h_.issue("social", h_.at(9, 2));
    b001_ = h_.issue("civil", h_.at(9, 3));
    h_.run(core::CallNext{"w1"}, h_.at(9, 4));
  }
  ViewHall h_;
  core::TicketIssued a001_, a002_, b001_;
};

TEST_F(HallSummaryTest, ServicesAndWindowsOfAMorning) {
  const core::TimeUs now = h_.at(9, 10);
  const HallSummary s = summarize(h_.hall(), now);
  EXPECT_EQ(s.id, "view-hall");
  EXPECT_EQ(s.name, "视图测试大厅");
  EXPECT_EQ(s.seq, h_.log().back().seq);
  EXPECT_EQ(s.waiting, 2u);  // A002, B001
  EXPECT_EQ(s.notice, "");
  EXPECT_TRUE(s.advisories.empty());

  ASSERT_EQ(s.services.size(), 2u);
  const ServiceSummary& social = s.services[0];
  EXPECT_EQ(social.id, "social");
  EXPECT_EQ(social.name, "社保医保");
  EXPECT_EQ(social.prefix, "A");
  EXPECT_EQ(social.waiting, 1u);
  EXPECT_EQ(social.longest_wait_s, (now - h_.at(9, 2)) / kUsPerSecond);  // A002 since 09:02
  EXPECT_EQ(social.open_windows, 1u);                                    // w1
  EXPECT_EQ(social.predicted_wait_s,
            h_.hall().predictor().predict_new(h_.hall(), kSocial, core::Priority::kNormal, now).wait_s);
  const ServiceSummary& civil = s.services[1];
  EXPECT_EQ(civil.id, "civil");
  EXPECT_EQ(civil.prefix, "B");
  EXPECT_EQ(civil.waiting, 1u);
  EXPECT_EQ(civil.longest_wait_s, 7 * 60);  // B001 since 09:03
  EXPECT_EQ(civil.open_windows, 0u);        // w2 and w3 closed

  ASSERT_EQ(s.windows.size(), 3u);
  const WindowSummary& w1 = s.windows[0];
  EXPECT_EQ(w1.id, "w1");
  EXPECT_EQ(w1.number, 1);
  EXPECT_EQ(w1.name, "社保窗口");
  EXPECT_EQ(w1.state, "busy");
  EXPECT_EQ(w1.current, "A001");
  EXPECT_EQ(w1.current_state, "called");
  EXPECT_EQ(w1.service, "social");
  EXPECT_EQ(w1.staff, "zhang");
  EXPECT_EQ(w1.staff_name, "张三");
  EXPECT_EQ(w1.served, 0u);
  const WindowSummary& w2 = s.windows[1];
  EXPECT_EQ(w2.id, "w2");
  EXPECT_EQ(w2.number, 2);
  EXPECT_EQ(w2.state, "closed");
  EXPECT_EQ(w2.current, "");
  EXPECT_EQ(w2.current_state, "");
  EXPECT_EQ(w2.service, "");
  EXPECT_EQ(w2.staff, "");
  EXPECT_EQ(w2.staff_name, "");
}

TEST_F(HallSummaryTest, WindowStatesFollowTheirTickets) {
  h_.run(core::StartService{"w1"}, h_.at(9, 5));
  EXPECT_EQ(summarize(h_.hall(), h_.at(9, 6)).windows[0].current_state, "serving");
  h_.run(core::Finish{"w1"}, h_.at(9, 11));
  HallSummary s = summarize(h_.hall(), h_.at(9, 12));
  EXPECT_EQ(s.windows[0].state, "idle");
  EXPECT_EQ(s.windows[0].current, "");
  EXPECT_EQ(s.windows[0].served, 1u);
  h_.run(core::PauseWindow{"w1"}, h_.at(9, 12));
  s = summarize(h_.hall(), h_.at(9, 13));
  EXPECT_EQ(s.windows[0].state, "paused");
  EXPECT_EQ(s.services[0].open_windows, 0u) << "a paused window serves nobody";
}

TEST_F(HallSummaryTest, WaitsCountFromTheHallsClockWhenNowIsEarlier) {
  // The last event was at 09:04; a reader whose clock is behind sees 09:04.
  const HallSummary s = summarize(h_.hall(), h_.at(9, 0));
  EXPECT_EQ(s.services[0].longest_wait_s, 2 * 60);  // A002: 09:02 to 09:04
  EXPECT_EQ(s.services[1].longest_wait_s, 1 * 60);  // B001: 09:03 to 09:04
}

TEST_F(HallSummaryTest, DevicesWithTheirStateInChineseAndHowLongTheyHaveBeenInIt) {
  EXPECT_TRUE(summarize(h_.hall(), h_.at(9, 0)).devices.empty());
  h_.run(core::ReportDevice{"kiosk-2", "printer", core::DeviceState::kPaperOut, "roll paper end"},
         h_.at(9, 5));
  h_.run(core::ReportDevice{"kiosk-1", "printer", core::DeviceState::kOk, ""}, h_.at(9, 6));
  const HallSummary s = summarize(h_.hall(), h_.at(9, 10));
  ASSERT_EQ(s.devices.size(), 2u);
  EXPECT_EQ(s.devices[0].id, "kiosk-1");
  EXPECT_TRUE(s.devices[0].ok);
  EXPECT_EQ(s.devices[0].state_name, "正常");
  const DeviceSummary& d = s.devices[1];
  EXPECT_EQ(d.id, "kiosk-2");
  EXPECT_EQ(d.kind, "printer");
  EXPECT_EQ(d.state, "paper_out");
  EXPECT_EQ(d.state_name, "缺纸");
  EXPECT_EQ(d.detail, "roll paper end");
  EXPECT_EQ(d.since_s, 5 * 60);
  EXPECT_FALSE(d.ok);
}

TEST_F(HallSummaryTest, NoticeAndOpenAdvisoriesUntilTheyExpire) {
  h_.run(core::SetNotice{"请带好身份证"}, h_.at(9, 5));
  std::uint32_t id = 0;
  for (const core::Event& e :
       h_.run(core::Advise{kCivil, kW3, core::AdvisoryAction::kOpen, {{kSocial, 2}, {kCivil, 1}}, 900, 300},
              h_.at(9, 5)))
    if (const auto* a = std::get_if<core::AdvisoryIssued>(&e.body)) id = a->advisory;
  ASSERT_NE(id, 0u);

  HallSummary s = summarize(h_.hall(), h_.at(9, 10));
  EXPECT_EQ(s.notice, "请带好身份证");
  ASSERT_EQ(s.advisories.size(), 1u);
  const AdvisorySummary& a = s.advisories[0];
  EXPECT_EQ(a.id, id);
  EXPECT_EQ(a.service, "civil");
  EXPECT_EQ(a.window, "w3");
  EXPECT_EQ(a.window_number, 3);
  EXPECT_EQ(a.action, "open");
  // The skills in the core's order (level, then service).
  EXPECT_EQ(a.serves, (std::vector<std::pair<std::string, int>>{{"civil", 1}, {"social", 2}}));
  EXPECT_EQ(a.wait_before_s, 900);
  EXPECT_EQ(a.wait_after_s, 300);
  EXPECT_EQ(a.expires_in_s, 15 * 60 - 5 * 60);  // 15 minutes to accept, 5 gone

  EXPECT_EQ(summarize(h_.hall(), h_.at(9, 19, 59)).advisories.size(), 1u);
  EXPECT_TRUE(summarize(h_.hall(), h_.at(9, 20)).advisories.empty());
}

}  // namespace
}  // namespace hallq::view::testing
