// The check-in share from today's remote tickets. A remote ticket cancelled
// before check-in stays RemoteState::kAwaiting with its ticket no longer
// kNotArrived (the citizen left): it counts as one that did not come.
#include "engine/predict/check_in_share.h"

#include <cmath>

namespace hallq::predict {
namespace {

constexpr double kBeforeTurnPrior = 0.8, kBeforeTurnWeight = 4;
constexpr double kInGracePrior = 0.5, kInGraceWeight = 2;

}  // namespace

CheckInShare check_in_share(const core::Hall& hall) {
  double came = 0, not_came = 0;            // every decided remote ticket
  double came_late = 0, not_came_late = 0;  // those whose turn came before check-in
  for (const core::RemoteTicket& r : hall.remotes()) {
    const bool late = r.grace_until != 0;
    if (r.state == core::RemoteState::kCheckedIn) {
      if (late) {
        ++came_late;  // not at its place: at the head of the line, when it came
        ++not_came;
      } else {
        ++came;
      }
    } else if (r.state == core::RemoteState::kDropped) {
      ++not_came;
      ++not_came_late;  // dropped: always after its turn came
    } else {
      const core::Ticket* t = hall.find_ticket(r.ticket);
      if (t != nullptr && t->state == core::TicketState::kNotArrived) continue;  // undecided
      ++not_came;
      if (late) ++not_came_late;
    }
  }
  CheckInShare s;
  s.before_turn = (came + kBeforeTurnPrior * kBeforeTurnWeight) / (came + not_came + kBeforeTurnWeight);
  s.in_grace = (came_late + kInGracePrior * kInGraceWeight) / (came_late + not_came_late + kInGraceWeight);
  return s;
}

std::vector<bool> counted_in_play(const std::vector<double>& weights) {
  std::vector<bool> counted(weights.size(), false);
  double sum = 0;
  double rounded = 0;
  for (std::size_t k = 0; k < weights.size(); ++k) {
    sum += weights[k];
    const double r = std::ceil(sum - 0.5);  // half down: counted only when more likely than not
    counted[k] = r > rounded;
    rounded = r;
  }
  return counted;
}

}  // namespace hallq::predict
