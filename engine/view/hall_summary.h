// What people read off a hall at a glance, computed from a hall's state (a
// subscriber's replica or the engine's own): per service the people waiting,
// the longest wait and a newcomer's predicted wait; per window its state,
// current ticket and staff. Used by `hallq status`, screens and the dashboard.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/hall.h"

namespace hallq::view {

struct ServiceSummary {
  std::string id, name, prefix;
  std::uint32_t waiting = 0;
  std::int32_t predicted_wait_s = 0;  // for a newcomer (normal priority)
  std::int64_t longest_wait_s = 0;    // of those waiting now
  std::uint32_t open_windows = 0;     // open, unpaused windows serving it
  std::string wait_text;              // as every display words it (hall_words.h)
};

struct WindowSummary {
  std::string id, name;
  int number = 0;
  std::string state;          // closed | idle | busy | paused
  std::string current;        // ticket number, empty if none
  std::string current_state;  // called | serving
  std::string service;        // current ticket's service id
  std::string staff;          // staff id
  std::string staff_name;     // from the config's staff list, if any
  std::uint32_t served = 0;   // today
};

struct AdvisorySummary {
  std::uint32_t id = 0;
  std::string service, window, action;  // action: open | lend
  int window_number = 0;
  std::vector<std::pair<std::string, int>> serves;  // the window's skills if accepted
  std::int32_t wait_before_s = 0;                   // -1: no window served the service
  std::int32_t wait_after_s = 0;
  std::int64_t expires_in_s = 0;
  std::string service_name, window_name;
  std::string text;  // explained in Chinese (hall_words.h advisory_text)
};

struct DeviceSummary {
  std::string id, kind;
  std::string state;       // ok | paper_low | paper_out | cover_open | offline | unreachable
  std::string state_name;  // Chinese: 正常 | 纸将尽 | 缺纸 | 盖未关 | 故障 | 无法连接
  std::string detail;
  std::int64_t since_s = 0;  // how long it has been in `state`
  bool ok = true;            // state ok (anything else is shown as a warning)
};

struct HallSummary {
  std::string id, name;
  std::uint64_t seq = 0;
  std::uint32_t waiting = 0;
  std::vector<ServiceSummary> services;     // config order
  std::vector<WindowSummary> windows;       // config order
  std::vector<AdvisorySummary> advisories;  // open tidal-window advisories
  std::string notice;                       // the manager's notice to the screens, empty if none
  std::vector<DeviceSummary> devices;       // as they last reported, ascending id
};

HallSummary summarize(const core::Hall& hall, core::TimeUs now);

}  // namespace hallq::view
