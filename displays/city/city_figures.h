// What the city view shows of each hall and of itself, and its JSON
// (GET /api/city, the page's stream): per hall the people waiting, the
// longest current wait, a newcomer's predicted wait, windows open of all,
// today's satisfaction (好评率) and alerts; for the view, how far it is
// behind the stream and what it refused.
//
// Pure: functions of a hall's replica (or of counters) and `now`
// (engine/view's definitions, so the dashboard and the city agree).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall.h"

namespace hallq::city {

struct CityAlert {
  std::string kind;     // long_wait | long_queue | idle_window (engine/view/live_stats.h) | no_window | lag
  std::string message;  // Chinese
};

struct HallFigures {
  std::string id, name;
  std::uint64_t seq = 0;
  std::uint32_t waiting = 0;
  std::int64_t longest_wait_s = 0;  // of those waiting now
  std::int32_t predicted_wait_s =
      0;                           // a newcomer's, the longest over the services served now; -1: none served
  std::string predicted_service;   // the service of that prediction
  std::uint32_t windows_open = 0;  // open and not paused
  std::uint32_t windows_total = 0;
  std::uint32_t ratings = 0;  // today's 1..5 ratings
  double satisfaction = 0;    // share of them 4 or 5; 0 if none
  bool open_now = false;      // inside the hall's opening hours
  // When its last event seen by this city view happened (the engine's clock,
  // µs since the epoch; 0: none since the city view started): how current
  // the figures are, e.g. event to page delay.
  core::TimeUs last_event_us = 0;
  std::vector<CityAlert> alerts;
};

HallFigures hall_figures(const core::Hall& hall, core::TimeUs now);

struct FeedFigures {
  std::uint64_t delivered = 0;  // messages the consumer delivered since this process started
  std::uint64_t applied = 0, held = 0, refused = 0;  // refused: never applied (gaps included)
  std::uint64_t gaps = 0;                            // of them after a hole in the hall's subject
  std::uint64_t without_snapshot = 0;  // messages of halls with no snapshot in the bucket: skipped
  std::uint64_t pending = 0;           // the stream's messages not yet delivered (of the last fetch)
  bool connected = false;
  std::vector<std::string> refusals;  // the latest reasons, newest last
};

// Lag alert: the view is this many messages behind the stream.
inline constexpr std::uint64_t kLagAlert = 500;

// One hall's figures as a JSON object: an element of the city's "halls".
std::string hall_json(const HallFigures& f);

// The city's JSON: {"halls": [the given hall objects (hall_json), in this
// order], "waiting": `waiting` (their sum), "alerts", "stream", "time_us"}.
// The halls are joined as they are, so a caller keeps each hall's object and
// makes again only those of the halls that changed (a province's page is
// hundreds of kilobytes).
std::string city_json(const std::vector<std::string_view>& halls, std::uint64_t waiting,
                      const FeedFigures& feed, core::TimeUs now);

}  // namespace hallq::city
