// What a citizen's phone shows of one ticket, from a hall replica at `now`:
// its number, service and hall, its state in words, people ahead and the
// predicted wait as a range (engine/view/wait_range.h, worded by
// engine/view/shown_wait.h: "约 8–12 分钟", "约 30 秒–2 分钟") while it waits, the
// window when it is called. No personal data: a ticket holds none. A remote
// ticket (网上取号) also shows its check-in code and, until checked in, when
// to check in: "请在 HH:MM 前到大厅签到" — the low end of the 80% range
// around its forecast call had it checked in now (predict::Forecast::
// awaiting), with people ahead and that range ("现在签到预计等待 …"); with
// no forecast (no open window), a rough time: the people ahead of its place
// times the service's mean handling time over its open windows — then
// "已到号，请尽快签到" with the end of its grace, and
// "未按时签到，号码已作废" once dropped. Checked in (a remote ticket, or a
// booking's appointment ticket), its wait reads "已签到，预计等待 …"; back
// in line after a call (a no-show reactivated, a hold resumed), "已恢复排队，…".
//
// A finished ticket not rated 1..5 (none given, or the keypad's time ran
// out: 未评价) offers 好差评 from the page (can_rate; the JSON then carries
// "rate": the five levels with their names, the hall's 差评 reasons and the
// comment's limit); once rated it shows the level and never offers it again.
// An earlier day's ticket still open to 补充评价 (HallState::rateable) has a
// view of its own (past_ticket_view).
//
// The words ("前面还有 3 人", "请到 5 号窗口", "已过号：…") are made here so
// that the page, its tests and any other client read one wording.
//
// Pure. Thread: any.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/hall.h"
#include "engine/predict/forecast.h"
#include "engine/view/wait_range.h"

namespace hallq::citizen {

struct TicketView {
  std::string hall, hall_name, number, service;
  std::string state;     // core::to_string(TicketState): waiting, called, serving, held, ...
  std::string headline;  // the big line: "前面还有 3 人", "请到 5 号窗口", "已办结"
  std::string detail;    // the line under it: "预计等待 约 8–12 分钟", how to reactivate ...
  std::uint32_t ahead = 0;
  // The wait the detail words, in seconds: the bounds its words claim
  // (view::ShownWait; 即将轮到您: 0..60); -1: not waiting / no open window.
  std::int32_t wait_low_s = -1, wait_high_s = -1;
  int window = 0;  // the window's number; 0 none
  int recalls = 0;
  bool transferred = false;
  bool can_cancel = false;          // waiting or held: "我不等了" is offered
  bool final = false;               // nothing will change any more (finished, left, expired)
  bool remote = false;              // taken from the phone (网上取号)
  std::uint32_t check_in_code = 0;  // remote: the code to type or scan at the kiosk
  std::string kind;                 // how it was taken, when not a plain walk-in ticket: 网上取号
                                    // (remote), 预约 (a booking checked in), 优先; "" otherwise
  bool can_rate = false;            // finished and not rated 1..5: the page offers 好差评
  int rating = 0;                   // 1..5 once rated; 0 none (or 未评价)
  std::string date;                 // the ticket's day (YYYY-MM-DD)
  bool past = false;                // an earlier day's ticket (补充评价), not today's
  // can_rate: what the form offers (the hall's config).
  std::vector<core::EvaluationReason> reasons;
};

// A number the day's end lapsed: the ticket's own view, a page left open on
// it and its link reopened on a later day (the gateway's 410 page) say the same.
inline constexpr std::string_view kLapsedHeadline = "号码已失效";
inline constexpr std::string_view kLapsedDetail = "当日未办理的号码已作废，如需办理请重新取号";

// `forecast`: the ticket's entry in predict::forecast(hall, now) (`tickets`,
// or `awaiting` for a remote ticket not checked in), null if it has none (not
// waiting, or no open window would call it). `without_remotes`: its entry
// in the play leaving remote tickets not checked in out
// (ForecastRequest::awaiting_remotes false), null if none are out: a
// waiting ticket's range then runs from the low end of the range around
// that play to the high end of the one around `forecast` (whether they come
// is all or nothing: bench/README.md, "Remote tickets in the forecast").
// `calibration`: the hall's own (view::RangeCalibration::learn), or null for
// the traces' factors.
TicketView ticket_view(const core::Hall& hall, const core::Ticket& ticket,
                       const predict::TicketForecast* forecast, core::TimeUs now,
                       const predict::TicketForecast* without_remotes = nullptr,
                       const view::RangeCalibration* calibration = nullptr);

// A ticket of `date` that was still open (waiting, held, not arrived ...)
// when the hall's day rolled: the engine lapsed it (TicketState::kExpired,
// 号码已失效) and keeps it no more, so a page still open on it is told by
// this view, not by the ticket. `service` and `kind` as its page last showed.
TicketView lapsed_ticket_view(const core::Hall& hall, std::string number, std::string service,
                              std::string kind, std::string date);

// An earlier day's finished ticket still open to 补充评价 (or rated later:
// `r.rating` 1..5), as its page shows it: its service is the one it was
// finished in (a transferred ticket's last), as on the day.
TicketView past_ticket_view(const core::Hall& hall, const core::RateableTicket& r);

nlohmann::json to_json(const TicketView& view);

}  // namespace hallq::citizen
