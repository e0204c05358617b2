// Today's figures of a hall for the managers' live view, computed from the
// hall's state (the engine's own or a replica): per window the tickets
// finished, their mean handling time and the window's utilisation since it
// first served today; per service the share of today's called citizens who
// waited longer than the hall's target; the satisfaction of today's ratings;
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

struct WindowLive {
  std::string id;
  std::uint32_t finished = 0;  // tickets finished here today
  double mean_handle_s = 0;    // their mean start-to-finish time; 0 if none
  double utilisation = 0;      // serving time / time since its first call today, 0..1
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
  std::uint32_t ratings = 0;          // 1..5 ratings today ("not rated" excluded)
  std::uint32_t satisfied = 0;        // of them 4 满意 or 5 非常满意
  std::uint32_t not_rated = 0;        // the keypad's time ran out
  double satisfaction = 0;            // satisfied / ratings; 0 if none
  std::uint32_t called = 0, no_shows = 0, left = 0, issued = 0;
  double no_show_rate = 0;  // no-shows / called tickets
  double give_up_rate = 0;  // left / issued
  std::vector<Alert> alerts;
};

LiveStats live_stats(const core::Hall& hall, core::TimeUs now, const AlertThresholds& thresholds = {});

}  // namespace hallq::view
