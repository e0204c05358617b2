#include "engine/predict/forecast_predictor.h"

#include <algorithm>
#include <cmath>

#include "engine/core/line_position.h"
#include "engine/predict/forecast.h"

namespace hallq::predict {
namespace {

// A wait no open window can give: until the next opening span, then the work
// of those ahead over the windows that serve the service first.
std::int32_t fallback_wait(const core::Hall& hall, core::ServiceIdx s, std::uint32_t ahead,
                           core::TimeUs now) {
  const core::HallConfig& cfg = hall.config();
  const int second = cfg.local_second_of_day(now);
  double until_open = 0;
  for (const core::TimeSpan& span : cfg.hours) {
    if (span.start_min * 60 > second) {
      until_open = span.start_min * 60 - second;
      break;
    }
  }
  const int servers = hall.configured_primary_windows(s);
  // Before opening the first in line is called at the opening; during opening
  // hours with no window for it, at least one service's time passes first.
  const double in_line = ahead + (until_open > 0 ? 0 : 1);
  const double work = in_line * hall.mean_handle_s(s) / std::max(1, servers);
  return static_cast<std::int32_t>(std::lround(until_open + work));
}

// At issue the play stops after three rounds of the open windows (at least 24
// calls): the cost is bounded however long the queues, and on the traces the
// accuracy is that of the full play (bench/README.md).
std::size_t max_calls(const core::Hall& hall) {
  constexpr std::size_t kRounds = 3, kMinCalls = 24;
  return std::max(kMinCalls, kRounds * hall.active_windows().size());
}

}  // namespace

core::Prediction ForecastPredictor::predict_new(const core::Hall& hall, core::ServiceIdx service,
                                                core::Priority priority, core::TimeUs now) const {
  const bool prio = priority != core::Priority::kNormal;
  const Forecast f = forecast(
      hall, now, {.stop_at_probe = true, .service = service, .priority = prio, .max_calls = max_calls(hall)});
  const NewcomerForecast& n = prio ? f.priority[service] : f.normal[service];
  return {n.ahead, n.wait_s != kUnknownWait ? n.wait_s : fallback_wait(hall, service, n.ahead, now)};
}

std::vector<core::Prediction> ForecastPredictor::predict_new_all(const core::Hall& hall,
                                                                 core::Priority priority,
                                                                 core::TimeUs now) const {
  const bool prio = priority != core::Priority::kNormal;
  const Forecast f = forecast(
      hall, now,
      {.stop_at_probe = true, .priority = prio, .every_service = true, .max_calls = max_calls(hall)});
  const std::vector<NewcomerForecast>& newcomers = prio ? f.priority : f.normal;
  std::vector<core::Prediction> out;
  out.reserve(newcomers.size());
  for (std::size_t s = 0; s < newcomers.size(); ++s) {
    const NewcomerForecast& n = newcomers[s];
    out.push_back({n.ahead, n.wait_s != kUnknownWait
                                ? n.wait_s
                                : fallback_wait(hall, static_cast<core::ServiceIdx>(s), n.ahead, now)});
  }
  return out;
}

core::Prediction ForecastPredictor::predict(const core::Hall& hall, core::TicketId ticket,
                                            core::TimeUs now) const {
  const core::Ticket* t = hall.find_ticket(ticket);
  if (t == nullptr) return {};
  if (t->state == core::TicketState::kNotArrived) {  // a remote ticket: its wait if it checked in now
    const core::RemoteTicket* r = hall.find_remote(ticket);
    if (r == nullptr || r->state != core::RemoteState::kAwaiting) return {};
    const Forecast f = forecast(hall, now);
    for (const TicketForecast& tf : f.awaiting)
      if (tf.ticket == ticket) return {tf.ahead, tf.wait_s};
    const std::uint32_t ahead = core::ahead_in_line(hall, *t);
    return {ahead, fallback_wait(hall, t->service, ahead, now)};
  }
  if (t->state != core::TicketState::kWaiting) return {};
  const Forecast f = forecast(hall, now);
  for (const TicketForecast& tf : f.tickets)
    if (tf.ticket == ticket) return {tf.ahead, tf.wait_s};
  std::uint32_t ahead = 0;
  const core::ServiceQueue& q = hall.queue(t->service);
  for (int c = 0; c <= static_cast<int>(t->queue_class); ++c) {
    for (const core::QueueEntry& e : q.line(static_cast<core::QueueClass>(c))) {
      if (e.ticket == ticket) break;
      ++ahead;
    }
  }
  return {ahead, fallback_wait(hall, t->service, ahead, now)};
}

const core::WaitPredictor& default_predictor() {
  static const ForecastPredictor kInstance;
  return kInstance;
}

}  // namespace hallq::predict
