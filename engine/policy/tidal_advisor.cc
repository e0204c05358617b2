// What-if forecasts: the hall's state is copied into a scratch hall, the
// window changed, and the scratch hall played forward. A few dozen candidates
// a minute per hall; each costs one state copy and one forecast.
#include "engine/policy/tidal_advisor.h"

#include <algorithm>
#include <limits>

#include "engine/predict/forecast.h"

namespace hallq::policy {
namespace {

using core::WindowState;

constexpr std::int32_t kNoWindowYet = std::numeric_limits<std::int32_t>::max();

std::int32_t newcomer_wait(const predict::Forecast& f, core::ServiceIdx s) {
  return f.normal[s].wait_s == predict::kUnknownWait ? kNoWindowYet : f.normal[s].wait_s;
}

// The window's skills with `s` made one of its own services.
std::vector<core::Skill> with_own(std::vector<core::Skill> skills, core::ServiceIdx s) {
  std::erase_if(skills, [&](const core::Skill& k) { return k.service == s; });
  skills.push_back({s, 1});
  core::sort_skills(skills);
  return skills;
}

}  // namespace

std::optional<core::Advise> advise(const core::Hall& hall, core::TimeUs now, const AdvisorOptions& options) {
  const core::HallConfig& cfg = hall.config();
  if (!cfg.within_hours(now)) return std::nullopt;
  const auto target_s = static_cast<std::int32_t>(cfg.wait_target_min * 60);
  const predict::Forecast before = predict::forecast(hall, now);

  // The service furthest over the target (with people waiting for it).
  std::optional<core::ServiceIdx> worst;
  for (std::size_t i = 0; i < cfg.services.size(); ++i) {
    const auto s = static_cast<core::ServiceIdx>(i);
    if (hall.waiting(s) == 0 || newcomer_wait(before, s) <= target_s) continue;
    if (!worst || newcomer_wait(before, s) > newcomer_wait(before, *worst)) worst = s;
  }
  if (!worst) return std::nullopt;
  const core::ServiceIdx s = *worst;
  const std::int32_t wait_before = newcomer_wait(before, s);

  const core::HallState state = hall.export_state(false);
  std::optional<core::Advise> best;
  int best_rank = 0;
  for (std::size_t i = 0; i < cfg.windows.size(); ++i) {
    const auto w = static_cast<core::WindowIdx>(i);
    const core::Window& win = hall.window(w);
    core::AdvisoryAction action;
    if (win.state == WindowState::kClosed) {
      // Only windows the config already gives this service are opened for it.
      const bool serves = std::any_of(cfg.windows[i].serves.begin(), cfg.windows[i].serves.end(),
                                      [&](const core::Skill& k) { return k.service == s; });
      if (!serves) continue;
      action = core::AdvisoryAction::kOpen;
    } else if (win.state == WindowState::kOpen && core::skill_level(win, s) != 1) {
      action = core::AdvisoryAction::kLend;
    } else {
      continue;
    }
    const std::vector<core::Skill> skills = with_own(win.skills, s);

    core::Hall scratch(hall.config_ptr(), &hall.policy(), &hall.predictor());
    core::HallState changed = state;
    core::Window& cw = changed.windows[i];
    if (cw.state == WindowState::kClosed) {
      cw.state = WindowState::kOpen;
      cw.staff = core::kNoStaff;
      cw.current = 0;
      cw.state_since = cw.idle_since = now;
    }
    cw.skills = skills;
    scratch.import_state(std::move(changed));
    const predict::Forecast after = predict::forecast(scratch, now);
    const std::int32_t wait_after = newcomer_wait(after, s);

    // A lender keeps its own citizens within the target.
    bool lender_ok = true;
    if (action == core::AdvisoryAction::kLend) {
      for (const core::Skill& k : win.skills) {
        if (k.level == 1 && k.service != s && newcomer_wait(after, k.service) > target_s) lender_ok = false;
      }
    }
    if (!lender_ok) continue;
    const bool enough =
        wait_before == kNoWindowYet
            ? wait_after != kNoWindowYet
            : wait_before - wait_after >=
                  std::max<std::int32_t>(options.min_gain_s,
                                         static_cast<std::int32_t>(options.min_gain_share * wait_before));
    if (!enough) continue;
    // Opening the service's own closed window comes first, then opening another
    // closed window that serves it, then lending; within a rank the shortest wait.
    const bool own = std::any_of(cfg.windows[i].serves.begin(), cfg.windows[i].serves.end(),
                                 [&](const core::Skill& k) { return k.service == s && k.level == 1; });
    const int rank = action == core::AdvisoryAction::kLend ? 2 : own ? 0 : 1;
    if (!best || rank < best_rank || (rank == best_rank && wait_after < best->wait_after_s)) {
      best = core::Advise{s, w, action, skills, wait_before == kNoWindowYet ? -1 : wait_before, wait_after};
      best_rank = rank;
    }
  }
  return best;
}

}  // namespace hallq::policy
