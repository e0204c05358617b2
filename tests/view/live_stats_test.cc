// live_stats(): today's figures of a hall for the managers' live view.
#include "engine/view/live_stats.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "tests/view/view_hall.h"

namespace hallq::view::testing {
namespace {

TEST(LiveStats, ADayOfServedRatedSkippedAndGoneTickets) {
  ViewHall h;
  h.run(core::OpenWindow{"w1", "zhang"}, h.at(9, 0));
  h.run(core::OpenWindow{"w2", "li"}, h.at(9, 0));
  h.issue("social", h.at(9, 1));  // A001
  h.issue("social", h.at(9, 2));  // A002
  h.issue("civil", h.at(9, 3));   // B001
  // B001 waits 1 minute, is served 5 minutes at w2 and rated 5; A001 waits 4
  // minutes and is served 10 at w1; A002 waits 14 and does not come.
  h.run(core::CallNext{"w2"}, h.at(9, 4));
  h.run(core::StartService{"w2"}, h.at(9, 5));
  h.run(core::CallNext{"w1"}, h.at(9, 5));
  h.run(core::StartService{"w1"}, h.at(9, 6));
  h.run(core::Finish{"w2"}, h.at(9, 10));
  h.run(core::Evaluate{"B001", 5, "w2"}, h.at(9, 11));
  h.run(core::Finish{"w1"}, h.at(9, 16));
  h.run(core::CallNext{"w1"}, h.at(9, 16));
  h.run(core::SkipTicket{"w1"}, h.at(9, 18));
  // B002 gives up; A003 waits 25 minutes (over the 20-minute target), in service since 09:56.
  h.issue("civil", h.at(9, 20));
  h.run(core::Cancel{"B002", core::LeaveReason::kGaveUp}, h.at(9, 25));
  h.issue("social", h.at(9, 30));
  h.run(core::CallNext{"w1"}, h.at(9, 55));
  h.run(core::StartService{"w1"}, h.at(9, 56));

  const core::TimeUs now = h.at(10, 0);
  const LiveStats l = live_stats(h.hall(), now);
  EXPECT_EQ(l.issued, 5u);
  EXPECT_EQ(l.called, 4u);  // A001, A002, A003, B001
  EXPECT_EQ(l.no_shows, 1u);
  EXPECT_EQ(l.left, 1u);
  EXPECT_DOUBLE_EQ(l.no_show_rate, 1.0 / 4);
  EXPECT_DOUBLE_EQ(l.give_up_rate, 1.0 / 5);
  EXPECT_EQ(l.ratings, 1u);
  EXPECT_EQ(l.satisfied, 1u);
  EXPECT_EQ(l.not_rated, 0u);
  EXPECT_DOUBLE_EQ(l.satisfaction, 1.0);
  EXPECT_TRUE(l.alerts.empty());  // nobody waits

  ASSERT_EQ(l.services.size(), 2u);
  const ServiceLive& social = l.services[0];
  EXPECT_EQ(social.id, "social");
  EXPECT_EQ(social.issued, 3u);
  EXPECT_EQ(social.called, 3u);
  EXPECT_EQ(social.finished, 1u);
  EXPECT_DOUBLE_EQ(social.mean_wait_s, (4 * 60 + 14 * 60 + 25 * 60) / 3.0);
  EXPECT_DOUBLE_EQ(social.over_target_share, 1.0 / 3);
  EXPECT_DOUBLE_EQ(social.mean_handle_s, h.hall().mean_handle_s(kSocial));
  const ServiceLive& civil = l.services[1];
  EXPECT_EQ(civil.issued, 2u);
  EXPECT_EQ(civil.called, 1u);
  EXPECT_EQ(civil.finished, 1u);
  EXPECT_DOUBLE_EQ(civil.mean_wait_s, 60);
  EXPECT_DOUBLE_EQ(civil.over_target_share, 0);

  ASSERT_EQ(l.windows.size(), 3u);
  const WindowLive& w1 = l.windows[0];
  EXPECT_EQ(w1.id, "w1");
  EXPECT_EQ(w1.finished, 1u);
  EXPECT_DOUBLE_EQ(w1.mean_handle_s, 10 * 60);
  // Serving 10 minutes (A001) + 4 (A003 so far) of the 55 since its first call at 09:05.
  EXPECT_DOUBLE_EQ(w1.utilisation, (10 * 60 + 4 * 60) / (55.0 * 60));
  const WindowLive& w2 = l.windows[1];
  EXPECT_EQ(w2.finished, 1u);
  EXPECT_DOUBLE_EQ(w2.mean_handle_s, 5 * 60);
  EXPECT_DOUBLE_EQ(w2.utilisation, (5 * 60) / (56.0 * 60));
  const WindowLive& w3 = l.windows[2];
  EXPECT_EQ(w3.finished, 0u);
  EXPECT_DOUBLE_EQ(w3.mean_handle_s, 0);
  EXPECT_DOUBLE_EQ(w3.utilisation, 0);
}

TEST(LiveStats, OnlyTodaysTicketsCount) {
  ViewHall h;
  h.run(core::OpenWindow{"w1", "zhang"}, h.at(9, 0));
  h.issue("social", h.at(9, 1));
  const LiveStats tomorrow = live_stats(h.hall(), h.at(24 + 9, 0));
  EXPECT_EQ(tomorrow.issued, 0u);
  EXPECT_EQ(tomorrow.services[0].issued, 0u);
}

// 好评率 and 差评率 (engine/stats/README.md): 好评 = 5 + 4, 差评 = 2 + 1, over
// the visits rated 1..5; 3 is neither, 0 (未评价) is no rating. Per window by
// where the visit finished, per staff by who was logged in there then.
TEST(LiveStats, GoodAndBadRatesForTheHallEachWindowAndEachStaff) {
  ViewHall h;
  h.run(core::OpenWindow{"w1", "zhang"}, h.at(9, 0));
  h.run(core::OpenWindow{"w2", "li"}, h.at(9, 0));
  int minute = 1;
  // One visit of `service` served at `window` and rated `level`.
  auto serve_rated = [&](const char* service, const char* window, int level) {
    const core::TicketIssued t = h.issue(service, h.at(9, minute));
    const std::string number = h.hall().printed_number(t.ticket);
    h.run(core::CallNext{window}, h.at(9, minute));
    h.run(core::StartService{window}, h.at(9, minute));
    h.run(core::Finish{window}, h.at(9, minute + 1));
    h.run(core::Evaluate{number, level, window}, h.at(9, minute + 1));
    minute += 2;
  };
  for (int level : {5, 4, 3, 1}) serve_rated("social", "w1", level);  // zhang at w1
  serve_rated("civil", "w2", 2);                                      // li at w2
  h.run(core::CloseWindow{"w1"}, h.at(9, minute));
  h.run(core::OpenWindow{"w2", "zhang"}, h.at(9, minute));  // zhang takes over w2 from li
  serve_rated("civil", "w2", 5);
  serve_rated("civil", "w2", 0);

  const LiveStats l = live_stats(h.hall(), h.at(10, 0));
  // By hand: rated 6 (5,4,3,1,2,5), 好评 3, 差评 2; one 未评价.
  EXPECT_EQ(l.hall_ratings.rated, 6u);
  EXPECT_EQ(l.hall_ratings.good, 3u);
  EXPECT_EQ(l.hall_ratings.bad, 2u);
  EXPECT_DOUBLE_EQ(l.hall_ratings.good_rate, 3.0 / 6);
  EXPECT_DOUBLE_EQ(l.hall_ratings.bad_rate, 2.0 / 6);
  EXPECT_EQ(l.not_rated, 1u);
  EXPECT_DOUBLE_EQ(l.satisfaction, l.hall_ratings.good_rate);
  // w1: 5,4,3,1 -> 2 good, 1 bad of 4; w2: 2,5 -> 1 and 1 of 2; w3: none.
  const RatingsLive& w1 = l.windows[kW1].ratings;
  EXPECT_EQ(std::tuple(w1.rated, w1.good, w1.bad), std::tuple(4u, 2u, 1u));
  EXPECT_DOUBLE_EQ(w1.good_rate, 0.5);
  EXPECT_DOUBLE_EQ(w1.bad_rate, 0.25);
  const RatingsLive& w2 = l.windows[kW2].ratings;
  EXPECT_EQ(std::tuple(w2.rated, w2.good, w2.bad), std::tuple(2u, 1u, 1u));
  EXPECT_DOUBLE_EQ(w2.bad_rate, 0.5);
  EXPECT_EQ(l.windows[kW3].ratings.rated, 0u);
  EXPECT_DOUBLE_EQ(l.windows[kW3].ratings.good_rate, 0);
  // Staff by id: li 2 -> 0 good, 1 bad of 1; zhang 5,4,3,1 at w1 and 5 at w2 -> 3 good, 1 bad of 5.
  ASSERT_EQ(l.staff.size(), 2u);
  EXPECT_EQ(l.staff[0].id, "li");
  EXPECT_EQ(l.staff[0].name, "李四");
  EXPECT_EQ(std::tuple(l.staff[0].ratings.rated, l.staff[0].ratings.good, l.staff[0].ratings.bad),
            std::tuple(1u, 0u, 1u));
  EXPECT_DOUBLE_EQ(l.staff[0].ratings.bad_rate, 1.0);
  EXPECT_EQ(l.staff[1].id, "zhang");
  EXPECT_EQ(std::tuple(l.staff[1].ratings.rated, l.staff[1].ratings.good, l.staff[1].ratings.bad),
            std::tuple(5u, 3u, 1u));
  EXPECT_DOUBLE_EQ(l.staff[1].ratings.good_rate, 3.0 / 5);
  EXPECT_DOUBLE_EQ(l.staff[1].ratings.bad_rate, 1.0 / 5);
}

TEST(LiveStats, AlertsForALongWaitALongQueueAndAnIdleWindow) {
  ViewHall h;
  h.run(core::OpenWindow{"w2", "li"}, h.at(9, 0));
  for (int i = 1; i <= 9; ++i) h.issue("civil", h.at(9, i));  // B001 at 09:01 ... B009 at 09:09
  const LiveStats l = live_stats(h.hall(), h.at(9, 30));
  ASSERT_EQ(l.alerts.size(), 3u);
  EXPECT_EQ(l.alerts[0].kind, "long_wait");
  EXPECT_EQ(l.alerts[0].service, "civil");
  EXPECT_EQ(l.alerts[0].window, "");
  EXPECT_EQ(l.alerts[0].message, "民政：最久已等 29 分钟，超过 20 分钟的承诺");
  EXPECT_EQ(l.alerts[1].kind, "long_queue");  // 9 waiting > 8 per open window
  EXPECT_EQ(l.alerts[1].service, "civil");
  EXPECT_EQ(l.alerts[1].message, "民政：9 人等候，1 个窗口在办");
  EXPECT_EQ(l.alerts[2].kind, "idle_window");  // open since 09:00, nobody called
  EXPECT_EQ(l.alerts[2].service, "");
  EXPECT_EQ(l.alerts[2].window, "w2");
  EXPECT_EQ(l.alerts[2].message, "2号窗口空闲 30 分钟，民政 有 9 人等候");

  // Other thresholds; no window serving the service at all.
  h.run(core::CloseWindow{"w2"}, h.at(9, 30));
  const LiveStats closed = live_stats(h.hall(), h.at(9, 31), {.queue_per_window = 10, .idle_window_s = 60});
  ASSERT_EQ(closed.alerts.size(), 1u);
  EXPECT_EQ(closed.alerts[0].kind, "long_wait");
  const LiveStats strict = live_stats(h.hall(), h.at(9, 31), {.queue_per_window = 5, .idle_window_s = 60});
  ASSERT_EQ(strict.alerts.size(), 2u);
  EXPECT_EQ(strict.alerts[1].message, "民政：9 人等候，没有窗口在办");
}

}  // namespace
}  // namespace hallq::view::testing
