#include "adapters/citizen/ticket_view.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "engine/core/calendar.h"
#include "engine/core/line_position.h"
#include "engine/core/rating.h"
#include "engine/view/shown_wait.h"
#include "engine/view/wait_range.h"

namespace hallq::citizen {
namespace {

// The 80% range of a forecast: the hall's own calibration, or the traces' factors.
view::WaitRange range_of(const predict::TicketForecast& f, const view::RangeCalibration* calibration) {
  return calibration != nullptr ? calibration->range(f.wait_s, f.ahead) : view::wait_range(f.wait_s, f.ahead);
}

// The 80% range around `f`, down to the low end of the one around `low`.
view::WaitRange shown_range(const predict::TicketForecast& f, const predict::TicketForecast* low,
                            const view::RangeCalibration* calibration) {
  view::WaitRange r = range_of(f, calibration);
  if (low != nullptr && low->wait_s != predict::kUnknownWait) {
    const view::WaitRange l = range_of(*low, calibration);
    r.low_s = std::min(r.low_s, l.low_s);
    r.high_s = std::max(r.high_s, l.high_s);
  }
  return r;
}

}  // namespace

TicketView ticket_view(const core::Hall& hall, const core::Ticket& t, const predict::TicketForecast* f,
                       core::TimeUs now, const predict::TicketForecast* without_remotes,
                       const view::RangeCalibration* calibration) {
  using core::TicketState;
  const core::HallConfig& cfg = hall.config();
  TicketView v;
  v.hall = cfg.id;
  v.hall_name = cfg.name;
  v.number = hall.number_of(t);
  v.service = cfg.services[t.service].name;
  v.state = std::string(core::to_string(t.state));
  v.recalls = t.recalls;
  v.transferred = t.transfers > 0;
  if (t.window != core::kNoWindow && t.window < cfg.windows.size()) v.window = cfg.windows[t.window].number;
  const core::RemoteTicket* remote = hall.find_remote(t.id);
  if (remote != nullptr) {
    v.remote = true;
    v.check_in_code = remote->code;
    v.kind = "网上取号";
  } else if (t.priority != core::Priority::kNormal) {
    v.kind = std::string(core::display_name(t.priority));
  }
  auto clock = [&](core::TimeUs at) {
    const int s = cfg.local_second_of_day(at);
    return fmt::format("{:02}:{:02}", s / 3600, s / 60 % 60);
  };
  switch (t.state) {
    case TicketState::kNotArrived: {
      v.can_cancel = true;
      if (remote != nullptr && remote->grace_until != 0) {
        v.headline = "已到号，请尽快签到";
        v.detail = fmt::format("请在 {} 前到大厅签到，签到码 {}，逾时号码作废", clock(remote->grace_until),
                               remote->code);
        break;
      }
      if (f != nullptr && f->wait_s != predict::kUnknownWait) {
        // The forecast of its call had it checked in now (predict::Forecast::
        // awaiting): come by the range's low end, the earliest its turn is
        // likely to come (and the grace covers a little more).
        const view::WaitRange r = range_of(*f, calibration);
        v.ahead = f->ahead;
        v.headline = fmt::format("请在 {} 前到大厅签到",
                                 clock(now + static_cast<core::TimeUs>(r.low_s) * core::kUsPerSecond));
        v.detail = fmt::format(
            "前面还有 {} 人，现在签到预计等待 {}。到大厅后在取号机输入签到码 "
            "{}，或扫描签到二维码，按取号时的顺序叫号",
            f->ahead, view::shown_wait(r).text, remote != nullptr ? remote->code : 0);
        break;
      }
      // No forecast (no open window would call it): those in its line ahead
      // of the place it holds (it is in no line itself), roughly.
      std::uint32_t ahead = 0;
      const core::ServiceQueue& q = hall.queue(t.service);
      ahead += static_cast<std::uint32_t>(q.size(core::QueueClass::kReturning) +
                                          q.size(core::QueueClass::kPriority));
      for (const core::QueueEntry& e : q.line(core::QueueClass::kNormal)) {
        if (e.key >= t.queue_key) break;
        ++ahead;
      }
      v.ahead = ahead;
      const int windows = std::max(1, hall.open_windows(t.service, 1));
      const core::TimeUs turn =
          now +
          static_cast<core::TimeUs>(ahead * hall.mean_handle_s(t.service) / windows) * core::kUsPerSecond;
      v.headline = fmt::format("请在 {} 前到大厅签到", clock(turn));
      v.detail =
          fmt::format("前面还有 {} 人。到大厅后在取号机输入签到码 {}，或扫描签到二维码，按取号时的顺序叫号",
                      ahead, remote != nullptr ? remote->code : 0);
      break;
    }
    case TicketState::kWaiting:
      v.can_cancel = true;
      if (f != nullptr && f->wait_s != predict::kUnknownWait) {
        v.ahead = f->ahead;
        const view::WaitRange r = shown_range(*f, without_remotes, calibration);
        const view::ShownWait w = view::shown_wait(r);
        v.wait_low_s = w.low_s;
        v.wait_high_s = w.high_s;
        v.headline = f->ahead == 0 ? "下一位就是您" : fmt::format("前面还有 {} 人", f->ahead);
        v.detail = w.soon ? w.text + "，请留意叫号" : fmt::format("预计等待 {}", w.text);
      } else {
        v.ahead = core::ahead_in_line(hall, t);
        v.headline = v.ahead == 0 ? "下一位就是您" : fmt::format("前面还有 {} 人", v.ahead);
        v.detail = "暂无窗口办理此业务，开放后按顺序叫号";
      }
      if (v.transferred)
        v.detail = fmt::format("已转到「{}」继续排队。{}", v.service, v.detail);
      else if (t.first_called_at != 0)  // called before: a no-show reactivated, or a hold resumed
        v.detail = "已恢复排队，" + v.detail;
      else if (remote != nullptr || t.priority == core::Priority::kAppointment)
        v.detail = "已签到，" + v.detail;  // in line now: the check-in (remote, or a booking's) took
      break;
    case TicketState::kCalled:
      v.headline = fmt::format("请到 {} 号窗口", v.window);
      v.detail = t.recalls > 0 ? fmt::format("第 {} 次呼叫，请尽快前往", t.recalls + 1) : "正在呼叫您的号码";
      break;
    case TicketState::kServing:
      v.headline = fmt::format("正在 {} 号窗口办理", v.window);
      v.detail = "办理完成后欢迎评价";
      break;
    case TicketState::kHeld:
      v.can_cancel = true;
      v.headline = "暂缓办理";
      v.detail = fmt::format("请备齐材料后回到 {} 号窗口，工作人员会继续为您办理", v.window);
      break;
    case TicketState::kDone:
    case TicketState::kRated:
      v.final = true;
      v.headline = "已办结";
      v.rating = t.state == TicketState::kRated ? t.rating : 0;
      v.can_rate = v.rating == 0;
      v.detail = v.can_rate ? "感谢您的耐心等待，欢迎评价" : "感谢您的评价";
      break;
    case TicketState::kNoShow:
      if (remote != nullptr && remote->state == core::RemoteState::kDropped) {
        v.final = true;
        v.headline = "未按时签到，号码已作废";
        v.detail = "轮到您时未在规定时间内签到，如需办理请重新取号";
        break;
      }
      v.headline = "已过号";
      v.detail =
          fmt::format("叫号时您不在，号码已跳过。{} 分钟内请到取号机旁的导办台或 {} 号窗口说明，可恢复排队",
                      cfg.rules.reactivate_min, v.window);
      break;
    case TicketState::kLeft:
      v.final = true;
      v.headline = "已取消排队";
      v.detail = "如需办理，请重新取号";
      break;
    case TicketState::kExpired:
      v.final = true;
      v.headline = kLapsedHeadline;
      v.detail = kLapsedDetail;
      break;
  }
  v.date = core::format_date(hall.day());
  if (v.can_rate) v.reasons = cfg.evaluation.reasons;
  return v;
}

TicketView lapsed_ticket_view(const core::Hall& hall, std::string number, std::string service,
                              std::string kind, std::string date) {
  TicketView v;
  v.hall = hall.config().id;
  v.hall_name = hall.config().name;
  v.number = std::move(number);
  v.service = std::move(service);
  v.kind = std::move(kind);
  v.state = std::string(core::to_string(core::TicketState::kExpired));
  v.headline = kLapsedHeadline;
  v.detail = kLapsedDetail;
  v.final = true;
  v.past = true;
  v.date = std::move(date);
  return v;
}

TicketView past_ticket_view(const core::Hall& hall, const core::RateableTicket& r) {
  const core::HallConfig& cfg = hall.config();
  TicketView v;
  v.hall = cfg.id;
  v.hall_name = cfg.name;
  v.number = hall.printed_number(r.ticket);
  // The service it was finished in (and is rated for), as today's page named it: a transferred
  // ticket's, not the one on its printed number.
  v.service = r.service < cfg.services.size() ? cfg.services[r.service].name : "";
  v.rating = r.rating;
  v.can_rate = r.rating == 0;
  v.state = std::string(core::to_string(v.can_rate ? core::TicketState::kDone : core::TicketState::kRated));
  v.final = true;
  v.past = true;
  v.date = core::format_date(r.day);
  v.headline = "已办结";
  v.detail = v.can_rate ? fmt::format("{} 的业务已办结，办理后 {} 天内可补充评价", v.date,
                                      cfg.evaluation.supplement_days)
                        : std::string("感谢您的评价");
  if (v.can_rate) v.reasons = cfg.evaluation.reasons;
  return v;
}

nlohmann::json to_json(const TicketView& v) {
  nlohmann::json j{{"hall", v.hall},
                   {"hall_name", v.hall_name},
                   {"number", v.number},
                   {"service", v.service},
                   {"state", v.state},
                   {"headline", v.headline},
                   {"detail", v.detail},
                   {"ahead", v.ahead},
                   {"recalls", v.recalls},
                   {"transferred", v.transferred},
                   {"can_cancel", v.can_cancel},
                   {"final", v.final}};
  if (v.wait_low_s >= 0) {
    j["wait_low_s"] = v.wait_low_s;
    j["wait_high_s"] = v.wait_high_s;
  }
  if (v.window > 0) j["window"] = v.window;
  if (!v.kind.empty()) j["kind"] = v.kind;
  if (v.remote) {
    j["remote"] = true;
    j["check_in_code"] = v.check_in_code;
  }
  j["date"] = v.date;
  j["past"] = v.past;
  j["can_rate"] = v.can_rate;
  if (v.rating > 0) {
    j["rating"] = v.rating;
    j["rating_name"] = core::rating_name(v.rating);
  }
  if (v.can_rate) {
    nlohmann::json levels = nlohmann::json::array();
    for (int level = core::kBestRating; level >= 1; --level)
      levels.push_back({{"level", level}, {"name", core::rating_name(level)}});
    nlohmann::json reasons = nlohmann::json::array();
    for (const core::EvaluationReason& r : v.reasons) reasons.push_back({{"code", r.code}, {"text", r.text}});
    j["rate"] = {{"levels", levels}, {"reasons", reasons}, {"comment_max", core::kMaxEvaluationComment}};
  }
  return j;
}

}  // namespace hallq::citizen
