// What a citizen's phone shows of one ticket, from a hall replica at `now`:
// its number, service and hall, its state in words, people ahead and the
// predicted wait as a range (engine/view/wait_range.h) while it waits, the
// window when it is called. No personal data: a ticket holds none. A remote
// ticket (网上取号) also shows its check-in code and, until checked in, when
// to check in: "请在 HH:MM 前到大厅签到" (a rough time its turn may come:
// the people ahead of its place times the service's mean handling time over
// its open windows), then "已到号，请尽快签到" with the end of its grace, and
// "未按时签到，号码已作废" once dropped.
//
// The words ("前面还有 3 人", "请到 5 号窗口", "已过号：…") are made here so
// that the page, its tests and any other client read one wording.
//
// Pure. Thread: any.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "engine/core/hall.h"
#include "engine/predict/forecast.h"

namespace hallq::citizen {

struct TicketView {
  std::string hall, hall_name, number, service;
  std::string state;     // core::to_string(TicketState): waiting, called, serving, held, ...
  std::string headline;  // the big line: "前面还有 3 人", "请到 5 号窗口", "已办结"
  std::string detail;    // the line under it: "预计等待 约 8–12 分钟", how to reactivate ...
  std::uint32_t ahead = 0;
  std::int32_t wait_low_min = -1, wait_high_min = -1;  // -1: not waiting / no open window
  int window = 0;                                      // the window's number; 0 none
  int recalls = 0;
  bool transferred = false;
  bool can_cancel = false;          // waiting or held: "我不等了" is offered
  bool final = false;               // nothing will change any more (finished, left, expired)
  bool remote = false;              // taken from the phone (网上取号)
  std::uint32_t check_in_code = 0;  // remote: the code to type or scan at the kiosk
};

// `forecast`: the ticket's entry in predict::forecast(hall, now), null if it
// has none (not waiting, or no open window would call it).
TicketView ticket_view(const core::Hall& hall, const core::Ticket& ticket,
                       const predict::TicketForecast* forecast, core::TimeUs now);

nlohmann::json to_json(const TicketView& view);

}  // namespace hallq::citizen
