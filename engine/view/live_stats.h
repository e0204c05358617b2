// Today's figures of a hall for the managers' live view, computed from the
// hall's state (the engine's own or a replica): per window the tickets
// finished, their mean handling time and the window's utilisation since it
// first served today; per service the share of today's called citizens who
// waited longer than the hall's target; the satisfaction of today's ratings;
// 好评率 and 差评率 of today's ratings for the hall, per window and per staff;
// no-show and give-up rates; and alerts where a threshold is crossed.
//
// Pure: a function of the hall and `now`. Only today's tickets count (those
// issued since the hall's local midnight).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/hall.h"

namespace hallq::view {

// 好差评 of some of today's visits, as engine/stats/README.md defines them:
// 好评 = 5 非常满意 + 4 满意, 差评 = 2 不满意 + 1 非常不满意 (3 基本满意 is
// neither), both rates over the visits rated 1..5 (未评价 is not a rating).
struct RatingsLive {
  std::uint32_t rated = 0, good = 0, bad = 0;
  double good_rate = 0, bad_rate = 0;  // good / rated, bad / rated; 0 if none rated
};

struct WindowLive {
  std::string id;
  std::uint32_t finished = 0;  // tickets finished here today
  double mean_handle_s = 0;    // their mean start-to-finish time; 0 if none
  double utilisation = 0;      // serving time / time since its first call today, 0..1
  RatingsLive ratings;         // of today's tickets finished here
};

// A staff member's 好差评 today: the tickets they finished (Ticket::staff).
struct StaffLive {
  std::string id;
  std::string name;  // from the config; "" if it no longer names them
  RatingsLive ratings;
};

struct ServiceLive {
  std::string id;
  std::uint32_t issued = 0, called = 0, finished = 0;
  double mean_wait_s = 0;        // issue to first call, over today's called tickets
  double over_target_share = 0;  // of today's called tickets, waited > wait_target_min
  double mean_handle_s = 0;      // learned (the predictor's figure)
};

struct Alert {
  std::string kind;     // long_wait | long_queue | idle_window
  std::string service;  // long_wait, long_queue
  std::string window;   // idle_window
  std::string message;  // for people, in Chinese
};

struct AlertThresholds {
  double queue_per_window = 8;  // long_queue: waiting > this x open windows serving it (or > this if none)
  std::int64_t idle_window_s =
      180;  // idle_window: open, idle this long while its own services have people waiting
};

struct LiveStats {
  std::vector<WindowLive> windows;    // config order
  std::vector<ServiceLive> services;  // config order
  std::vector<StaffLive> staff;       // those with a rating today, by staff id
  std::uint32_t ratings = 0;          // 1..5 ratings today ("not rated" excluded)
  std::uint32_t satisfied = 0;        // of them 4 满意 or 5 非常满意 (好评)
  std::uint32_t not_rated = 0;        // the keypad's time ran out
  double satisfaction = 0;            // satisfied / ratings (满意率 = 好评率); 0 if none
  RatingsLive hall_ratings;           // the same figures (rated == ratings, good == satisfied) and 差评
  std::uint32_t called = 0, no_shows = 0, left = 0, issued = 0;
  double no_show_rate = 0;  // no-shows / called tickets
  double give_up_rate = 0;  // left / issued
  std::vector<Alert> alerts;
};

LiveStats live_stats(const core::Hall& hall, core::TimeUs now, const AlertThresholds& thresholds = {});

}  // namespace hallq::view
